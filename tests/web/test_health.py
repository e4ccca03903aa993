"""The health endpoint reports the database and the index."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from market.matching import engine, indexing


def test_healthz_reports_ok(app: Flask, client, make, synced) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["index"]["providers"] == {"documents": 0, "public": 0, "needs_rebuild": False}
    # A public provider the index does not hold (status set behind the services' back): degraded.
    provider = make.provider_id_of(make.user("provider"))
    make.set_provider_status(provider, "approved")
    body = client.get("/healthz").get_json()
    assert (body["status"], body["index"]["providers"]["public"]) == ("degraded", 1)
    with app.app_context():
        indexing.rebuild(engine.PROVIDERS)
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["index"]["providers"] == {"documents": 1, "public": 1, "needs_rebuild": False}


def test_healthz_is_degraded_when_the_index_is_unreadable(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "providers").write_text("not an index")
    old = app.config["INDEX_DIR"]
    app.config["INDEX_DIR"] = str(tmp_path)
    engine.forget_open_indexes()
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.config["INDEX_DIR"] = old
        engine.forget_open_indexes()
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"


def test_healthz_says_down_when_the_database_goes_away_between_its_checks(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Found by the fault test: SELECT 1 passed, the connection was cut, counting postings raised,
    # and the load balancer got an HTML 500 instead of the JSON 503 it reads.
    from sqlalchemy.exc import OperationalError

    from market.matching import indexing

    def cut(kind: str) -> int:
        raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection"))

    monkeypatch.setattr(indexing, "public_count", cut)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.is_json
    assert response.get_json()["status"] == "down"
    assert response.get_json()["database"] == {"ok": False, "error": "OperationalError"}


def test_healthz_says_down_when_the_connection_dies_after_its_last_query(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Found by the fault test on CI: both checks passed, the connection was cut before the request's
    # commit hook ended the read transaction, and that commit failing answered 500.
    from market.db import db

    real_count = indexing.public_count

    def count_then_cut(kind: str) -> int:
        number = real_count(kind)
        if kind == engine.NEEDS:  # the last count: the cut falls before the request ends
            db.session.connection().connection.dbapi_connection.close()  # type: ignore[union-attr]
        return number

    monkeypatch.setattr(indexing, "public_count", count_then_cut)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.is_json
    assert response.get_json()["status"] == "down"
    # The next check gets a fresh connection from the pool and finds the database up again.
    monkeypatch.setattr(indexing, "public_count", real_count)
    assert app.test_client().get("/healthz").get_json()["database"]["ok"] is True
