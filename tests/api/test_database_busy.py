"""A database that is locked or out of reach for a moment answers 503 with Retry-After, never 500,
and SQLite under concurrent writes through the app answers every request (issue 19, point 4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from market.auth.models import User
from market.db import db
from tests.api.conftest import token_for


@contextmanager
def failing(
    app: Flask, moment: str, message: str, when: Callable[[str], bool] = lambda _sql: True
) -> Iterator[None]:
    """Every statement (`moment="before_cursor_execute"`) or commit (`"commit"`) of the app's engine
    fails as the driver would, with `message`."""

    with app.app_context():
        engine = db.engine
    driver_error = engine.dialect.loaded_dbapi.OperationalError  # sqlite3's or psycopg's

    def refuse(*args: Any, **_kw: Any) -> None:
        if moment == "commit":  # raised before SQLAlchemy's own wrapping: wrap it as the driver's would be
            raise OperationalError("COMMIT", {}, driver_error(message))
        if when(str(args[2])):
            raise driver_error(message)

    event.listen(engine, moment, refuse)
    try:
        yield
    finally:
        event.remove(engine, moment, refuse)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _name(app: Flask, user_id: int) -> str:
    with app.app_context():
        return str(db.session.get_one(User, user_id).name)


def test_a_locked_database_answers_503_with_retry_after_as_json_and_as_a_page(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    with failing(app, "before_cursor_execute", "database is locked"):
        api = client.get("/api/v1/needs")
        page = client.get("/needs/")
    assert (api.status_code, api.headers["Retry-After"]) == (503, "5")
    assert api.is_json and api.get_json()["retry_after"] == 5
    assert (page.status_code, page.headers["Retry-After"]) == (503, "5")
    assert page.mimetype == "text/html" and "服务繁忙" in page.get_data(as_text=True)


def test_a_commit_that_cannot_get_the_lock_answers_503_and_writes_nothing(
    app: Flask, make, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # The commit runs in the request hook, after the view: Flask wraps what it raises in a 500,
    # which (outside tests) it does not propagate.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    user = make.user("enterprise")
    token = token_for(app, user)
    with failing(app, "commit", "database is locked"):
        response = app.test_client().patch("/api/v1/me", json={"name": "改名未成"}, headers=_bearer(token))
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "5"), response.data[:300]
    assert response.get_json()["status"] == 503
    assert _name(app, user) != "改名未成"


def test_a_mistake_in_a_statement_is_still_a_500(app: Flask) -> None:
    # "no such table" is a deployment or code error, not a busy database: retrying will not help.
    # (PostgreSQL reports such mistakes as ProgrammingError; its OperationalErrors are all transient.)
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect != "sqlite":
        pytest.skip("SQLite's OperationalError covers both kinds")
    with failing(app, "before_cursor_execute", "no such table: needs"):
        response = app.test_client().get("/api/v1/needs")
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_concurrent_writes_through_the_app_all_succeed(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    # 8 threads each write as fast as they can; with SQLite's rollback journal such runs answered
    # "database is locked" (500) under gunicorn. Every answer must be 200, every write kept.
    threads, each = 8, 8
    users = [make.user("enterprise") for _ in range(threads)]
    tokens = [token_for(app, user) for user in users]

    def rename(token: str) -> list[int]:
        client = app.test_client()
        return [
            client.patch("/api/v1/me", json={"name": f"并发用户{n}"}, headers=_bearer(token)).status_code
            for n in range(each)
        ]

    with ThreadPoolExecutor(threads) as pool:
        statuses = [status for result in pool.map(rename, tokens) for status in result]
    assert statuses == [200] * threads * each
    assert {_name(app, user) for user in users} == {f"并发用户{each - 1}"}


def test_sqlite_runs_in_wal_with_a_busy_timeout(app: Flask) -> None:
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        found = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("journal_mode", "busy_timeout")
        ]
    assert found == ["wal", app.config["SQLITE_BUSY_TIMEOUT"] * 1000]
