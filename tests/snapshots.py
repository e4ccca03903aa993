"""Rows a fixture builds through the real services, built once per worker and then put back by plain
inserts: the order tests' world (seven users, two profiles, a need) takes about 60 statements and ten
commits through the services, 150 ms a test on PostgreSQL, and a few hundred tests start from it.

The first build in a worker goes through the services as before; what it left in the database is read
back and kept, and every later test of the worker inserts those same rows again, ids included, into
the empty tables a wipe leaves (tests/conftest.py). Ids do not collide with what a test adds: a wipe
does not reset PostgreSQL's sequences, and SQLite numbers new rows after the highest id.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import select

from market.db import db
from tests.conftest import _TAXONOMY_TABLES, _wipe_queries

T = TypeVar("T")

# The taxonomy is seeded by the wipe itself; everything else a build writes is part of its snapshot.
_SEEDED = frozenset(_TAXONOMY_TABLES)
# The public lists' version stamps (market/search/list_cache.py), which seeding the taxonomy writes
# too: put back with new random tokens, as the build's commits would write, never an old token a
# worker may have cached other rows under.
_STAMPS = "list_versions"

# (name, database) -> (what the build returned, the rows it left, by table in dependency order)
_KEPT: dict[tuple[str, str], tuple[Any, list[tuple[str, list[dict[str, Any]]]]]] = {}


def built_once(app: Flask, name: str, build: Callable[[], T]) -> T:
    """`build()` on the first call per worker and database; afterwards its rows, inserted again.

    The database must be as a wipe leaves it (only the taxonomy), both when it builds and when it
    restores: that is checked, so a fixture used after other rows were written fails loudly."""
    with app.app_context():
        key = (name, db.engine.url.render_as_string(hide_password=False))
        _check_empty(name)
    if key in _KEPT:
        value, rows = _KEPT[key]
        _insert(app, rows)
        return value  # type: ignore[no-any-return]
    value = build()
    _KEPT[key] = (value, _read(app))
    return value


def _tables() -> list[Any]:
    return [t for t in db.metadata.sorted_tables if t.name not in _SEEDED]


def _check_empty(name: str) -> None:
    filled = set(db.session.scalars(_wipe_queries()[0])) - _SEEDED - {_STAMPS}
    assert not filled, f"{name}: built or restored over rows already in {sorted(filled)}"


def _read(app: Flask) -> list[tuple[str, list[dict[str, Any]]]]:
    with app.app_context():
        return [
            (t.name, [dict(row) for row in db.session.execute(select(t).order_by(*t.primary_key)).mappings()])
            for t in _tables()
        ]


def _insert(app: Flask, rows: list[tuple[str, list[dict[str, Any]]]]) -> None:
    with app.app_context():
        for name, table_rows in rows:
            table = db.metadata.tables[name]
            if name == _STAMPS:
                db.session.execute(table.delete())
                table_rows = [{**row, "token": secrets.token_hex(16)} for row in table_rows]
            if table_rows:
                db.session.execute(table.insert(), table_rows)
        db.session.commit()
