"""The mutable state of an embedded index: a small SQLite file beside the base segment.

It holds the metadata (encoder, current base segment, generation counter), the delta of documents
upserted since the base was written, and tombstones for base documents deleted since. Every write
bumps `generation` in the same transaction, so a searcher in any process notices a change with one
cheap SELECT and reloads the delta. Writers serialise on an exclusive `flock` (`WriterLock`), which
also covers the multi-step compaction and rebuild swaps.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STATE_FILE = "state.sqlite"
LOCK_FILE = "write.lock"
STORE_FORMAT = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS delta (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    terms TEXT NOT NULL,
    doc_len REAL NOT NULL,
    vectors BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tombstones (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
"""


@dataclass
class DeltaRow:
    id: str
    seq: int
    document: dict  # record plus "text", enough to re-encode the document
    terms: dict[str, int]
    doc_len: float
    vectors: np.ndarray  # float32 (1 + passages, dim)


@dataclass
class Snapshot:
    """A consistent view of the state at one generation."""

    generation: int
    encoder: str
    dim: int
    base: str
    delta: list[DeltaRow]
    tombstones: set[str]


class WriterLock:
    """Exclusive across processes (flock) and across threads of this process (flock alone is per
    open file, so two threads sharing the descriptor would not exclude each other)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = None


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._path = directory / STATE_FILE
        self._local = threading.local()
        self.lock = WriterLock(directory / LOCK_FILE)
        with self.lock.held():
            # executescript commits on its own, so the schema goes outside the transaction below.
            self._db.executescript(_SCHEMA)
            self._inode = os.stat(self._path).st_ino
            with self._connection() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (STORE_FORMAT,))
                db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
                db.execute("INSERT OR IGNORE INTO meta VALUES ('base', '')")
                # Which index this is, for caches outside the file (shared_cache.py): a store made
                # again in the same folder starts its generations at 0 again.
                db.execute("INSERT OR IGNORE INTO meta VALUES ('instance', ?)", (secrets.token_hex(8),))

    @property
    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self._path, timeout=60, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; BEGIN IMMEDIATE takes SQLite's write lock up front."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # reading

    def present(self) -> bool:
        """False once the state file was deleted or replaced by another one: an open connection
        would go on reading the unlinked file, and every write would vanish with it."""
        try:
            return os.stat(self._path).st_ino == self._inode
        except FileNotFoundError:
            return False

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def snapshot(self) -> Snapshot:
        db = self._db
        db.execute("BEGIN")  # one read transaction: meta, delta and tombstones of the same generation
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            rows = db.execute(
                "SELECT id, seq, document, terms, doc_len, vectors FROM delta ORDER BY id"
            ).fetchall()
            tombstones = {row[0] for row in db.execute("SELECT id FROM tombstones")}
        finally:
            db.execute("COMMIT")
        dim = int(meta.get("dim", "0"))
        delta = [
            DeltaRow(
                id=row[0],
                seq=int(row[1]),
                document=json.loads(row[2]),
                terms=json.loads(row[3]),
                doc_len=float(row[4]),
                vectors=np.frombuffer(row[5], dtype=np.float32).reshape(-1, dim),
            )
            for row in rows
        ]
        return Snapshot(
            int(meta["generation"]), meta.get("encoder", ""), dim, meta["base"], delta, tombstones
        )

    def delta_size(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM delta").fetchone()[0])

    # writing (callers hold self.lock)

    def set_encoder(self, name: str, dim: int) -> None:
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('encoder', ?)", (name,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('dim', ?)", (str(dim),))
            _bump(db)

    def set_value(self, key: str, value: str) -> None:
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def write_delta(self, rows: Iterable[DeltaRow]) -> None:
        with self._connection() as db:
            seq = _bump(db)
            for row in rows:
                db.execute(
                    "INSERT OR REPLACE INTO delta VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        row.id,
                        seq,
                        json.dumps(row.document, ensure_ascii=False),
                        json.dumps(row.terms, ensure_ascii=False),
                        row.doc_len,
                        np.ascontiguousarray(row.vectors, dtype=np.float32).tobytes(),
                    ),
                )
                db.execute("DELETE FROM tombstones WHERE id = ?", (row.id,))

    def delete(self, ids: Iterable[str]) -> None:
        with self._connection() as db:
            seq = _bump(db)
            for doc_id in ids:
                db.execute("DELETE FROM delta WHERE id = ?", (doc_id,))
                db.execute("INSERT OR REPLACE INTO tombstones VALUES (?, ?)", (doc_id, seq))

    def swap_base(
        self, base: str, up_to_seq: int, encoder: str | None = None, dim: int | None = None
    ) -> None:
        """Point at a new base holding every change up to `up_to_seq`; later ones stay in the delta."""
        with self._connection() as db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'base'", (base,))
            db.execute("DELETE FROM delta WHERE seq <= ?", (up_to_seq,))
            db.execute("DELETE FROM tombstones WHERE seq <= ?", (up_to_seq,))
            if encoder is not None and dim is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('encoder', ?)", (encoder,))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('dim', ?)", (str(dim),))
            _bump(db)


def _bump(db: sqlite3.Connection) -> int:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
    return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
