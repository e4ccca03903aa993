"""The terms each public list's index knows, for typo correction and "did you mean" suggestions.

The term statistics are the suggestion vocabulary's (market.suggest: the terms of every public
posting with their document frequencies, analysed by `indexer.spelling.terms_of`, kept fresh by the
after-commit hook and shared by the host's processes); this module only holds a process-local copy
as an `indexer.spelling.Vocabulary` (the edit-distance scan needs the terms in memory), read again
when the store's generation for the list changes. Providers' terms are those of the provider
profiles and of their services, plus the field names.
"""

from __future__ import annotations

import threading
from collections import Counter

from indexer.spelling import Vocabulary, terms_of
from market.reference.services import field_choices
from market.suggest import services as suggest

_cache: dict[tuple[str, ...], tuple[tuple[int, ...], Vocabulary]] = {}
_lock = threading.Lock()


def _sources(kind: str) -> tuple[str, ...]:
    return (suggest.NEEDS,) if kind == "needs" else (suggest.PROVIDERS, suggest.SERVICES)


def vocabulary(kind: str) -> Vocabulary:
    """The known terms of the `kind` index ("needs", or "providers" for providers and services)."""
    sources = _sources(kind)
    key = (str(suggest.store().path), *sources)
    state = tuple(suggest.term_generation(source) for source in sources)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
    counts: Counter[str] = Counter()
    generations = []
    for source in sources:
        generation, found = suggest.term_counts(source)
        generations.append(generation)
        counts.update(found)
    if suggest.PROVIDERS in sources:
        for _code, zh, en in field_choices():
            counts.update(terms_of(f"{zh} {en}"))
    built = Vocabulary(counts=counts)
    with _lock:
        _cache[key] = (tuple(generations), built)
    return built


def forget() -> None:
    with _lock:
        _cache.clear()
