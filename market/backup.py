"""Database backup and restore that work the same on SQLite and PostgreSQL.

A backup is one gzip'd JSON-lines file: a header (schema revision, table list), then one line per
row, tables in foreign-key order, all read in one snapshot transaction (see `_snapshot`), so a backup
taken while people work restores cleanly. Restoring needs an empty database at the same schema revision
(`market init-db` makes one) and runs in one transaction: a failed restore leaves nothing behind.
The search index is not backed up; rebuild it with `market reindex` after a restore.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from market.db import db

FORMAT = "kechuang-backup/1"


class BackupError(Exception):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$b" in value:
            return base64.b64decode(value["$b"])
    return value


def schema_revision(connection: Connection | None = None) -> str:
    reader = connection if connection is not None else db.session
    return str(reader.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """One connection and one read transaction for the whole backup, so the file is one moment.

    Read table by table in READ COMMITTED (each statement its own snapshot), a need and its order
    committed between reading `needs` and reading `orders` gave a file holding the order without its
    need: a backup that cannot be restored. PostgreSQL: REPEATABLE READ, READ ONLY (writers are not
    blocked). SQLite: pysqlite starts no transaction before a SELECT, so BEGIN is sent explicitly; the
    read lock it holds makes writers wait (up to their busy timeout) until the backup is done.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as connection, connection.begin():
            yield connection
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def backup(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with _snapshot() as connection, gzip.open(path, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT,
            "revision": schema_revision(connection),
            "tables": [t.name for t in _tables()],
        }
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for table in _tables():
            counts[table.name] = 0
            for row in connection.execute(select(table)).mappings():
                record = {"t": table.name, "r": {key: _encode(value) for key, value in row.items()}}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                counts[table.name] += 1
    return counts


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            for line in source:
                yield json.loads(line)
    except (OSError, EOFError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a readable backup: {error}") from error


def _database_is_empty() -> bool:
    from market.auth.models import User

    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def restore(path: Path) -> dict[str, int]:
    """Load a backup into an empty database; raises BackupError before writing anything on a mismatch."""
    lines = _lines(path)
    header = next(lines, None)
    if not header or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} file")
    if header["revision"] != schema_revision():
        raise BackupError(
            f"backup is at schema revision {header['revision']}, database at {schema_revision()}: "
            "run `market db upgrade` to the same revision first"
        )
    if not _database_is_empty():
        raise BackupError("the database already has users: restore only into a fresh `market init-db`")
    tables = {t.name: t for t in _tables()}
    for table in reversed(_tables()):  # the seeded taxonomy is replaced by the backup's own
        db.session.execute(table.delete())
    counts: dict[str, int] = {}
    batch: dict[str, list[dict[str, Any]]] = {}
    for record in lines:
        name = record["t"]
        batch.setdefault(name, []).append({k: _decode(v) for k, v in record["r"].items()})
        counts[name] = counts.get(name, 0) + 1
        if len(batch[name]) >= 1000:
            _flush(tables, batch)
    _flush(tables, batch)
    _reset_sequences()
    return counts


def _flush(tables: dict[str, Table], batch: dict[str, list[dict[str, Any]]]) -> None:
    # Tables arrive in foreign-key order, so flushing in that order keeps references valid.
    for name in [t for t in tables if t in batch]:
        if batch[name]:
            db.session.execute(insert(tables[name]), batch[name])
            batch[name] = []


def _reset_sequences() -> None:
    """PostgreSQL serial columns must continue after the restored ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.type.python_type is int and len(table.primary_key) == 1
            ):
                db.session.execute(text(_setval_sql(table.name, column.name)))


def _setval_sql(table: str, column: str) -> str:
    # Names come from our own table metadata, never from input.
    return (
        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
        f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"  # nosec B608
    )
