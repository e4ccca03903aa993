"""Dispatch suggestions that spread work: among providers close in relevance, those with room and
fewer recent dispatches come first, each move with its reason. Pure: the benchmark replays it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from market.capacity.load import Load

T = TypeVar("T")
# Two providers whose 匹配度 (0-100) differ by at most this are "close": relevance does not separate
# them, so free capacity and a lighter recent share decide (docs/broker.md).
CLOSE = 5


@dataclass(frozen=True)
class Why:
    """Why a suggestion moved. `moved` > 0: up that many places; < 0: down. `because` is one of
    room, fewer_dispatches, lighter_load (moved up), full, away, paused, more_dispatches,
    heavier_load (moved down); `mine` / `theirs` are the numbers compared."""

    moved: int
    because: str
    passed_rank: int = 0  # the engine rank of the provider it was compared with
    mine: int = 0
    theirs: int = 0


@dataclass(frozen=True)
class Suggestion(Generic[T]):
    item: T
    relevance: int
    engine_rank: int  # 1-based, before spreading
    load: Load
    why: Why | None = None


def _key(s: Suggestion[T]) -> tuple[bool, int, int, int]:
    return (s.load.unavailable, s.load.recent_dispatches, s.load.active + s.load.waiting, s.engine_rank)


def spread(
    items: Sequence[T], relevance: Callable[[T], int], load_of: Callable[[T], Load]
) -> list[Suggestion[T]]:
    """Re-rank `items` (in the engine's order) band by band. A band starts at the first item not yet
    placed and holds the following items within CLOSE of it; inside a band the order is: has room,
    fewer dispatches in the last 30 days, fewer orders in hand, engine rank."""
    plain = [Suggestion(it, relevance(it), i + 1, load_of(it)) for i, it in enumerate(items)]
    result: list[Suggestion[T]] = []
    start = 0
    while start < len(plain):
        end = start + 1
        while end < len(plain) and plain[start].relevance - plain[end].relevance <= CLOSE:
            end += 1
        band = plain[start:end]
        result += _explained(band, sorted(band, key=_key), start)
        start = end
    return result


def _explained(before: list[Suggestion[T]], after: list[Suggestion[T]], offset: int) -> list[Suggestion[T]]:
    out = []
    for place, s in enumerate(after):
        was = s.engine_rank - 1 - offset
        if place == was:
            out.append(s)
            continue
        # Up: compared with the one whose place it took; down: with the one now in its place.
        why = _up(s, before[place], was - place) if place < was else _down(s, after[was], was - place)
        out.append(Suggestion(s.item, s.relevance, s.engine_rank, s.load, why))
    return out


def _up(s: Suggestion[T], other: Suggestion[T], moved: int) -> Why:
    mine, theirs = s.load, other.load
    if theirs.unavailable and not mine.unavailable:
        return Why(moved, "room", other.engine_rank)
    if mine.recent_dispatches < theirs.recent_dispatches:
        return Why(
            moved, "fewer_dispatches", other.engine_rank, mine.recent_dispatches, theirs.recent_dispatches
        )
    return Why(
        moved, "lighter_load", other.engine_rank, mine.active + mine.waiting, theirs.active + theirs.waiting
    )


def _down(s: Suggestion[T], other: Suggestion[T], moved: int) -> Why:
    mine, theirs = s.load, other.load
    if mine.at_capacity:
        return Why(moved, "full", other.engine_rank, mine.active, mine.limit or 0)
    if mine.away:
        return Why(moved, "away", other.engine_rank)
    if mine.paused:
        return Why(moved, "paused", other.engine_rank)
    if mine.recent_dispatches > theirs.recent_dispatches:
        return Why(
            moved, "more_dispatches", other.engine_rank, mine.recent_dispatches, theirs.recent_dispatches
        )
    return Why(
        moved, "heavier_load", other.engine_rank, mine.active + mine.waiting, theirs.active + theirs.waiting
    )


def top_n(
    suggestions: Sequence[Suggestion[T]], n: int, blocked: Callable[[T], bool], include_unavailable: bool
) -> list[T]:
    """The first `n` suggestions to send to: never a blocked one (already engaged on the need, which
    would be refused), and none at capacity, away or paused unless the broker includes them."""
    chosen: list[T] = []
    for s in suggestions:
        if len(chosen) == n:
            break
        if blocked(s.item) or (s.load.unavailable and not include_unavailable):
            continue
        chosen.append(s.item)
    return chosen
