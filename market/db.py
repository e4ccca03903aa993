"""Database base classes and the single place where a unit of work is committed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names make Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; PostgreSQL always enforces them,
    # and the embedded default must not accept what the scale-out database would refuse.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


# SQLite's synchronous levels by name, as `PRAGMA synchronous` reads them back.
_SYNCHRONOUS = {"off": 0, "normal": 1, "full": 2}


class SqliteSettingsError(RuntimeError):
    """The SQLite file does not run with the settings the app needs; the app refuses to start."""


def configure_sqlite(app: Flask) -> None:
    """WAL, a busy timeout and the configured `synchronous` on every connection of the app's SQLite
    database, checked once now.

    With the default rollback journal a writer waiting for readers and a reader wanting to write
    deadlock, and SQLite answers one of them "database is locked" at once, whatever the busy
    timeout: under a saturation run every such request was a 500 (issue 19). In WAL readers never
    block the writer nor it them; writers queue for up to SQLITE_BUSY_TIMEOUT seconds, after which
    the request answers 503 with Retry-After (market/errors_web.py). WAL is a property of the file,
    so it is set here once; timeout and synchronous are per connection.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT"]) * 1000
    synchronous = str(app.config["SQLITE_SYNCHRONOUS"]).lower()
    if synchronous not in _SYNCHRONOUS:
        raise SqliteSettingsError(f"SQLITE_SYNCHRONOUS={synchronous!r}: expected one of full, normal")

    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Runs after class-level "connect" listeners (tests/conftest.py's synchronous=OFF), so the
        # configured value wins; the tests' app asks for "off" itself.
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")
        dbapi_connection.execute(f"PRAGMA synchronous={_SYNCHRONOUS[synchronous]}")

    event.listen(engine, "connect", _pragmas)
    if engine.url.database in (None, "", ":memory:"):
        return  # a private in-memory database: no journal to share, nothing to wait for
    try:
        _check_sqlite(engine, busy_ms, _SYNCHRONOUS[synchronous])
    finally:
        engine.dispose()  # gunicorn preloads the app: no connection may be inherited by the workers


def _check_sqlite(engine: Engine, busy_ms: int, synchronous: int) -> None:
    with engine.connect() as connection:
        mode = str(connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()).lower()
        found = (
            mode,
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),
            connection.exec_driver_sql("PRAGMA synchronous").scalar(),
        )
    if found != ("wal", busy_ms, synchronous):
        raise SqliteSettingsError(
            f"SQLite database {engine.url.database}: journal_mode, busy_timeout, synchronous are {found}, "
            f"expected ('wal', {busy_ms}, {synchronous}); a file system without shared memory "
            "(some network mounts) cannot run WAL: keep the database on a local disk"
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_iso(value: datetime | None) -> str | None:
    """A stored moment as ISO 8601 in UTC, the one form the API answers with. Every moment is stored
    in UTC; SQLite hands it back naive, PostgreSQL in the session's zone, so both are normalised here."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


# Work that must follow a successful commit (e.g. updating the search index), given the session's info.
AfterCommit = Callable[[dict[str, Any]], None]
_after_commit: list[AfterCommit] = []


def on_commit(hook: AfterCommit) -> AfterCommit:
    if hook not in _after_commit:
        _after_commit.append(hook)
    return hook


def commit() -> None:
    """Commit the current unit of work, rolling back if it fails.

    Services only add and flush; the request hook in market/__init__.py and the CLI call this,
    so a request either writes all of its changes or none.
    """
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    info = dict(db.session.info)
    db.session.info.clear()
    for hook in _after_commit:
        hook(info)
