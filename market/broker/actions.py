"""One-click broker actions from the attention list. Services flush only; the request hook commits.

Each action leaves a FollowUp on the order (who, when, what) — the order's own audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from market import scope
from market.auth.models import User
from market.db import db
from market.errors import Conflict, NotFound
from market.i18n import gettext as _
from market.messages import build
from market.orders import notify, services
from market.orders.forms import FollowUpForm, ReminderForm, read, text
from market.orders.models import FollowUp, Order
from market.orders.parties import provider_users
from market.orders.transitions import WAITING


def broker_order(actor: User, order_id: int) -> Order:
    """The order, if the actor is a broker of its province (or an admin): 403 for everybody who is not
    a broker, 404 for an order outside the broker's regions."""
    scope.require_broker(actor)
    order = db.session.get(Order, order_id)
    if order is None or not scope.covers(actor, order.province):
        raise NotFound(_("订单不存在或你无权查看。"))
    return order


def remind(actor: User, order_id: int, values: Mapping[str, Any]) -> FollowUp:
    """催办: notify the provider of a waiting order and record a follow-up saying so."""
    order = broker_order(actor, order_id)
    if order.status not in {s.value for s in WAITING}:
        raise Conflict(_("订单已不在待答复状态，无需提醒。"))
    form = read(ReminderForm, values)
    message = text(form, "message")
    said = {"actor": actor.name, "title": order.title, "order_id": order.id}
    notice = (
        build("order.reminded_with_message", **said, message=message)
        if message
        else build("order.reminded", **said)
    )
    told = provider_users(order.provider)
    for user in told:
        notify.notify_user(user, order, "order_remind", notice)
    note = (
        build("follow_up.reminded_with_message", count=len(told), message=message)
        if message
        else build("follow_up.reminded", count=len(told))
    )
    entry = FollowUp(
        order_id=order.id,
        author_id=actor.id,
        kind="reminder",
        message_key=note.key,
        message_params=note.params,
        next_follow_up_on=form.next_follow_up_on.data,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def add_note(actor: User, order_id: int, values: Mapping[str, Any]) -> FollowUp:
    """跟进记录 written from the workspace, through the order service (which notifies the parties)."""
    order = broker_order(actor, order_id)
    form = read(FollowUpForm, values)
    return services.add_follow_up(
        actor, order, body=text(form, "body"), next_follow_up_on=form.next_follow_up_on.data
    )
