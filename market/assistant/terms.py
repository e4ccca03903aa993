"""The technical terms experts use for a problem: words shared by the top-matching profiles that the
writer has not used yet, offered to add with one click (the vocabulary gap between a factory owner's
words and a profile's, closed from the profiles' side)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from indexer.analysis import display_terms, tokenize
from indexer.stopwords import informative

MAX_TERMS = 8
# A term must come from at least this many of the top profiles: one profile's pet word is not the field's.
MIN_PROFILES = 2
MAX_TERM_CHARS = 12


def expert_terms(
    profiles: Sequence[str], typed: str, stop: frozenset[str], limit: int = MAX_TERMS
) -> list[str]:
    """Terms found in several of `profiles` (each one profile's text, best match first), absent from
    `typed`, filler removed; the most widely shared first, then the longer (more specific) ones."""
    shared: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for rank, text in enumerate(profiles):
        for term in set(informative(tokenize(text), stop)):
            shared[term] += 1
            first_seen.setdefault(term, rank)
    candidates = [
        term
        for term, count in shared.items()
        if count >= MIN_PROFILES
        and len(term) <= MAX_TERM_CHARS
        and not term.isascii()  # Latin fragments and numbers say little without their context
        and term not in typed
    ]
    candidates.sort(key=lambda t: (-shared[t], first_seen[t], -len(t), t))
    return display_terms(candidates)[:limit]
