"""Pipeline board (工作台看板): needs and orders in the actor's regions, by state, with counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import joinedload

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

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


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
        query = query.where(*filters.need_clauses())
    if filters.region:
        query = query.where(Need.province == filters.region)
    since = filters.since()
    if since is not None:
        query = query.where(Need.created_at >= since)
    return query


def order_query(actor: Any, filters: Filters, *columns: Any) -> Select:  # type: ignore[type-arg]
    """Orders in scope and matching the filters (the field is the linked need's)."""
    query = scope.within(select(*columns).select_from(Order), Order.province, actor)
    if filters.field:
        query = query.join(Need, Order.need_id == Need.id).where(*filters.need_clauses())
    if filters.region:
        query = query.where(Order.province == filters.region)
    if filters.kind:  # joined only when asked: every order has a provider
        query = query.join(Provider, Order.provider_id == Provider.id).where(Provider.kind == filters.kind)
    since = filters.since()
    if since is not None:
        query = query.where(Order.created_at >= since)
    return query


NEEDS, ORDERS = "needs", "orders"


def _newest_needs(query: Select) -> Select:  # type: ignore[type-arg]
    return query.order_by(Need.updated_at.desc(), Need.id.desc())


def _newest_orders(query: Select) -> Select:  # type: ignore[type-arg]
    query = query.options(joinedload(Order.provider))  # the cards show the provider's name
    return query.order_by(Order.status_changed_at.desc(), Order.id.desc())


def list_query(actor: Any, filters: Filters, kind: str, state: str) -> Select:  # type: ignore[type-arg]
    """A board column in full (`kind` NEEDS or ORDERS; an empty or unknown `state` means every state
    the board shows), newest first as on the board, for a paginated list page."""
    scope.require_broker(actor)
    if kind == NEEDS:
        query = need_query(actor, filters, Need)
        return _newest_needs(query.where(Need.status == state) if state in NEED_STATES else query)
    query = order_query(actor, filters, Order)
    return _newest_orders(query.where(Order.status == state) if state in ORDER_STATE_CODES else query)


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
    _fill(
        needs,
        lambda state: _newest_needs(need_query(actor, filters, Need.id).where(Need.status == state)),
        lambda ids: _newest_needs(select(Need).where(Need.id.in_(ids))),
    )
    _fill(
        orders,
        lambda state: _newest_orders(order_query(actor, filters, Order.id).where(Order.status == state)),
        lambda ids: _newest_orders(select(Order).where(Order.id.in_(ids))),
    )
    return Board(needs=needs, orders=orders)


def _fill(
    columns: list[Column],
    ids_of: Callable[[str], Select],  # type: ignore[type-arg]
    rows_of: Callable[[Any], Select],  # type: ignore[type-arg]
) -> None:
    """Each non-empty column's first cards in one statement: a UNION ALL of one indexed
    `… WHERE status = ? ORDER BY … LIMIT 10` per column (one round trip instead of one per column)."""
    wanted = [col for col in columns if col.count]
    if not wanted:
        return
    parts = [ids_of(col.state).limit(CARDS_PER_COLUMN).subquery().select() for col in wanted]
    ids = union_all(*parts).subquery()
    by_state: dict[str, list[Any]] = {}
    for row in db.session.scalars(rows_of(select(ids.c[0]))):
        by_state.setdefault(row.status, []).append(row)
    for col in wanted:
        col.items = by_state.get(col.state, [])
