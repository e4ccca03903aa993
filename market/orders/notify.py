"""In-app notifications and the email outbox, one of each per person per order event."""

from __future__ import annotations

from market.auth.models import User
from market.db import db
from market.orders.models import EmailOutbox, Notification, Order
from market.orders.parties import everyone_on


def order_link(order: Order) -> str:
    return f"/orders/{order.id}"


def notify_user(user: User, order: Order | None, kind: str, text: str, link: str = "") -> None:
    db.session.add(
        Notification(
            user_id=user.id,
            order_id=order.id if order else None,
            kind=kind,
            text=text,
            link=link or (order_link(order) if order else ""),
        )
    )
    subject = f"【科创对接】{text}"[:200]
    body = f"{user.name}，您好：\n\n{text}\n\n查看详情：{link or (order_link(order) if order else '')}\n"
    db.session.add(EmailOutbox(to=user.email, subject=subject, body=body))


def notify_order(order: Order, actor: User | None, kind: str, text: str) -> int:
    """Tell everyone on the order except the actor; returns how many were told."""
    told = 0
    for user in everyone_on(order):
        if actor is not None and user.id == actor.id:
            continue
        notify_user(user, order, kind, text)
        told += 1
    db.session.flush()
    return told
