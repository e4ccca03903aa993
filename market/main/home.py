"""Where each role starts on the home page: its own open items, read through the services that decide
what the user may see (an organisation's needs, the orders it is a party of, a broker's regions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from market import permissions
from market.broker import attention
from market.broker.filters import parse as parse_filters
from market.db import db
from market.moderation import services as moderation
from market.needs import services as needs
from market.needs.models import Need
from market.orders import queries
from market.orders.models import Order
from market.orders.transitions import OPEN, WAITING
from market.providers.models import Provider
from market.providers.services import provider_of

# Rows of the user's open orders and needs the home page lists; the rest are one link away.
ROWS = 5
# A need its owner still has to act on, or is waiting on: drafts, returned, pending review, public.
NEED_STATES = ("draft", "returned", "pending", "approved")


@dataclass
class Start:
    """One user's starting points. Empty for visitors; each role fills its own part."""

    role: str = ""
    need_counts: dict[str, int] = field(default_factory=dict)  # enterprise: own needs by status
    needs: list[Need] = field(default_factory=list)  # enterprise: latest of those
    orders: list[Order] = field(default_factory=list)  # open orders the user is a party of
    open_orders: int = 0
    waiting_for_me: int = 0  # provider: orders waiting for the provider's answer
    profile: Provider | None = None  # provider: the profile they manage
    to_review: int = 0  # staff: postings pending review in their regions
    attention: attention.Attention | None = None  # staff: the workspace's attention list
    days: int = 0  # staff: the attention list's threshold in days


def _count(query: Select[Any]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def _open_orders(user: Any, side: str) -> Select[tuple[Order]]:
    return queries.inbox_query(user, side=side).where(Order.status.in_([s.value for s in OPEN]))


def _enterprise(user: Any, start: Start) -> None:
    mine = needs.organisation_needs_query(user)
    rows = mine.order_by(None).subquery()
    counted = db.session.execute(select(rows.c.status, func.count()).group_by(rows.c.status))
    start.need_counts = {status: int(n) for status, n in counted if status in NEED_STATES}
    start.needs = list(db.session.scalars(mine.where(Need.status.in_(NEED_STATES)).limit(ROWS)))
    orders = _open_orders(user, "enterprise")
    start.orders = list(db.session.scalars(orders.limit(ROWS)))
    start.open_orders = _count(orders)


def _provider(user: Any, start: Start) -> None:
    start.profile = provider_of(user)
    orders = _open_orders(user, "provider")
    start.orders = list(db.session.scalars(orders.limit(ROWS)))
    start.open_orders = _count(orders)
    start.waiting_for_me = _count(orders.where(Order.status.in_([s.value for s in WAITING])))


def _staff(user: Any, start: Start) -> None:
    start.to_review = moderation.review_count(user)
    filters = parse_filters({})
    start.attention = attention.build(user, filters)
    start.days = filters.days


def starting_points(user: Any) -> Start:
    """The home page's part for this user; a visitor gets an empty one (the public page only)."""
    if permissions._user(user) is None:
        return Start()
    start = Start(role=str(user.role))
    if permissions.can_create_need(user):
        _enterprise(user, start)
    elif start.role == "provider":
        _provider(user, start)
    if permissions.can_review(user):
        _staff(user, start)
    return start
