"""Expiring orders nobody answered within ORDER_EXPIRY_DAYS, and the `market orders` CLI group."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from market.db import commit, db, utcnow
from market.messages import build
from market.orders import notify, services, transitions
from market.orders.models import Order
from market.orders.transitions import WAITING, Action, Party


def overdue_ids(now: datetime, days: int) -> list[int]:
    cutoff = now - timedelta(days=days)
    return list(
        db.session.scalars(
            select(Order.id)
            .where(Order.status.in_([s.value for s in WAITING]), Order.status_changed_at < cutoff)
            .order_by(Order.id)
        )
    )


def expire_one(order_id: int, days: int) -> bool:
    """Expire one order if it is still waiting (it may have been answered since it was listed)."""
    order = services.lock_order(order_id)
    if transitions.step_for(order.status, Action.EXPIRE) is None:
        return False
    reason = build("order.expiry_reason", days=days)
    transitions.fire(order, Action.EXPIRE, None, {Party.SYSTEM}, reason)
    notify.notify_order(
        order,
        None,
        "order_expire",
        build("order.expired", title=order.title, order_id=order.id, reason=reason),
    )
    return True


def expire_overdue(now: datetime | None = None, days: int | None = None) -> int:
    """Expire every overdue order, one unit of work each, so one failure does not hold back the rest."""
    days = int(current_app.config["ORDER_EXPIRY_DAYS"]) if days is None else days
    expired = 0
    for order_id in overdue_ids(now or utcnow(), days):
        if expire_one(order_id, days):
            expired += 1
        commit()
    return expired


@click.group("orders")
def orders_group() -> None:
    """Order workflow maintenance (点单/派单)."""


@orders_group.command("expire")
@click.option("--days", type=int, default=None, help="override ORDER_EXPIRY_DAYS")
@with_appcontext
def expire_command(days: int | None) -> None:
    """Expire orders with no answer within ORDER_EXPIRY_DAYS (run daily from cron)."""
    count = expire_overdue(days=days)
    click.echo(f"{count} orders expired")
