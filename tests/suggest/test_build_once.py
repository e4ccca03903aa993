"""A fresh worker's first requests: the vocabulary is built once, and a store another process is
writing never turns a search or a suggestion into a 500 (seen under gunicorn: "database is locked")."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.suggest import services
from market.suggest.store import SuggestStore
from tests.suggest.test_suggest import SLUDGE, WARPING, _publish_need, _suggest, _texts

pytestmark = pytest.mark.usefixtures("synced")


def _unbuilt(app: Flask) -> None:
    """As a new deployment: postings in the database, no vocabulary yet, no check made."""
    with app.app_context():
        connection = services.store()._db()
        for table in ("entry", "term", "title_key", "built", "generation"):
            connection.execute(f"DELETE FROM {table}")  # nosec B608: constant names
    services._checked.clear()


def test_concurrent_first_requests_build_the_vocabulary_once(
    app: Flask, client: FlaskClient, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish_need(make, make.user("enterprise"), **WARPING)
    _unbuilt(app)
    builds: list[str] = []
    real_rebuild = SuggestStore.rebuild

    def counted(self: SuggestStore, kind: str, entries: Any, *wait: int) -> int:
        builds.append(kind)
        return real_rebuild(self, kind, entries, *wait)

    monkeypatch.setattr(SuggestStore, "rebuild", counted)
    start = threading.Barrier(8)
    statuses: list[int] = []

    def first_request() -> None:
        with app.test_client() as own:
            start.wait()
            statuses.append(own.get("/api/v1/suggest", query_string={"q": "翘"}).status_code)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert builds == ["needs"]
    assert "翘曲" in _texts(_suggest(client, "翘"), "term")


def test_a_store_locked_by_another_process_does_not_fail_requests(
    app: Flask, client: FlaskClient, make: Any
) -> None:
    _publish_need(make, make.user("enterprise"), **SLUDGE)
    _unbuilt(app)
    with app.app_context():
        path = services.store().path
    other = sqlite3.connect(path, timeout=0, isolation_level=None)  # another worker, mid-rebuild
    other.execute("PRAGMA busy_timeout=0")
    other.execute("BEGIN IMMEDIATE")
    try:
        assert _suggest(client, "污") == []  # nothing yet: said as an empty list, not an error
        page = client.get("/needs/", query_string={"q": "污泥 sludge"})
        assert page.status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    services._checked.clear()  # its next check builds it
    assert "污泥" in _texts(_suggest(client, "污"), "term")


def test_a_worker_warms_the_vocabulary_before_its_first_request(app: Flask, make: Any) -> None:
    _publish_need(make, make.user("enterprise"), **WARPING)
    _unbuilt(app)
    with app.app_context():
        assert not services.store().is_built("needs")
        services.warm_up()
        assert all(services.store().is_built(kind) for kind in services.KINDS)
