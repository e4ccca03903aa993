"""Needs attention (待办提醒): stale approved needs, unanswered orders and overdue follow-ups.

The board shows the first rows of each list with its true count; the full list is a paginated page
(`/broker/list/<kind>`) built from the same query, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from market import scope
from market.broker.filters import Filters
from market.db import db, utcnow
from market.needs.models import Need
from market.orders.models import FollowUp, Order
from market.orders.transitions import OPEN, WAITING
from market.postings import PostingStatus
from market.providers.models import Provider

# Rows of each list shown on the board; the rest are one link away.
BOARD_ROWS = 10
# Follow-ups written by people carry a next date; transition entries never do.
PERSON_KINDS = ("note", "reminder")

STALE_NEEDS, WAITING_ORDERS, OVERDUE_FOLLOW_UPS = "stale-needs", "waiting-orders", "overdue-follow-ups"
KINDS = (STALE_NEEDS, WAITING_ORDERS, OVERDUE_FOLLOW_UPS)


@dataclass
class Section:
    """The first rows of one list and how many there are in all."""

    kind: str
    items: list[Any]
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


@dataclass
class Attention:
    needs: Section
    orders: Section
    follow_ups: Section

    @property
    def total(self) -> int:
        return self.needs.count + self.orders.count + self.follow_ups.count


def _order_filters(query: Any, filters: Filters) -> Any:
    if filters.region:
        query = query.where(Order.province == filters.region)
    if filters.kind:
        query = query.join(Provider, Order.provider_id == Provider.id).where(Provider.kind == filters.kind)
    if filters.field:
        query = query.join(Need, Order.need_id == Need.id).where(*filters.need_clauses())
    return query


def stale_needs(actor: Any, filters: Filters, now: datetime) -> Select:  # type: ignore[type-arg]
    """Approved needs, approved more than `days` ago, that no order has been opened for (oldest first)."""
    cutoff = now - timedelta(days=filters.days)
    has_order = select(Order.id).where(Order.need_id == Need.id).exists()
    query = scope.within(select(Need), Need.province, actor).where(
        Need.status == PostingStatus.APPROVED.value, Need.approved_at < cutoff, ~has_order
    )
    if filters.region:
        query = query.where(Need.province == filters.region)
    if filters.field:
        query = query.where(*filters.need_clauses())
    return query.order_by(Need.approved_at, Need.id)


def waiting_orders(actor: Any, filters: Filters, now: datetime) -> Select:  # type: ignore[type-arg]
    """Orders still waiting for the provider's answer after `days` days (longest waiting first)."""
    cutoff = now - timedelta(days=filters.days)
    query = scope.within(select(Order), Order.province, actor).where(
        Order.status.in_([s.value for s in WAITING]), Order.status_changed_at < cutoff
    )
    query = _order_filters(query, filters).options(joinedload(Order.provider))
    return query.order_by(Order.status_changed_at, Order.id)


def overdue_follow_ups(actor: Any, filters: Filters, today: date) -> Select:  # type: ignore[type-arg]
    """Open orders whose latest note by a person set a next follow-up date that has passed.

    A newer note settles an earlier date, so each order appears once at most.
    """
    latest = (
        select(func.max(FollowUp.id).label("id"))
        .where(FollowUp.kind.in_(PERSON_KINDS))
        .group_by(FollowUp.order_id)
        .subquery()
    )
    query = (
        select(FollowUp)
        .join(latest, latest.c.id == FollowUp.id)
        .join(Order, FollowUp.order_id == Order.id)
        .where(FollowUp.next_follow_up_on < today, Order.status.in_([s.value for s in OPEN]))
    )
    query = _order_filters(scope.within(query, Order.province, actor), filters)
    query = query.options(contains_eager(FollowUp.order))  # the order is joined already
    return query.order_by(FollowUp.next_follow_up_on, FollowUp.id)


def list_query(actor: Any, filters: Filters, kind: str, now: datetime | None = None) -> Select:  # type: ignore[type-arg]
    """The full list of one kind (KINDS), in the order the board shows its first rows."""
    scope.require_broker(actor)
    now = now or utcnow()
    if kind == STALE_NEEDS:
        return stale_needs(actor, filters, now)
    if kind == WAITING_ORDERS:
        return waiting_orders(actor, filters, now)
    return overdue_follow_ups(actor, filters, now.date())


def _section(kind: str, query: Select) -> Section:  # type: ignore[type-arg]
    items = list(db.session.scalars(query.limit(BOARD_ROWS)))
    if len(items) < BOARD_ROWS:
        return Section(kind, items, len(items))
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Section(kind, items, int(count or 0))


def build(actor: Any, filters: Filters, now: datetime | None = None) -> Attention:
    scope.require_broker(actor)
    now = now or utcnow()
    return Attention(
        needs=_section(STALE_NEEDS, stale_needs(actor, filters, now)),
        orders=_section(WAITING_ORDERS, waiting_orders(actor, filters, now)),
        follow_ups=_section(OVERDUE_FOLLOW_UPS, overdue_follow_ups(actor, filters, now.date())),
    )
