"""The suggestion vocabulary on disk: one SQLite file per host, shared by every worker process.

Three kinds of list (`needs`, `providers`, `services`) each hold, for the public postings only:

* `entry`: one row per posting (a service for `services`) with its title and its distinct terms;
  `owner` is the posting the row comes from (the provider of a service), so a provider's rows are
  replaced together when it changes.
* `term`: every distinct term with its document frequency (the number of entries that use it),
  kept up to date by the same transaction that replaces an entry.
* `title_key`: the keys a title is found by: the whole normalised title and each of its terms.

Keys are NFKC-normalised and lower-cased (`indexer.analysis.normalise`), so "ＬＥＤ" and "led" meet.
Lookups are prefix range scans on the primary keys (SQLite compares text bytewise, UTF-8 keeps code
point order, so `key >= p AND key < p + U+10FFFF` is exactly "starts with p"): no table scan, no
LIKE, no process-local copy that could go stale. A write commits in one transaction, so every
worker's next lookup sees it (WAL: readers never wait for the writer).

No Flask here: `market.suggest.services` decides what an entry is and when it changes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from indexer.sqlite_files import ThreadConnections

log = logging.getLogger(__name__)

T = TypeVar("T")
STORE_FILE = "suggest.sqlite"
SCHEMA_VERSION = 3
KINDS = ("needs", "providers", "services")
WAIT_MS = 5000  # how long a write waits for another process's write before giving up
TOP = "\U0010ffff"  # the greatest code point: prefix + TOP bounds every key that starts with prefix

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entry (
        rid INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        owner INTEGER NOT NULL,
        posting_id INTEGER NOT NULL,
        title TEXT NOT NULL,
        terms TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS entry_owner ON entry (kind, owner)",
    """CREATE TABLE IF NOT EXISTS term (
        kind TEXT NOT NULL, key TEXT NOT NULL, df INTEGER NOT NULL,
        head1 TEXT NOT NULL, head2 TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID""",
    # One- and two-character prefixes cover the most terms: their most frequent terms come straight
    # from these indexes instead of sorting the whole range.
    "CREATE INDEX IF NOT EXISTS term_head1 ON term (kind, head1, df DESC, key)",
    "CREATE INDEX IF NOT EXISTS term_head2 ON term (kind, head2, df DESC, key)",
    """CREATE TABLE IF NOT EXISTS title_key (
        kind TEXT NOT NULL, key TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, key, rid)
    ) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS built (kind TEXT PRIMARY KEY)",
    # Bumped by every write of a kind: readers that keep a copy of the terms (the search's spelling
    # vocabulary) know when it is stale without reading the terms again.
    "CREATE TABLE IF NOT EXISTS generation (kind TEXT PRIMARY KEY, n INTEGER NOT NULL)",
)
# The clock, never less than one more than before: a file started again does not repeat a number.
_BUMP = (
    "INSERT INTO generation (kind, n) VALUES (?, ?) "
    "ON CONFLICT (kind) DO UPDATE SET n = max(n + 1, excluded.n)"
)
_CLEAR_KIND = (
    "DELETE FROM entry WHERE kind = ?",
    "DELETE FROM term WHERE kind = ?",
    "DELETE FROM title_key WHERE kind = ?",
    "DELETE FROM built WHERE kind = ?",
)


@dataclass(frozen=True)
class Entry:
    """What one public posting (or service) contributes: its title and its distinct terms."""

    posting_id: int
    title: str
    terms: frozenset[str]
    title_keys: frozenset[str]


@dataclass(frozen=True)
class TermHit:
    key: str
    df: int


@dataclass(frozen=True)
class TitleHit:
    posting_id: int
    owner: int
    title: str


