"""Suggestions as you type: field names, frequent technical terms and titles of public postings.

The vocabulary is computed once per kind from the public postings (`build`) and kept in
`$INDEX_DIR/suggest.sqlite` (market.suggest.store), next to the search index it mirrors: the
same after-commit hook that updates the index replaces the entries of the postings a commit
touched, so an approved posting is suggested, and a withdrawn, returned, solved or closed one is
gone, from the next request on. Only public postings contribute, and only their public text (the
same text the search index holds; confidential details never).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from indexer import analysis, spelling
from market import taxonomy
from market.db import db, on_commit
from market.matching.documents import need_document, provider_document
from market.matching.indexing import public_rows
from market.matching.reasons import GENERIC_TERMS
from market.matching.sync import KEY as CHANGES_KEY
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Provider, ServiceItem
from market.reference.services import field_choices
from market.suggest.store import KINDS, STORE_FILE, WAIT_MS, Entry, SuggestStore, batches

log = logging.getLogger(__name__)

NEEDS, PROVIDERS, SERVICES = KINDS
MAX_PREFIX = 40  # characters of the typed text that are looked at
DEFAULT_LIMIT = 10
MAX_LIMIT = 20
MAX_FIELDS = 3
# A process compares its vocabulary with the database at most this often (seconds) and rebuilds
# it when the counts differ: a bulk load that skipped the after-commit hook, another host's writes.
CHECK_EVERY = 60.0
BUILD_IN_REQUEST = 5_000
PARALLEL_BATCH = 2_000  # sources read from the database, then computed by the processes, per round
PARALLEL_CHUNK = 100  # sources sent to a process at a time
# A request that finds the store being written by another process does not wait for that build.
IN_REQUEST_WAIT_MS = 100

_SPACES = re.compile(r"\s+")
_stores: dict[str, SuggestStore] = {}
_stores_lock = threading.Lock()
_build_lock = threading.Lock()
_checked: dict[tuple[str, str], float] = {}


@dataclass(frozen=True)
class Suggestion:
    """One line of the list: what to put in the box, what it is, and what it points at."""

    text: str
    type: str  # "field" | "term" | "title"
    field_code: str = ""  # type "field"
    posting_id: int | None = None  # type "title": the need, provider or (services) the service
    provider_id: int | None = None  # type "title" of a service: the provider whose page shows it


# ---- the store ------------------------------------------------------------------------------------


def store() -> SuggestStore:
    path = str(Path(str(current_app.config["INDEX_DIR"])) / STORE_FILE)
    with _stores_lock:
        found = _stores.get(path)
        if found is None:
            found = _stores[path] = SuggestStore(Path(path))
        return found


def forget_stores() -> None:
    """Close this process's connections (tests that point INDEX_DIR elsewhere)."""
    with _stores_lock:
        for opened in _stores.values():
            opened.close()
        _stores.clear()
    _checked.clear()


# ---- what a posting contributes -------------------------------------------------------------------


def terms_of(text: str) -> frozenset[str]:
    """The distinct terms worth suggesting (and known to the search's spelling): the vocabulary's terms
    (`indexer.spelling.terms_of`) without the marketplace's boilerplate (the words every posting uses)."""
    return frozenset(t for t in spelling.terms_of(text) if t not in GENERIC_TERMS)


def normalise(text: str) -> str:
    """NFKC, lower case, one space between words: how keys are stored and prefixes looked up."""
    return _SPACES.sub(" ", analysis.normalise(text)).strip()


def _entry(posting_id: int, title: str, text: str) -> Entry:
    title_terms = terms_of(title)
    keys = {normalise(title), *title_terms}
    return Entry(
        posting_id, title, terms_of(f"{title}\n{text}") | title_terms, frozenset(k for k in keys if k)
    )


# What an entry is computed from, read from the database in the main process: (owner, posting id,
# title, text). Computing the entry (jieba) is the slow part, and needs nothing but these.
Source = tuple[int, int, str, str]


def entry_of(source: Source) -> tuple[int, Entry]:
    owner, posting_id, title, text = source
    return owner, _entry(posting_id, title, text)


def need_source(need: Need) -> Source:
    document = need_document(need)  # the index's text: title, description, public summary
    return need.id, need.id, need.title, document.text


def provider_source(provider: Provider) -> Source:
    document = provider_document(provider)
    passages = "\n".join(p.text for p in document.passages)
    return provider.id, provider.id, provider.name, f"{provider.title}\n{document.text}\n{passages}"


def service_sources(provider: Provider) -> list[Source]:
    return [
        (
            provider.id,
            s.id,
            s.title,
            f"{taxonomy.label(taxonomy.SERVICE_CATEGORIES, s.category)}\n{s.description}",
        )
        for s in provider.services
        if s.active
    ]


