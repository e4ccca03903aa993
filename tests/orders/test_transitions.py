"""The transition table itself: shape, parties, reasons, and that nothing else writes Order.status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from market.orders import transitions as t
from market.orders.transitions import TABLE, Action, Party, State

E, P, B, S = Party.ENTERPRISE, Party.PROVIDER, Party.BROKER, Party.SYSTEM

EXPECTED = {
    ("ordered", "accept"): ("accepted", {P}),
    ("dispatched", "accept"): ("accepted", {P}),
    ("ordered", "decline"): ("declined", {P}),
    ("dispatched", "decline"): ("declined", {P}),
    ("ordered", "cancel"): ("cancelled", {E, B}),
    ("dispatched", "cancel"): ("cancelled", {E, B}),
    ("ordered", "expire"): ("expired", {S}),
    ("dispatched", "expire"): ("expired", {S}),
    ("accepted", "negotiate"): ("negotiating", {E, P, B}),
    ("accepted", "cancel"): ("cancelled", {E, P, B}),
    ("negotiating", "sign"): ("signed", {E, B}),
    ("negotiating", "cancel"): ("cancelled", {E, P, B}),
    ("signed", "deliver"): ("delivered", {E, P, B}),
    ("delivered", "review"): ("reviewed", {E}),
}


def test_table_is_exactly_the_documented_one() -> None:
    found = {(s.value, a.value): (step.to.value, set(step.parties)) for (s, a), step in TABLE.items()}
    assert found == EXPECTED


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_pair_is_either_a_step_or_refused(state: State, action: Action) -> None:
    step = t.step_for(state.value, action.value)
    assert (step is None) == ((state.value, action.value) not in EXPECTED)


def test_final_states_have_no_way_out() -> None:
    assert {s.value for s in t.FINAL} == {"reviewed", "declined", "cancelled", "expired"}
    for state in t.FINAL:
        assert not [a for a in Action if t.step_for(state.value, a.value)]


def test_every_state_is_reachable_from_a_start() -> None:
    reached = {s.value for s in t.INITIAL.values()}
    frontier = set(reached)
    while frontier:
        frontier = {step.to.value for (s, _a), step in TABLE.items() if s.value in frontier} - reached
        reached |= frontier
    assert reached == {s.value for s in State}


def test_allowed_actions_by_party() -> None:
    assert t.allowed_actions("ordered", {P}) == [Action.ACCEPT, Action.DECLINE]
    assert t.allowed_actions("ordered", {E}) == [Action.CANCEL]
    assert t.allowed_actions("negotiating", {P}) == [Action.CANCEL]
    assert t.allowed_actions("negotiating", {B}) == [Action.SIGN, Action.CANCEL]
    assert t.allowed_actions("ordered", {S}) == []  # expiry is the job's, never a button
    assert t.allowed_actions("reviewed", {E, P, B}) == []


def test_decline_and_cancel_require_a_reason() -> None:
    assert {Action.DECLINE, Action.CANCEL} == t.REASON_REQUIRED


def test_unknown_state_or_action_is_no_step() -> None:
    assert t.step_for("ordered", "fly") is None
    assert t.step_for("limbo", "accept") is None


def test_initial_states_by_origin() -> None:
    assert t.initial_status("ordered") == "ordered"
    assert t.initial_status("proposal") == "ordered"
    assert t.initial_status("dispatched") == "dispatched"


def test_only_the_transitions_module_assigns_order_status() -> None:
    root = Path(__file__).resolve().parents[2] / "market"
    assignment = re.compile(r"\border\.status\s*=(?!=)")
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if assignment.search(p.read_text(encoding="utf-8")) and p.name != "transitions.py"
    ]
    assert offenders == []