class SuggestStore:
    """A SQLite file of terms and titles; safe across threads and forked processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections = ThreadConnections(path, self._open, "suggestion store")
        self._write_lock = threading.Lock()

    # ---- connection -------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened afresh after a fork or when the file was replaced."""
        return self._connections.get()

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=WAIT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-65536")  # 64 MB: a rebuild writes B-trees in random order
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            # A file of another layout: it only holds derived data, so start it again (rebuilt on use).
            for table in ("entry", "term", "title_key", "built", "generation"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")  # nosec B608: constant names
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        for statement in _SCHEMA:
            connection.execute(statement)
        return connection

    def close(self) -> None:
        self._connections.close()

    # ---- reads ------------------------------------------------------------------------------------

    def is_built(self, kind: str) -> bool:
        return self._db().execute("SELECT 1 FROM built WHERE kind = ?", (kind,)).fetchone() is not None

    def terms(self, kind: str, prefix: str, limit: int) -> list[TermHit]:
        """Terms that start with `prefix`, most frequent first (then shorter, then in key order)."""
        if len(prefix) <= 2:
            column = "head1" if len(prefix) == 1 else "head2"
            rows = self._db().execute(
                f"SELECT key, df FROM term WHERE kind = ? AND {column} = ? AND df > 0 "  # nosec B608
                "ORDER BY df DESC, key LIMIT ?",
                (kind, prefix, limit * 4),
            )
        else:
            rows = self._db().execute(
                "SELECT key, df FROM term WHERE kind = ? AND key >= ? AND key < ? AND df > 0 "
                "ORDER BY df DESC, key LIMIT ?",
                (kind, prefix, prefix + TOP, limit * 4),
            )
        found = [TermHit(key, df) for key, df in rows]
        found.sort(key=lambda t: (-t.df, len(t.key), t.key))
        return found[:limit]

    def titles(self, kind: str, prefix: str, limit: int) -> list[TitleHit]:
        """Titles whose whole text or one of whose words starts with `prefix`, in key order (the walk
        along the index stops after `limit` postings, however many words share a short prefix)."""
        rows = self._db().execute(
            "SELECT e.posting_id, e.owner, e.title FROM title_key t JOIN entry e ON e.rid = t.rid "
            "WHERE t.kind = ? AND t.key >= ? AND t.key < ? LIMIT ?",
            (kind, prefix, prefix + TOP, limit * 8),
        )
        found: dict[int, TitleHit] = {}
        for posting_id, owner, title in rows:
            found.setdefault(posting_id, TitleHit(posting_id, owner, title))
            if len(found) == limit:
                break
        return list(found.values())

    def counts(self, kind: str) -> dict[str, int]:
        """Every term of `kind` with its document frequency (the spelling vocabulary's statistics)."""
        rows = self._db().execute("SELECT key, df FROM term WHERE kind = ? AND df > 0", (kind,))
        return dict(rows.fetchall())

    def generation(self, kind: str) -> int:
        """A number that changes whenever `kind`'s rows are written (0: never written)."""
        row = self._db().execute("SELECT n FROM generation WHERE kind = ?", (kind,)).fetchone()
        return int(row[0]) if row else 0

    def df(self, kind: str, key: str) -> int:
        row = self._db().execute("SELECT df FROM term WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return int(row[0]) if row else 0

    def entry_count(self, kind: str) -> int:
        return int(self._db().execute("SELECT count(*) FROM entry WHERE kind = ?", (kind,)).fetchone()[0])

    # ---- writes -----------------------------------------------------------------------------------

    def replace(self, kind: str, changes: Mapping[int, Sequence[Entry]]) -> None:
        """For each owner, drop its rows and add `entries` (none: the owner is no longer public)."""
        with self._write_lock:
            connection = self._db()
            connection.execute("BEGIN IMMEDIATE")
            try:
                for owner, entries in changes.items():
                    self._drop_owner(connection, kind, owner)
                    for entry in entries:
                        self._add(connection, kind, owner, entry)
                connection.execute(_BUMP, (kind, time.time_ns()))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def rebuild(self, kind: str, entries: Iterable[tuple[int, Entry]], wait_ms: int = WAIT_MS) -> int:
        """Replace every row of `kind` with `entries` (owner, entry); returns how many were written.

        Waits at most `wait_ms` for another process's write (then sqlite3.OperationalError).
        Document frequencies are counted here and written once at the end, not upserted per entry."""
        counts: Counter[str] = Counter()
        with self._write_lock:
            connection = self._db()
            connection.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                connection.execute("BEGIN IMMEDIATE")
            finally:
                connection.execute(f"PRAGMA busy_timeout={WAIT_MS}")
            try:
                for statement in _CLEAR_KIND:
                    connection.execute(statement, (kind,))
                written = 0
                for batch in batches(entries, 500):
                    keys: list[tuple[str, str, int]] = []
                    for owner, entry in batch:
                        rid = self._insert_entry(connection, kind, owner, entry)
                        counts.update(entry.terms)
                        keys.extend((kind, key, rid) for key in entry.title_keys)
                    connection.executemany(
                        "INSERT OR IGNORE INTO title_key (kind, key, rid) VALUES (?, ?, ?)", keys
                    )
                    written += len(batch)
                connection.executemany(
                    "INSERT INTO term (kind, key, df, head1, head2) VALUES (?, ?, ?, ?, ?)",
                    ((kind, key, counts[key], key[:1], key[:2]) for key in sorted(counts)),
                )
                connection.execute("INSERT INTO built (kind) VALUES (?)", (kind,))
                connection.execute(_BUMP, (kind, time.time_ns()))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return written

    @staticmethod
    def _drop_owner(connection: sqlite3.Connection, kind: str, owner: int) -> None:
        rows = connection.execute(
            "SELECT rid, terms FROM entry WHERE kind = ? AND owner = ?", (kind, owner)
        ).fetchall()
        for rid, terms in rows:
            keys = [(kind, key) for key in terms.split("\n") if key]
            connection.executemany("UPDATE term SET df = df - 1 WHERE kind = ? AND key = ?", keys)
            connection.execute("DELETE FROM title_key WHERE kind = ? AND rid = ?", (kind, rid))
            connection.execute("DELETE FROM entry WHERE rid = ?", (rid,))
        if rows:
            connection.execute("DELETE FROM term WHERE kind = ? AND df <= 0", (kind,))

    @staticmethod
    def _insert_entry(connection: sqlite3.Connection, kind: str, owner: int, entry: Entry) -> int:
        cursor = connection.execute(
            "INSERT INTO entry (kind, owner, posting_id, title, terms) VALUES (?, ?, ?, ?, ?)",
            (kind, owner, entry.posting_id, entry.title, "\n".join(sorted(entry.terms))),
        )
        return int(cursor.lastrowid or 0)

    @classmethod
    def _add(cls, connection: sqlite3.Connection, kind: str, owner: int, entry: Entry) -> None:
        terms = sorted(entry.terms)
        rid = cls._insert_entry(connection, kind, owner, entry)
        connection.executemany(
            "INSERT INTO term (kind, key, df, head1, head2) VALUES (?, ?, 1, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET df = df + 1",
            [(kind, key, key[:1], key[:2]) for key in terms],
        )
        connection.executemany(
            "INSERT OR IGNORE INTO title_key (kind, key, rid) VALUES (?, ?, ?)",
            [(kind, key, rid) for key in sorted(entry.title_keys)],
        )


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