def need_entry(need: Need) -> Entry:
    return entry_of(need_source(need))[1]


def provider_entry(provider: Provider) -> Entry:
    return entry_of(provider_source(provider))[1]


def service_entries(provider: Provider) -> list[Entry]:
    return [entry_of(source)[1] for source in service_sources(provider)]


def _sources(kind: str) -> Iterator[Source]:
    if kind == NEEDS:
        yield from map(need_source, public_rows(NEEDS))
    elif kind == PROVIDERS:
        yield from map(provider_source, public_rows(PROVIDERS))
    else:
        for provider in public_rows(PROVIDERS):
            yield from service_sources(provider)


def _all_entries(kind: str) -> Iterator[tuple[int, Entry]]:
    return map(entry_of, _sources(kind))


def _entries_in(pool: ProcessPoolExecutor, kind: str) -> Iterator[tuple[int, Entry]]:
    """`_all_entries`, in the same order, computed by the pool while this process reads the database."""
    for batch in batches(_sources(kind), PARALLEL_BATCH):
        yield from pool.map(entry_of, batch, chunksize=PARALLEL_CHUNK)


def build(kind: str, pool: ProcessPoolExecutor | None = None) -> int:
    """Compute the vocabulary of `kind` from the database's public postings; returns the entries.
    With a `pool` (`indexer.processes.spawned_pool`: the command line's bulk builds) the words are
    computed there."""
    with _build_lock:
        return _build_holding_lock(kind, pool=pool)


def _build_holding_lock(kind: str, wait_ms: int = WAIT_MS, pool: ProcessPoolExecutor | None = None) -> int:
    entries = _entries_in(pool, kind) if pool is not None else _all_entries(kind)
    written = store().rebuild(kind, entries, wait_ms)
    _checked[(str(store().path), kind)] = time.monotonic()
    return written


def public_count(kind: str) -> int:
    if kind == NEEDS:
        query = select(func.count()).select_from(Need).where(Need.status == PostingStatus.APPROVED)
    elif kind == PROVIDERS:
        query = select(func.count()).select_from(Provider).where(Provider.status == PostingStatus.APPROVED)
    else:
        query = (
            select(func.count())
            .select_from(ServiceItem)
            .join(Provider, Provider.id == ServiceItem.provider_id)
            .where(Provider.status == PostingStatus.APPROVED, ServiceItem.active.is_(True))
        )
    return int(db.session.scalar(query) or 0)


def _ready(kind: str) -> SuggestStore:
    """The store with `kind` built, and checked against the database at most every CHECK_EVERY s.

    A build runs inside the request only while the list is small (BUILD_IN_REQUEST postings); a larger
    one is left to `market suggest rebuild` (logged), so no visitor waits minutes for it. One thread of
    a process checks and builds while the others wait for it (50 threads each rebuilding in turn held
    a fresh worker's first requests for 10 s); when another process is writing the store, the request
    goes on with the store as it is (derived data: a minute of stale suggestions, never a 500)."""
    opened = store()
    key = (str(opened.path), kind)
    seen = _checked.get(key)
    if _recent(seen) and opened.is_built(kind):
        return opened
    with _build_lock:
        if _checked.get(key) != seen:  # another thread checked (and built) while this one waited
            return opened
        _checked[key] = time.monotonic()
        built = opened.is_built(kind)
        public = public_count(kind)
        if built and opened.entry_count(kind) == public:
            return opened
        if public > BUILD_IN_REQUEST:
            log.warning("suggestions for %s need `market suggest rebuild` (%d public postings)", kind, public)
            return opened
        log.info("suggestions for %s %s; building them", kind, "out of step" if built else "not built")
        try:
            _build_holding_lock(kind, IN_REQUEST_WAIT_MS)
        except sqlite3.OperationalError as error:  # locked: another process is writing it
            log.info("suggestions for %s not built here: %s", kind, error)
    return opened


def _recent(checked_at: float | None) -> bool:
    return checked_at is not None and time.monotonic() - checked_at <= CHECK_EVERY


def warm_up() -> None:
    """Check (and if needed build) every list's vocabulary before a worker takes requests; a database
    that cannot answer yet (not migrated, unreachable) leaves it to the first request, as before."""
    try:
        for kind in KINDS:
            _ready(kind)
    except (SQLAlchemyError, sqlite3.Error) as error:
        db.session.rollback()
        # Two workers starting together: the other one is writing the store (or the database is
        # not migrated yet). The first request's periodic check does it.
        log.info("warm-up: suggestions left to the first request: %s", error)


