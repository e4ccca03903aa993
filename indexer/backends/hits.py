"""The embedded index's hits: made for each search, kept between searches as plain values.

A search page ranks 1,000 candidates and a worker keeps the last 128 such lists (plus 512 short
ones for match pages) so a repeated query costs no ranking. Kept as `Hit` objects, those were ~256,000
objects that every full collection of the cyclic garbage collector walked: 450-650 ms pauses, several
a minute per worker under load at 100,000 providers, each stalling every request of the worker
(docs/search.md). A `PackedHits` keeps a list as one tuple of tuples of strings and numbers, which
the collector stops tracking (CPython untracks tuples of untracked values), and the segments it
reads passages from; each search makes fresh `Hit`s from it (about 1 ms per 1,000). The ranking
makes the packed list itself, so a new search makes its hits once, for the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from indexer.backends.segment import Segment
from indexer.documents import Hit, Passage


class StoredHit(Hit):
    """A hit whose best passage is read from its segment when first asked for.

    A search page ranks 1,000 candidates but shows the passages of twenty: parsing every
    candidate's record for its passages' texts was most of the time spent building the hits at
    100,000 providers (docs/search.md). Everything else is set when the hit is made."""

    passage_segment: Segment | None = None
    passage_row: int = 0
    passage_slot: int = -1
    _passage: Passage | None = None

    @property  # type: ignore[override]
    def best_passage(self) -> Passage | None:
        segment = self.passage_segment
        if segment is not None:
            passages = segment.passages(self.passage_row)
            slot = self.passage_slot
            self._passage = passages[slot] if slot < len(passages) else None
            self.passage_segment = None
        return self._passage

    @best_passage.setter
    def best_passage(self, value: Passage | None) -> None:
        self._passage = value
        self.passage_segment = None


class PackedHits:
    """One ranked list as plain values, as the ranking makes it; `hits()` makes its `Hit`s, each
    time equal ones.

    The hits share their filters, boosts and matched-term lists with the packed list (hits are
    read-only, as they were when the cache kept the hits themselves); each reads its best passage
    from its segment when asked."""

    __slots__ = ("_boosts", "_filters", "_rows", "_segments", "_terms")

    def __init__(
        self,
        rows: tuple[tuple, ...],
        filters: list[dict[str, tuple[str, ...]]],
        boosts: list[dict[str, float]],
        segments: tuple[Segment, ...],
        terms: tuple[list[str], ...],
    ) -> None:
        """A list made by the ranking: per hit, a tuple of strings and numbers (`hits()` reads them
        in its order: id, score, lexical, dense, the number of its matched-term list in `terms`,
        best passage score, document cosine, title, best passage key, and the number of the segment
        in `segments`, the row and the slot its passage is read from, or -1, 0, -1), and its filters
        and boosts. Tuples of strings and numbers, which the collector stops tracking; a tuple
        holding a dict stays tracked, so the dicts are in lists of their own (untracked in a full
        collection, being dicts of strings and numbers). The lists of matched terms: a few dozen per
        ranking."""
        self._rows, self._filters, self._boosts = rows, filters, boosts
        self._segments, self._terms = segments, terms

    @classmethod
    def empty(cls) -> PackedHits:
        return cls((), [], [], (), ())

    def __len__(self) -> int:
        return len(self._rows)

    def plain(self, segments: Sequence[Segment | None]) -> tuple | None:
        """The list as built-in values for another process (indexer/shared_cache.py), its segments
        as positions in `segments` (the view's base and delta: the same at one generation in every
        process); None if it reads passages from a segment not among them."""
        try:
            places = tuple(next(i for i, s in enumerate(segments) if s is seg) for seg in self._segments)
        except StopIteration:
            return None
        return (self._rows, self._filters, self._boosts, places, self._terms)

    @classmethod
    def from_plain(cls, plain: tuple, segments: Sequence[Segment | None]) -> PackedHits:
        """The list `plain()` gave, reading passages from this process's `segments`."""
        rows, filters, boosts, places, terms = plain
        found = tuple(cast(Segment, segments[place]) for place in places)
        return cls(rows, filters, boosts, found, terms)

    def hits(self) -> list[Hit]:
        segments, terms = self._segments, self._terms
        made: list[Hit] = []
        for (
            doc_id,
            score,
            lexical,
            dense,
            term_number,
            passage_score,
            doc_dense,
            title,
            passage_key,
            number,
            row,
            slot,
        ), filters, boosts in zip(self._rows, self._filters, self._boosts, strict=True):
            # Positional, in Hit's field order: a third faster than keywords for 1,000 hits a page.
            hit = StoredHit(
                doc_id,
                score,
                lexical,
                dense,
                terms[term_number],
                None,
                passage_score,
                boosts,
                doc_dense,
                title,
                filters,
                passage_key,
            )
            if number >= 0:
                hit.passage_segment, hit.passage_row, hit.passage_slot = segments[number], row, slot
            made.append(hit)
        return made
