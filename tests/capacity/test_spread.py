"""The spreading re-rank and "top N" on plain loads (the same functions the page and benchmark use)."""

from __future__ import annotations

from market.capacity.load import Load
from market.capacity.spread import CLOSE, spread, top_n


def _ranked(*rows: tuple[str, int, Load]) -> list[str]:
    loads = {name: load for name, _, load in rows}
    relevance = {name: degree for name, degree, _ in rows}
    return [s.item for s in spread([r[0] for r in rows], relevance.__getitem__, loads.__getitem__)]


def test_close_providers_are_ordered_by_room_then_recent_dispatches() -> None:
    busy = Load(1, recent_dispatches=4)
    full = Load(2, active=2, limit=2)
    fresh = Load(3)
    order = _ranked(("busy", 80, busy), ("full", 79, full), ("fresh", 80 - CLOSE, fresh))
    assert order == ["fresh", "busy", "full"]


def test_relevance_still_rules_beyond_the_band() -> None:
    order = _ranked(("best", 90, Load(1, recent_dispatches=9)), ("far", 90 - CLOSE - 1, Load(2)))
    assert order == ["best", "far"]


def test_each_move_says_why() -> None:
    result = spread(
        ["a", "b"],
        {"a": 70, "b": 68}.__getitem__,
        {"a": Load(1, recent_dispatches=3), "b": Load(2)}.__getitem__,
    )
    up, down = result
    assert (up.item, up.why.moved, up.why.because, up.why.mine, up.why.theirs) == (
        "b",
        1,
        "fewer_dispatches",
        0,
        3,
    )
    assert (down.item, down.why.moved, down.why.because) == ("a", -1, "more_dispatches")


def test_top_n_skips_unavailable_unless_included_and_never_sends_twice() -> None:
    loads = {
        "full": Load(1, active=1, limit=1),
        "away": Load(2, away=True),
        "ok": Load(3),
        "engaged": Load(4),
    }
    ranked = spread(["full", "away", "engaged", "ok"], lambda _: 50, loads.__getitem__)
    blocked = {"engaged"}.__contains__
    assert top_n(ranked, 2, blocked, include_unavailable=False) == ["ok"]
    assert set(top_n(ranked, 3, blocked, include_unavailable=True)) == {"ok", "full", "away"}
