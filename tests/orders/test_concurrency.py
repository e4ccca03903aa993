"""Many people answering one order at once: exactly one transition wins, the audit log stays consistent.

The threaded test needs PostgreSQL (row locks, real concurrent connections); SQLite serialises
every write on its own, so there it runs the same requests one after another, plus a direct check
of the version column.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from typing import Any

import pytest

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from market.errors import Conflict
from market.orders import services, transitions
from market.orders.models import AuditLog, FollowUp, Order
from market.orders.transitions import Party
from tests.orders.world import World

ATTEMPTS = 20
# Who tries what, each having seen version 1 of the order: the provider accepts or declines, the
# enterprise and the broker cancel. (Without `version`, a cancel after an accept would be a new, valid step.)
PLAN = (
    [("provider", "accept", {"version": 1})] * 7
    + [("provider", "decline", {"reason": "忙", "version": 1})] * 7
    + [("owner", "cancel", {"reason": "不需要了", "version": 1})] * 3
    + [("broker_in", "cancel", {"reason": "重复", "version": 1})] * 3
)
OUTCOME = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}


def on_postgres(world: World) -> bool:
    return world.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def fresh_tokens(world: World) -> list[str]:
    """One token per attempt: a shared token would make every request update the same api_tokens row."""
    tokens = []
    with world.app.app_context():
        for role, _action, _values in PLAN:
            secret, _record = auth.create_api_token(db.session.get(User, world.user_id(role)), "race")
            tokens.append(secret)
        db.session.commit()
    return tokens


def fire(world: World, order: int, token: str, action: str, values: dict[str, Any]) -> tuple[int, str]:
    response = world.app.test_client().post(
        f"/api/v1/orders/{order}/actions/{action}", json=values, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, action


def assert_one_winner(world: World, order: int, results: list[tuple[int, str]]) -> None:
    codes = Counter(code for code, _action in results)
    assert codes == Counter({200: 1, 409: ATTEMPTS - 1}), codes
    winner = next(action for code, action in results if code == 200)
    with world.app.app_context():
        found = db.session.get(Order, order)
        assert found.status == OUTCOME[winner] and found.version == 2
        log = db.session.scalars(
            db.select(AuditLog).where(AuditLog.order_id == order).order_by(AuditLog.id)
        ).all()
        assert [(e.action, e.from_status, e.to_status, e.version) for e in log] == [
            ("create", "", "ordered", 1),
            (winner, "ordered", OUTCOME[winner], 2),
        ]
        automatic = db.session.scalars(
            db.select(FollowUp).where(FollowUp.order_id == order, FollowUp.kind == "transition")
        ).all()
        assert len(automatic) == 1


def race(world: World, order: int, plan: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[int, str]]:
    """Fire every planned request from its own thread and test client, all released at once."""
    if not on_postgres(world):
        pytest.skip(
            "needs PostgreSQL: SELECT … FOR UPDATE and truly concurrent connections "
            "(run with TEST_DATABASE_URL=postgresql://…)"
        )
    tokens = fresh_tokens(world)
    start = threading.Barrier(len(plan))
    results: list[tuple[int, str]] = []
    guard = threading.Lock()

    def attempt(index: int) -> None:
        _role, action, values = plan[index]
        start.wait()
        outcome = fire(world, order, tokens[index], action, values)
        with guard:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(plan))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(plan)
    return results


@pytest.mark.postgres_only
def test_twenty_concurrent_answers_one_winner(world: World) -> None:
    order = world.order("ordered")
    assert_one_winner(world, order, race(world, order, PLAN))


@pytest.mark.postgres_only
def test_concurrent_steps_without_version_still_form_one_chain(world: World) -> None:
    """Without `version` a cancel may follow an accept; the audit log must still be one clean chain."""
    order = world.order("ordered")
    plan = [
        (role, action, {k: v for k, v in values.items() if k != "version"}) for role, action, values in PLAN
    ]
    results = race(world, order, plan)
    codes = Counter(code for code, _action in results)
    assert set(codes) <= {200, 409} and 1 <= codes[200] <= 2, codes
    with world.app.app_context():
        found = db.session.get(Order, order)
        log = db.session.scalars(
            db.select(AuditLog).where(AuditLog.order_id == order).order_by(AuditLog.id)
        ).all()
        assert len(log) == codes[200] + 1 and found.version == len(log)
        for before, after in itertools.pairwise(log):
            assert after.from_status == before.to_status and after.version == before.version + 1
        assert log[-1].to_status == found.status


def test_twenty_answers_in_a_row_one_winner(world: World) -> None:
    """The weaker, sequential version that runs everywhere."""
    order = world.order("ordered")
    tokens = fresh_tokens(world)
    order_of_play = list(range(ATTEMPTS))[::-1]  # a cancel comes first this time
    results = [fire(world, order, tokens[i], PLAN[i][1], PLAN[i][2]) for i in order_of_play]
    assert_one_winner(world, order, results)


def test_a_stale_copy_cannot_overwrite_a_newer_status(world: World) -> None:
    """The version column: a write based on an old read fails instead of silently winning."""
    order = world.order("ordered")
    with world.app.app_context():
        stale = db.session.get(Order, order)
        assert stale.version == 1
        world.act(order, "accept", "provider")  # another unit of work moves the order on
        with pytest.raises(Exception) as raised:
            transitions.fire(stale, "decline", None, {Party.PROVIDER}, "晚了一步")
        db.session.rollback()
        assert "StaleData" in type(raised.value).__name__ or isinstance(raised.value, Conflict)
    assert world.status(order) == "accepted"


def test_lock_order_reads_the_latest_row(world: World) -> None:
    order = world.order("ordered")
    with world.app.app_context():
        stale = db.session.get(Order, order)
        world.act(order, "accept", "provider")
        assert stale.status == "ordered"  # still the old copy in this session
        assert services.lock_order(order).status == "accepted"  # the lock re-reads it
        db.session.rollback()
