"""Hand-made broker data: orders in any state in either region, with back-dated timestamps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from market.db import db, utcnow
from market.needs.models import Need
from market.orders.models import AuditLog, Deal, Order
from tests.factories import APPROVED
from tests.orders.world import PATHS, World


def need(world: World, *, province: str = "32", field_code: str = "ev", approved_days_ago: int = 30) -> int:
    """An approved need of the world's owner (the province may be outside the owner's own)."""
    need_id = world.make.need(world.owner, status=APPROVED, province=province, field_code=field_code)
    when = utcnow() - timedelta(days=approved_days_ago)
    world.run(lambda: db.session.execute(update(Need).where(Need.id == need_id).values(approved_at=when)))
    return need_id


def order(world: World, need_id: int, state: str, *, deal: dict[str, Any] | None = None) -> int:
    """An order on `need_id` taken to `state`; a broker of the need's province dispatches if asked."""
    order_id = world.order("ordered", need=need_id)
    for action, role, values in PATHS[state]:
        world.act(order_id, action, role, {**values, **(deal or {})} if action == "sign" else values)
    return order_id


def deal(value: str, contract_type: str = "develop", signed_on: date | None = None) -> dict[str, Any]:
    return {
        "contract_type": contract_type,
        "value_wan": value,
        "signed_on": (signed_on or date.today()).isoformat(),
    }


def backdate_order(world: World, order_id: int, days: int) -> None:
    when = utcnow() - timedelta(days=days)
    world.run(
        lambda: db.session.execute(
            update(Order).where(Order.id == order_id).values(status_changed_at=when, created_at=when)
        )
    )


def set_times(world: World, order_id: int, created: datetime, audit: dict[str, datetime]) -> None:
    """Put an order's creation and its audit entries (by target state) at given moments."""

    def work() -> None:
        db.session.execute(update(Order).where(Order.id == order_id).values(created_at=created))
        for state, moment in audit.items():
            db.session.execute(
                update(AuditLog)
                .where(AuditLog.order_id == order_id, AuditLog.to_status == state)
                .values(created_at=moment)
            )

    world.run(work)


def deal_value(world: World, order_id: int) -> Decimal:
    with world.app.app_context():
        from sqlalchemy import select

        return db.session.scalar(select(Deal.value_wan).where(Deal.order_id == order_id))
