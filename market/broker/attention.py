"""Needs attention (待办提醒): stale approved needs, unanswered orders and overdue follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from market import scope
from market.broker.filters import Filters
from market.db import db, utcnow
from market.needs.models import Need
from market.orders.models import FollowUp, Order
from market.orders.transitions import OPEN, WAITING
from market.postings import PostingStatus
from market.providers.models import Provider

LIST_LIMIT = 50
# Follow-ups written by people carry a next date; transition entries never do.
PERSON_KINDS = ("note", "reminder")


@dataclass
class Attention:
    needs: list[Need]
    orders: list[Order]
    follow_ups: list[FollowUp]

    @property
    def total(self) -> int:
        return len(self.needs) + len(self.orders) + len(self.follow_ups)


def _order_filters(query: Any, filters: Filters) -> Any:
    if filters.region:
        query = query.where(Order.province == filters.region)
    if filters.kind:
        query = query.join(Provider, Order.provider_id == Provider.id).where(Provider.kind == filters.kind)
    if filters.field:
        query = query.join(Need, Order.need_id == Need.id).where(Need.field_code == filters.field)
    return query


def stale_needs(actor: Any, filters: Filters, now: datetime) -> list[Need]:
    """Approved needs, approved more than `days` ago, that no order has been opened for."""
    cutoff = now - timedelta(days=filters.days)
    has_order = select(Order.id).where(Order.need_id == Need.id).exists()
    query = scope.within(select(Need), Need.province, actor).where(
        Need.status == PostingStatus.APPROVED.value, Need.approved_at < cutoff, ~has_order
    )
    if filters.region:
        query = query.where(Need.province == filters.region)
    if filters.field:
        query = query.where(Need.field_code == filters.field)
    return list(db.session.scalars(query.order_by(Need.approved_at, Need.id).limit(LIST_LIMIT)))


def waiting_orders(actor: Any, filters: Filters, now: datetime) -> list[Order]:
    """Orders still waiting for the provider's answer after `days` days."""
    cutoff = now - timedelta(days=filters.days)
    query = scope.within(select(Order), Order.province, actor).where(
        Order.status.in_([s.value for s in WAITING]), Order.status_changed_at < cutoff
    )
    query = _order_filters(query, filters).options(selectinload(Order.provider))
    return list(db.session.scalars(query.order_by(Order.status_changed_at, Order.id).limit(LIST_LIMIT)))


def overdue_follow_ups(actor: Any, filters: Filters, today: date) -> list[FollowUp]:
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
    query = query.options(selectinload(FollowUp.order), selectinload(FollowUp.author))
    return list(db.session.scalars(query.order_by(FollowUp.next_follow_up_on, FollowUp.id).limit(LIST_LIMIT)))


def build(actor: Any, filters: Filters, now: datetime | None = None) -> Attention:
    scope.require_broker(actor)
    now = now or utcnow()
    return Attention(
        needs=stale_needs(actor, filters, now),
        orders=waiting_orders(actor, filters, now),
        follow_ups=overdue_follow_ups(actor, filters, now.date()),
    )
