"""Database base classes and the single place where a unit of work is committed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

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
