"""Read-only look-ups: inbox, unread counts, ratings, a need's orders and proposals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, func, or_, select

from market import permissions, scope
from market.auth.models import Role
from market.db import db
from market.needs.models import Need
from market.orders.models import Notification, Order, Proposal, Review
from market.orders.transitions import State
from market.providers.models import Provider

SIDES = ("enterprise", "provider", "broker")


def _side_condition(user: Any, side: str) -> Any:
    u = permissions._user(user)
    if u is None:
        return false()
    if side == "enterprise":
        return Order.organisation_id == u.organisation_id if u.role == Role.ENTERPRISE else false()
    if side == "provider":
        return Order.provider_id.in_(select(Provider.id).where(permissions.owned_providers(u, Provider)))
    return scope.condition(Order.province, u)


def inbox_query(user: Any, status: str = "", side: str = "") -> Select[tuple[Order]]:
    sides = [side] if side in SIDES else list(SIDES)
    query = select(Order).where(or_(*[_side_condition(user, s) for s in sides]))
    if status in {state.value for state in State}:  # unknown values (even NUL bytes) are ignored
        query = query.where(Order.status == status)
    return query.order_by(Order.updated_at.desc(), Order.id.desc())


def unread_count(user: Any) -> int:
    u = permissions._user(user)
    if u is None:
        return 0
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == u.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def unread_by_order(user: Any, order_ids: list[int]) -> dict[int, int]:
    u = permissions._user(user)
    if u is None or not order_ids:
        return {}
    rows = db.session.execute(
        select(Notification.order_id, func.count(Notification.id))
        .where(
            Notification.user_id == u.id,
            Notification.read_at.is_(None),
            Notification.order_id.in_(order_ids),
        )
        .group_by(Notification.order_id)
    )
    return {order_id: count for order_id, count in rows}


def notifications_query(user: Any, unread_only: bool = False) -> Select[tuple[Notification]]:
    u = permissions._user(user)
    query = select(Notification).where(Notification.user_id == (u.id if u else -1))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    # Newest first by when they happened (rows written later for earlier events, e.g. the demo's
    # back-dated history, must not jump ahead); the id breaks ties.
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def provider_rating(provider_id: int) -> tuple[float | None, int]:
    avg, count = db.session.execute(
        select(func.avg(Review.rating), func.count(Review.id)).where(Review.provider_id == provider_id)
    ).one()
    return (round(float(avg), 1) if avg is not None else None), int(count)


def provider_reviews(provider_id: int, limit: int = 10) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review).where(Review.provider_id == provider_id).order_by(Review.id.desc()).limit(limit)
        )
    )


def need_orders(need: Need) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.need_id == need.id).order_by(Order.id)))


def need_proposals(need: Need) -> list[Proposal]:
    return list(db.session.scalars(select(Proposal).where(Proposal.need_id == need.id).order_by(Proposal.id)))


def proposal_of(need: Need, provider: Provider | None) -> Proposal | None:
    if provider is None:
        return None
    return db.session.scalar(
        select(Proposal).where(Proposal.need_id == need.id, Proposal.provider_id == provider.id)
    )
