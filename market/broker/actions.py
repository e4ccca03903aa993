"""One-click broker actions from the attention list. Services flush only; the request hook commits.

Each action leaves a FollowUp on the order (who, when, what) — the order's own audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from market import permissions
from market.auth.models import User
from market.db import db
from market.errors import Conflict, NotFound
from market.i18n import gettext as _
from market.orders import notify, parsing, services
from market.orders.models import FollowUp, Order
from market.orders.parties import provider_users
from market.orders.transitions import WAITING

MESSAGE_MAX = 2000


def broker_order(actor: User, order_id: int) -> Order:
    """The order, if the actor is a broker of its province (or an admin); otherwise a 404."""
    order = db.session.get(Order, order_id)
    if order is None or not permissions.is_broker_for(actor, order.province):
        raise NotFound(_("订单不存在或你无权查看。"))
    return order


def remind(actor: User, order_id: int, values: Mapping[str, Any]) -> FollowUp:
    """催办: notify the provider of a waiting order and record a follow-up saying so."""
    order = broker_order(actor, order_id)
    if order.status not in {s.value for s in WAITING}:
        raise Conflict(_("订单已不在待答复状态，无需提醒。"))
    message = parsing.text(values, "message", max_length=MESSAGE_MAX)
    text = f"{actor.name} 提醒您尽快答复订单：{order.title}"
    if message:
        text = f"{text}（{message}）"
    told = provider_users(order.provider)
    for user in told:
        notify.notify_user(user, order, "order_remind", text)
    entry = FollowUp(
        order_id=order.id,
        author_id=actor.id,
        kind="reminder",
        body=f"已提醒服务方答复（通知 {len(told)} 人）" + (f"：{message}" if message else ""),
        next_follow_up_on=parsing.optional_date(values, "next_follow_up_on"),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def add_note(actor: User, order_id: int, values: Mapping[str, Any]) -> FollowUp:
    """跟进记录 written from the workspace, through the order service (which notifies the parties)."""
    order = broker_order(actor, order_id)
    return services.add_follow_up(actor, order, values)
