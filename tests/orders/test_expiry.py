"""`market orders expire`: waiting orders with no answer within ORDER_EXPIRY_DAYS expire."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from market import messages
from market.db import db, utcnow
from market.orders.models import AuditLog, Notification, Order
from tests.orders.world import World


def age(world: World, order_id: int, days: int) -> None:
    with world.app.app_context():
        db.session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(status_changed_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()


def expire(world: World, *args: str) -> str:
    result = world.app.test_cli_runner().invoke(args=["orders", "expire", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_expires_only_overdue_waiting_orders(world: World) -> None:
    old = world.order("ordered")
    age(world, old, 15)
    other_need = world.make.need(world.owner, status="approved", title="另一个需求")
    fresh = world.order("ordered", need=other_need)
    third_need = world.make.need(world.owner, status="approved", title="第三个需求")
    answered = world.order("accepted", need=third_need)
    age(world, answered, 30)
    assert "1 orders expired" in expire(world)
    assert (world.status(old), world.status(fresh), world.status(answered)) == (
        "expired",
        "ordered",
        "accepted",
    )
    with world.app.app_context():
        entry = db.session.scalar(
            db.select(AuditLog).where(AuditLog.order_id == old, AuditLog.action == "expire")
        )
        reason = messages.render(entry.reason_key, entry.reason_params, "zh")
        assert entry.actor_id is None and entry.party == "system" and "超过 14 天未答复" in reason
        told = db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "order_expire")
        ).all()
        assert set(told) == {world.owner, world.provider}


def test_dispatched_orders_expire_too_and_days_follow_config(world: World) -> None:
    order = world.order("dispatched", origin="dispatched")
    age(world, order, 5)
    assert "0 orders expired" in expire(world)
    world.app.config["ORDER_EXPIRY_DAYS"] = 3
    try:
        assert "1 orders expired" in expire(world)
    finally:
        world.app.config["ORDER_EXPIRY_DAYS"] = 14
    assert world.status(order) == "expired"


def test_days_option_and_running_twice_is_harmless(world: World) -> None:
    order = world.order("ordered")
    age(world, order, 2)
    assert "1 orders expired" in expire(world, "--days", "1")
    assert "0 orders expired" in expire(world, "--days", "1")
    page = world.client("provider").post(f"/orders/{order}/act/accept", follow_redirects=True)
    assert "不能执行" in page.get_data(as_text=True) and world.status(order) == "expired"
