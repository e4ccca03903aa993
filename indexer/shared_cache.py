"""Derived values shared by the processes of one host: a SQLite file of plain values by key.

gunicorn runs several worker processes and sends each request to whichever is free, so a query one
worker ranked is new to the other: page 2 of a search, or the next visitor's same query, landed there
half the time and cost the whole ranking again (about 30 ms at 100,000 providers, plus the database
reads behind a search page; docs/search.md). Each process keeps its own small cache in front
(`indexer.lru.LruCache`); behind it, this file lets a process take what another one computed.

It is a cache, never the source of truth: a missing, locked or damaged file, or a value that does not
load, is a miss, never an error. Keys are hashed `repr`s of plain keys (strings, numbers, tuples), so
the caller puts whatever makes the value valid into the key (an index's generation, a list's version
stamp). Values are pickled and loaded back by an unpickler that only makes built-in containers,
numbers, strings and dates: the file cannot make a process construct anything else. The oldest rows
go first once `max_rows` are kept, and rows older than `ttl_s` go too (a new generation or stamp leaves
the rows of the old one unreachable); every 32nd put evicts, so a put is one short INSERT. A put that
finds another process writing is skipped rather than waited for.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import pickle  # nosec B403
import sqlite3
import threading
import time
import zlib
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from indexer.sqlite_files import ThreadConnections

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS shared_values (
    key BLOB PRIMARY KEY,
    stored REAL NOT NULL,
    value BLOB NOT NULL
)
"""
_EVICT_EVERY = 32  # puts between two evictions: each put stays one short INSERT
_FORMAT = b"shared-cache 1\0"  # part of every key: a new value layout never reads an old one
_ALLOWED = {
    ("datetime", "date"): datetime.date,
    ("datetime", "datetime"): datetime.datetime,
    ("datetime", "timezone"): datetime.timezone,
    ("datetime", "timedelta"): datetime.timedelta,
}


class _PlainUnpickler(pickle.Unpickler):
    """Loads built-in containers, numbers, strings and dates; any other class is refused."""

    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")
        return allowed


def _loads(blob: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(zlib.decompress(blob))).load()


class _PlainPickler(pickle.Pickler):
    """Writes a date-time of a named zone (zoneinfo, as PostgreSQL's driver gives them) as the same
    instant in UTC: a zone would need a loader beyond the plain values."""

    def reducer_override(self, obj: Any) -> Any:
        if (
            isinstance(obj, datetime.datetime)
            and obj.tzinfo is not None
            and not isinstance(obj.tzinfo, datetime.timezone)
        ):
            return obj.astimezone(datetime.UTC).__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return NotImplemented


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    _PlainPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return zlib.compress(out.getvalue(), 1)


def _busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)  # primary code


def shared_key(key: Hashable) -> bytes:
    return hashlib.sha256(_FORMAT + repr(key).encode()).digest()


class SharedCache:
    """`get`/`put` plain values by key in the SQLite file `path`, safe across threads and processes."""

    def __init__(self, path: Path, max_rows: int = 512, ttl_s: float = 3600.0) -> None:
        self.path = path
        self.max_rows = max_rows
        self.ttl_s = ttl_s
        # One connection per process, used under a lock (statements of well under a millisecond;
        # loading and pickling happen outside it): a connection per gunicorn thread would cost two
        # file descriptors per thread and file (64 threads: ~130 per file and worker).
        self._connections = ThreadConnections(path, self._open, "shared cache", per_thread=False)
        self._lock = threading.Lock()
        self._warned = False  # a read-only or broken file: said once per process, then only missed
        self._puts = 0

    def _warn(self, what: str, error: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("shared cache %s %s: %s", self.path, what, error)

    def _open(self) -> sqlite3.Connection:
        # No waiting for a lock: SQLite's busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries, so a
        # put that met another worker's put made its page up to that much slower (50 users at 100,000
        # providers: new pages' p50 213-247 -> 355-391 ms with a 0.5 s timeout). A busy file skips the
        # put (the value is computed again where needed); reads in WAL mode take no lock.
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # derived values: a lost write is a miss
            connection.execute(_SCHEMA)
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def get(self, key: Hashable) -> Any | None:
        """The value stored under `key`, or None (never stored, evicted, or unreadable)."""
        hashed = shared_key(key)
        try:
            with self._lock:
                db = self._connections.get()
                row = db.execute("SELECT value FROM shared_values WHERE key = ?", (hashed,)).fetchone()
        except (sqlite3.Error, OSError) as error:
            self._warn("unreadable", error)
            return None
        if row is None:
            return None
        try:
            return _loads(row[0])
        except Exception as error:  # a damaged or foreign value is a miss
            self._warn("holds a value that does not load", error)
            return None

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` (plain: see the module docstring) under `key`; a busy file skips it."""
        blob, hashed, now = _dumps(value), shared_key(key), time.time()
        try:
            with self._lock:
                self._insert(hashed, now, blob)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                self._warn("not written", error)
        except (sqlite3.Error, OSError) as error:  # damaged or unwritable: the value is computed again
            self._warn("not written", error)

    def _insert(self, key: bytes, now: float, blob: bytes) -> None:
        db = self._connections.get()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR REPLACE INTO shared_values VALUES (?, ?, ?)", (key, now, blob))
            self._puts += 1
            if self._puts % _EVICT_EVERY == 1:  # the first put of a process, then every 32nd
                self._evict(db, now)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _evict(self, db: sqlite3.Connection, now: float) -> None:
        """Drop rows past their time, then the oldest beyond `max_rows` (up to 32 puts over it)."""
        db.execute("DELETE FROM shared_values WHERE stored < ?", (now - self.ttl_s,))
        db.execute(
            "DELETE FROM shared_values WHERE key IN (SELECT key FROM shared_values"
            " ORDER BY stored DESC LIMIT -1 OFFSET ?)",
            (self.max_rows,),
        )

    def close(self) -> None:
        with self._lock:
            self._connections.close()
