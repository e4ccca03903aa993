"""Pipeline board (工作台看板): needs and orders in the actor's regions, by state, with counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from market import scope
from market.broker.filters import Filters
from market.db import db
from market.needs.models import Need
from market.orders.models import Order
from market.orders.vocab import ORDER_STATES
from market.postings import PostingStatus
from market.providers.models import Provider

# Drafts and withdrawn needs are their owners' business; brokers follow the rest.
NEED_STATES: tuple[str, ...] = (
    PostingStatus.PENDING.value,
    PostingStatus.APPROVED.value,
    PostingStatus.RETURNED.value,
    PostingStatus.SOLVED.value,
    PostingStatus.CLOSED.value,
)
ORDER_STATE_CODES: tuple[str, ...] = tuple(t.code for t in ORDER_STATES)
CARDS_PER_COLUMN = 10


@dataclass
class Column:
    state: str
    count: int = 0
    items: list[Any] = field(default_factory=list)


@dataclass
class Board:
    needs: list[Column]
    orders: list[Column]

    @property
    def need_total(self) -> int:
        return sum(c.count for c in self.needs)

    @property
    def order_total(self) -> int:
        return sum(c.count for c in self.orders)


def need_query(actor: Any, filters: Filters, *columns: Any) -> Select:  # type: ignore[type-arg]
    """Needs in scope and matching the filters (the provider kind does not apply to needs)."""
    query = scope.within(select(*columns).select_from(Need), Need.province, actor)
    query = query.where(Need.status.in_(NEED_STATES))
    if filters.field:
        query = query.where(Need.field_code == filters.field)
    if filters.region:
        query = query.where(Need.province == filters.region)
    since = filters.since()
    if since is not None:
        query = query.where(Need.created_at >= since)
    return query


def order_query(actor: Any, filters: Filters, *columns: Any) -> Select:  # type: ignore[type-arg]
    """Orders in scope and matching the filters (the field is the linked need's)."""
    query = select(*columns).select_from(Order).join(Provider, Order.provider_id == Provider.id)
    query = scope.within(query, Order.province, actor)
    if filters.field:
        query = query.join(Need, Order.need_id == Need.id).where(Need.field_code == filters.field)
    if filters.region:
        query = query.where(Order.province == filters.region)
    if filters.kind:
        query = query.where(Provider.kind == filters.kind)
    since = filters.since()
    if since is not None:
        query = query.where(Order.created_at >= since)
    return query


def build(actor: Any, filters: Filters) -> Board:
    scope.require_broker(actor)
    need_counts = dict(
        db.session.execute(need_query(actor, filters, Need.status, func.count()).group_by(Need.status)).all()
    )
    order_counts = dict(
        db.session.execute(
            order_query(actor, filters, Order.status, func.count()).group_by(Order.status)
        ).all()
    )
    needs = [Column(s, int(need_counts.get(s, 0))) for s in NEED_STATES]
    orders = [Column(s, int(order_counts.get(s, 0))) for s in ORDER_STATE_CODES]
    for col in needs:
        if col.count:
            query = need_query(actor, filters, Need).where(Need.status == col.state)
            query = query.order_by(Need.updated_at.desc(), Need.id.desc()).limit(CARDS_PER_COLUMN)
            col.items = list(db.session.scalars(query))
    for col in orders:
        if col.count:
            query = order_query(actor, filters, Order).where(Order.status == col.state)
            query = query.options(selectinload(Order.provider), selectinload(Order.organisation))
            col.items = list(
                db.session.scalars(
                    query.order_by(Order.status_changed_at.desc(), Order.id.desc()).limit(CARDS_PER_COLUMN)
                )
            )
    return Board(needs=needs, orders=orders)
