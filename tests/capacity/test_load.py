"""Load, answer rate and median reply time, computed from real orders and their audit log."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from market.capacity import load as capacity_load
from market.capacity.load import loads
from market.capacity.models import ProviderCapacity
from market.db import commit, db, utcnow
from market.orders import transitions
from market.orders.expiry import expire_overdue
from market.orders.models import AuditLog, Order
from market.orders.vocab import ENGAGED_STATES
from market.providers.models import Provider
from tests.orders.world import World


def _load(world: World, provider_id: int | None = None) -> capacity_load.Load:
    with world.app.app_context():
        provider = db.session.get(Provider, provider_id or world.provider_id)
        return loads([provider])[provider.id]


def _need(world: World, title: str) -> int:
    return world.make.need(world.owner, status="approved", title=title)


def test_state_names_match_the_order_state_machine() -> None:
    waiting = {s.value for s in transitions.WAITING}
    assert set(capacity_load.WAITING_STATES) == waiting
    # In progress = engaged and not yet delivered (delivered and reviewed work is done).
    assert set(capacity_load.ACTIVE_STATES) == ENGAGED_STATES - {"delivered", "reviewed"}
    from market.capacity.conflicts import OPEN_STATES

    assert set(OPEN_STATES) == {s.value for s in transitions.OPEN}


def test_load_counts_work_in_progress_and_waiting_offers(world: World) -> None:
    assert _load(world) == capacity_load.Load(provider_id=world.provider_id)
    world.order("accepted")
    world.order("negotiating", need=_need(world, "需求二：低温电池测试"))
    world.order("ordered", need=_need(world, "需求三：热管理方案"))
    world.order("delivered", need=_need(world, "需求四：电机控制"))  # done: not in progress
    world.order("declined", need=_need(world, "需求五：材料选型"))
    found = _load(world)
    assert (found.active, found.waiting, found.limit, found.at_capacity) == (2, 1, None, False)


def test_limit_and_time_away_mark_a_provider_unavailable(world: World) -> None:
    world.order("accepted")
    world.order("signed", need=_need(world, "需求二：低温电池测试"))
    with world.app.app_context():
        db.session.add(ProviderCapacity(provider_id=world.provider_id, max_concurrent=2))
        today = date.today()
        db.session.add(
            ProviderCapacity(
                provider_id=world.other_provider_id, away_from=today - timedelta(days=1), away_until=today
            )
        )
        commit()
    full = _load(world)
    assert full.at_capacity and full.unavailable and full.free == 0
    away = _load(world, world.other_provider_id)
    assert away.away and away.unavailable and not away.at_capacity and away.away_until == date.today()


def _backdate(world: World, order_id: int, *, offered_hours_ago: float) -> None:
    """Move an order's creation back so the reply took (offered_hours_ago - 0) hours."""
    with world.app.app_context():
        then = utcnow() - timedelta(hours=offered_hours_ago)
        db.session.execute(update(Order).where(Order.id == order_id).values(created_at=then))
        db.session.execute(
            update(AuditLog)
            .where(AuditLog.order_id == order_id, AuditLog.action == "create")
            .values(created_at=then)
        )
        commit()


def test_answer_rate_and_median_reply_time(world: World) -> None:
    replied = [
        world.order("accepted"),
        world.order("declined", need=_need(world, "需求二：低温电池测试")),
        world.order("accepted", need=_need(world, "需求三：热管理方案")),
    ]
    for order_id, hours in zip(replied, (2, 10, 30), strict=True):
        _backdate(world, order_id, offered_hours_ago=hours)
    expired = world.order("ordered", need=_need(world, "需求四：电机控制"))
    with world.app.app_context():
        db.session.execute(
            update(Order).where(Order.id == expired).values(status_changed_at=utcnow() - timedelta(days=30))
        )
        commit()
        assert expire_overdue(days=14) == 1
    world.order("cancelled", need=_need(world, "需求五：材料选型"))  # cancelled while waiting: not counted
    found = _load(world)
    assert (found.answered, found.expired, found.answer_rate) == (3, 1, 75)
    assert found.median_reply_hours is not None and 9.9 <= found.median_reply_hours <= 10.1


def test_recent_dispatches_count_only_dispatches_of_the_last_30_days(world: World) -> None:
    recent = world.order("dispatched", origin="dispatched")
    old = world.order("dispatched", origin="dispatched", need=_need(world, "需求二：低温电池测试"))
    world.order("ordered", need=_need(world, "需求三：热管理方案"))  # an invitation, not a dispatch
    with world.app.app_context():
        db.session.execute(
            update(Order).where(Order.id == old).values(created_at=utcnow() - timedelta(days=45))
        )
        commit()
    assert recent and _load(world).recent_dispatches == 1
