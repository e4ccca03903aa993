"""What the public lists derive from the database, kept per process until a posting changes: the
facet counts and totals of the lists without a query, and with a query the ranked set's rows (which
ranked postings are public, their dates and budgets), its facet counts and the public total.

Counting a list's facets scans the public list once per facet (100,000 providers: 6-7 scans, about
0.4-1 s a request; issue 16), yet the counts only change when a posting does. Each worker process
keeps the counts of the filter sets it has served (`CACHE_SIZE`, least recently used dropped) under
the version stamp of the list's postings; the stamp is one row per list family in `list_versions`,
read in one tiny query per request, so every worker sees a change at its next request.

The stamp is a random token replaced, in the same transaction, whenever a flush touched a posting
that a list shows or counts (a need; a provider, its achievements or services; the taxonomy a facet
groups by): approve, withdraw, close, solve, reopen, edit, delete all go through the ORM and so
through `_note`. The token is written just before the commit (`before_commit`), the last lock the
transaction takes, so no bump ever waits inside another. A token rather than a counter: the tests
empty every table between tests, and a counter starting again at 0 could meet a cached entry of an
earlier test; a missing row means "unknown" and nothing is cached.

A reader reads the stamp before counting: a change committed in between is then counted under the
older stamp, which no reader asks for once the newer one is committed.

Two caches per process: the no-query lists' counts (`CACHE_SIZE` filter sets per kind, a few kB each)
and what the ranked lists derive (`DERIVED_SIZE` entries, up to a few hundred kB each: a ranked set of
1,000 candidates), so a popular query's candidates cannot push out every list's counts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, current_app
from sqlalchemy import CursorResult, String, event, select, update
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from indexer.lru import LruCache
from indexer.shared_cache import SharedCache
from market.db import db
from market.matching.sync import posting_of
from market.reference.models import Field, SubField

NEEDS, PROVIDERS = "needs", "providers"  # the families: services are counted from providers' rows
CACHE_SIZE = 1024  # filter sets per list kind and process; an entry is a few kB
# Ranked sets and their facet counts per process (see the module docstring): room for a ranked set
# and one facet count per long result list the index keeps (EmbeddedIndex long_result_cache_size,
# 128), since a set is keyed by those hits.
DERIVED_SIZE = 256
# Behind each process's caches, one file per host (indexer/shared_cache.py): a ranked set or a list's
# counts one gunicorn worker read is not read again by the other workers. Up to a few hundred kB each.
SHARED_FILE = "list-derived.sqlite"
SHARED_ROWS = 1024
_SHARED = "list_shared_cache"
_KEY = "list_versions_changed"
_EXTENSION = "list_facet_cache"
_DERIVED = "list_derived_cache"
T = TypeVar("T")


class ListVersion(db.Model):
    """The version stamp of one family of public lists (see the module docstring)."""

    __tablename__ = "list_versions"

    family: Mapped[str] = mapped_column(String(20), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


@dataclass(frozen=True)
class ListCounts:
    """A list's total and its facet counts (filter key -> value -> count), for one filter set."""

    total: int
    facets: Mapping[str, Mapping[str, int]]


# ---- the stamp ---------------------------------------------------------------------------------------


def _families(obj: Any) -> tuple[str, ...]:
    posting = posting_of(obj)
    if posting is not None:
        return (NEEDS,) if posting[0] == "need" else (PROVIDERS,)
    if isinstance(obj, Field | SubField):  # a deleted sub-field leaves its postings' facets
        return (NEEDS, PROVIDERS)
    return ()


def _note(session: Session, _context: UOWTransaction) -> None:
    for obj in (*session.new, *session.deleted, *session.dirty):
        families = _families(obj)
        if families and (obj not in session.dirty or session.is_modified(obj)):
            session.info.setdefault(_KEY, set()).update(families)


def _bump(session: Session) -> None:
    session.flush()  # commit flushes after this hook: note what that last flush writes, now
    changed = session.info.pop(_KEY, None)
    for family in sorted(changed or ()):
        token = secrets.token_hex(16)
        statement = update(ListVersion).where(ListVersion.family == family).values(token=token)
        updated = cast("CursorResult[Any]", session.execute(statement))
        if not updated.rowcount:  # an emptied table (tests); nothing was cached without the row
            session.add(ListVersion(family=family, token=token))
            session.flush()


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KEY, None)