def term_counts(kind: str) -> tuple[int, dict[str, int]]:
    """The terms of `kind`'s public postings with their document frequencies, and the store's
    generation of them (it changes with every write): the one source of term statistics, also for
    the search's typo correction and "did you mean" (market.search.vocabulary)."""
    opened = _ready(kind)
    return opened.generation(kind), opened.counts(kind)


def term_generation(kind: str) -> int:
    """The generation `term_counts` would return, without reading the terms."""
    return _ready(kind).generation(kind)


# ---- keeping it fresh -----------------------------------------------------------------------------


def install() -> None:
    on_commit(_after_commit)


def _after_commit(info: dict[str, Any]) -> None:
    changes = info.get(CHANGES_KEY)
    if not changes or not has_app_context() or not current_app.config.get("INDEX_SYNC", True):
        return
    try:
        apply_changes(set(changes["need"]), set(changes["provider"]))
    except Exception:  # the commit stands; the next check against the database rebuilds
        log.exception(
            "suggestion update failed for needs=%s providers=%s", changes["need"], changes["provider"]
        )
        _checked.clear()
    finally:
        db.session.rollback()  # release the read transaction the loads opened


def apply_changes(need_ids: set[int], provider_ids: set[int]) -> None:
    """Replace the entries of these postings: what is public now, nothing for what is not."""
    opened = store()
    if need_ids and opened.is_built(NEEDS):
        found: dict[int, list[Entry]] = {i: [] for i in need_ids}
        for need in public_rows(NEEDS, need_ids):
            found[need.id] = [need_entry(need)]
        opened.replace(NEEDS, found)
    wanted = [kind for kind in (PROVIDERS, SERVICES) if opened.is_built(kind)]
    if provider_ids and wanted:
        profiles: dict[int, list[Entry]] = {i: [] for i in provider_ids}
        menus: dict[int, list[Entry]] = {i: [] for i in provider_ids}
        for provider in public_rows(PROVIDERS, provider_ids):
            profiles[provider.id] = [provider_entry(provider)]
            menus[provider.id] = service_entries(provider)
        if PROVIDERS in wanted:
            opened.replace(PROVIDERS, profiles)
        if SERVICES in wanted:
            opened.replace(SERVICES, menus)


# ---- looking up -----------------------------------------------------------------------------------


def suggest(kind: str, typed: str, lang: str = "zh", limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
    """Field names, then terms that complete the last word typed, then titles, at most `limit`."""
    if kind not in KINDS:
        kind = NEEDS
    limit = max(1, min(limit, MAX_LIMIT))
    query = normalise(typed[: MAX_PREFIX * 4])[:MAX_PREFIX].strip()
    if not query:
        return []
    opened = _ready(kind)
    found: dict[str, Suggestion] = {}

    def add(item: Suggestion) -> None:
        if len(found) < limit and normalise(item.text) not in found:
            found[normalise(item.text)] = item

    for code, zh, en, names in _field_names(field_choices()):
        if any(_names_match(query, name) for name in names):
            add(Suggestion(zh if lang == "zh" else en, "field", field_code=code))
            if sum(s.type == "field" for s in found.values()) >= MAX_FIELDS:
                break
    term_quota = max(3, limit - len(found) - 3)  # leave room for a few titles
    for head, last, joiner in _completions(query):
        for term in opened.terms(kind, last, term_quota):
            add(Suggestion(f"{head}{joiner}{term.key}" if head else term.key, "term"))
        if any(s.type == "term" for s in found.values()):
            break
    titles = opened.titles(kind, query, limit)
    if not titles and " " in query:
        titles = opened.titles(kind, query.rsplit(" ", 1)[1], limit)
    for hit in titles:
        owner = hit.owner if kind == SERVICES else None
        add(Suggestion(hit.title, "title", posting_id=hit.posting_id, provider_id=owner))
    return list(found.values())


@lru_cache(maxsize=4)
def _field_names(fields: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, str, tuple[str, str]]]:
    """The fields with their names normalised once (the cached choices change only on an admin edit)."""
    return [(code, zh, en, (normalise(zh), normalise(en))) for code, zh, en in fields]


def _names_match(query: str, name: str) -> bool:
    """A field name matches a word it starts with, or anywhere once two characters are typed."""
    return any(word.startswith(query) for word in name.split()) or (len(query) > 1 and query in name)


def _completions(query: str) -> Iterator[tuple[str, str, str]]:
    """(text before the word being typed, that word, separator): the last space-separated word;
    for unspaced Chinese, the whole text first, then jieba's last word of it ("注塑件翘" -> "翘")."""
    if " " in query:
        head, last = query.rsplit(" ", 1)
        yield head, last, " "
        return
    yield "", query, ""
    words = analysis.tokenize(query)
    if words and words[-1] != query and query.endswith(words[-1]):
        yield query[: -len(words[-1])], words[-1], ""
