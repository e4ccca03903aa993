"""Query vectors kept on disk, shared by every process on a host, so pages never wait for the model.

Encoding a need's text as a query takes 80-130 ms of CPU on this machine, while ranking with the
vector takes 2-3 ms: under load, match pages of needs not yet seen by a worker queued behind the
encoder (p99 3.9 s at 50 users). The application encodes a posting's query text when it indexes the
posting (`StoredQueryEncoder.prepare`), and every worker then finds the vector here.

It is a cache, never the source of truth: a missing, locked, deleted or damaged file costs an
encoding, not an error. Keys are the encoder name plus a hash of the text, so an edited posting or a
new model simply misses.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path

import numpy as np

from indexer.encoders import MAX_QUERY_CHARS, Encoder
from indexer.sqlite_files import ThreadConnections

log = logging.getLogger(__name__)

QUERY_STORE_FILE = "queries.sqlite"
DEFAULT_MAX_ROWS = 100_000  # 384 float32 each: about 160 MB at the cap

_SCHEMA = """
CREATE TABLE IF NOT EXISTS query_vectors (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key BLOB NOT NULL UNIQUE,
    vector BLOB NOT NULL
)
"""


def text_key(encoder_name: str, text: str) -> bytes:
    # The encoder reads only the first MAX_QUERY_CHARS characters, so longer texts share a vector.
    return hashlib.sha256(f"{encoder_name}\0{text[:MAX_QUERY_CHARS]}".encode()).digest()


class QueryVectorStore:
    """A SQLite file of float32 vectors by key; safe across threads and forked processes."""

    def __init__(self, path: Path, dim: int, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.path = path
        self.dim = dim
        self.max_rows = max_rows
        self._connections = ThreadConnections(path, self._open, "query vector store")

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened afresh after a fork or when the file was replaced."""
        return self._connections.get()

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=2, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        if not keys:
            return {}
        try:
            marks = ",".join("?" * len(keys))
            rows = self._db().execute(
                f"SELECT key, vector FROM query_vectors WHERE key IN ({marks})",  # nosec B608: only ? marks
                list(keys),
            )
            found = {bytes(key): np.frombuffer(vector, dtype=np.float32) for key, vector in rows}
        except sqlite3.Error as error:
            log.warning("query vector store unreadable, encoding instead: %s", error)
            return {}
        return {key: vector for key, vector in found.items() if vector.shape == (self.dim,)}

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items]
        if not rows:
            return
        try:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO query_vectors (key, vector) VALUES (?, ?)", rows)
                self._evict_oldest(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as error:  # busy or damaged: the vectors are simply encoded again later
            log.warning("query vector store not written: %s", error)

    def _evict_oldest(self, db: sqlite3.Connection) -> None:
        newest = db.execute("SELECT max(seq) FROM query_vectors").fetchone()[0] or 0
        db.execute("DELETE FROM query_vectors WHERE seq <= ?", (newest - self.max_rows,))

    def count(self) -> int:
        try:
            return int(self._db().execute("SELECT count(*) FROM query_vectors").fetchone()[0])
        except sqlite3.Error:
            return 0

    def close(self) -> None:
        self._connections.close()


class StoredQueryEncoder:
    """An encoder whose query vectors come from a `QueryVectorStore` when present; passages and
    everything else go to the wrapped encoder unchanged (same name, same vectors)."""

    def __init__(self, inner: Encoder, store: QueryVectorStore) -> None:
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.dim = inner.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        found, missing = self._look_up(texts)
        found |= self._encode_and_store(missing)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = found[text_key(self.name, text)]
        return out

    def prepare(self, texts: Iterable[str], batch: int = 64) -> int:
        """Encode and store the query vectors of `texts` not stored yet; returns how many were new."""
        added = 0
        remaining = iter(texts)
        while chunk := list(islice(remaining, batch)):
            queries = [text for text in chunk if text.strip()]  # a blank text is never a query
            added += len(self._encode_and_store(self._look_up(queries)[1]))
        return added

    def _look_up(self, texts: Sequence[str]) -> tuple[dict[bytes, np.ndarray], list[str]]:
        """The stored vectors by key, and the distinct texts that have none yet."""
        found = self.store.get_many(list(dict.fromkeys(text_key(self.name, text) for text in texts)))
        missing = [text for text in dict.fromkeys(texts) if text_key(self.name, text) not in found]
        return found, missing

    def _encode_and_store(self, texts: list[str]) -> dict[bytes, np.ndarray]:
        if not texts:
            return {}
        vectors = self.inner.encode_queries(texts)
        fresh = {text_key(self.name, text): vector for text, vector in zip(texts, vectors, strict=True)}
        self.store.put_many(fresh.items())
        return fresh

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)