def install() -> None:
    """Stamp every commit that changes a posting (create_app calls this once)."""
    for name, hook in (("after_flush", _note), ("before_commit", _bump), ("after_rollback", _forget)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def stamp(family: str) -> str | None:
    """The family's current token; None when its row is missing (then nothing is cached)."""
    return db.session.scalar(select(ListVersion.token).where(ListVersion.family == family))


# ---- the cache -----------------------------------------------------------------------------------------


def _cache(app: Flask, name: str = _EXTENSION, size: int = CACHE_SIZE) -> LruCache[Hashable, Any]:
    # Per app: one per worker process, and two apps in one test process are two "workers". Thread-safe:
    # gthread workers serve requests on several threads.
    return app.extensions.setdefault(name, LruCache(size))  # type: ignore[no-any-return]


def family_of(kind: str) -> str:
    """The stamp family of a list kind: the services list is counted from providers' rows."""
    return NEEDS if kind == NEEDS else PROVIDERS


def counts(kind: str, filters: Mapping[str, str], compute: Callable[[], ListCounts]) -> ListCounts:
    """The counts of list `kind` under `filters`: cached while the family's stamp stays the same,
    else `compute()` and kept."""
    key = (kind, tuple(sorted(filters.items())))
    return _kept(_EXTENSION, CACHE_SIZE, family_of(kind), key, compute, _Plain(_counts_plain, _counts_of))


def _counts_plain(counts: ListCounts) -> tuple:
    return counts.total, {key: dict(values) for key, values in counts.facets.items()}


def _counts_of(plain: tuple) -> ListCounts:
    return ListCounts(*plain)


def remember(family: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, a value derived from the family's public postings (and nothing else the database
    holds), kept under `key` while the family's stamp stays the same."""
    return _kept(_DERIVED, DERIVED_SIZE, family, key, compute)


def _forget_older(name: str, cache: LruCache[Hashable, Any], family: str, token: str) -> None:
    """Drop the family's entries of older stamps the first time a new one is seen: they can never be
    read again, and a ranked set holds the index's hits and through them the segment they came from."""
    seen: dict[str, str] = current_app.extensions.setdefault(f"{name}:stamps", {})
    if seen.get(family) != token:

        def stale(stamped: Any) -> bool:
            return bool(stamped[0] == family and stamped[1] != token)

        cache.discard_where(stale)
        seen[family] = token


@dataclass(frozen=True)
class _Plain:
    """How a kept value travels through the shared file: as built-in values, and back."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


_AS_IS = _Plain(lambda value: value, lambda plain: plain)


def _shared(app: Flask) -> SharedCache:
    """The host's shared file of derived values, beside the index's files (read at call time: tests
    move INDEX_DIR)."""
    path = Path(str(app.config["INDEX_DIR"])) / SHARED_FILE
    files: dict[Path, SharedCache] = app.extensions.setdefault(_SHARED, {})
    found = files.get(path)
    if found is None:
        found = files[path] = SharedCache(path, max_rows=SHARED_ROWS)
    return found


def _kept(
    name: str, size: int, family: str, key: Hashable, compute: Callable[[], T], plain: _Plain = _AS_IS
) -> T:
    token = stamp(family)  # read first: see the module docstring
    if token is None:
        return compute()
    cache = _cache(current_app, name, size)
    _forget_older(name, cache, family, token)
    stamped = (family, token, key)
    found = cache.get(stamped)
    if found is None:
        found = _computed_once_per_host(name, stamped, compute, plain)
        cache.put(stamped, found)
    return cast("T", found)


def _computed_once_per_host(name: str, stamped: tuple, compute: Callable[[], T], plain: _Plain) -> T:
    """What another worker of this host computed under the same stamp, else `compute()`, shared."""
    shared = _shared(current_app)
    stored = shared.get((name, *stamped))
    if stored is not None:
        return cast("T", plain.load(stored))
    found = compute()
    shared.put((name, *stamped), plain.dump(found))
    return found
