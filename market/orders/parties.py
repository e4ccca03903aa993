"""Who is who on an order: the sides a user acts for, and who hears about each event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from market import permissions
from market.auth.models import Role, User
from market.db import db
from market.orders.models import Order
from market.orders.transitions import Party
from market.providers.models import Provider


def is_enterprise_side(user: Any, order: Order) -> bool:
    u = permissions._user(user)
    return (
        u is not None
        and u.role == Role.ENTERPRISE
        and u.organisation_id is not None
        and u.organisation_id == order.organisation_id
    )


def is_provider_side(user: Any, order: Order) -> bool:
    return permissions.owns_provider(user, order.provider)


def parties_of(user: Any, order: Order) -> set[Party]:
    parties: set[Party] = set()
    if is_enterprise_side(user, order):
        parties.add(Party.ENTERPRISE)
    if is_provider_side(user, order):
        parties.add(Party.PROVIDER)
    if permissions.is_broker_for(user, order.province):
        parties.add(Party.BROKER)
    return parties


def can_read_audit(user: Any, order: Order) -> bool:
    return permissions.is_broker_for(user, order.province)


def provider_users(provider: Provider) -> list[User]:
    if provider.user_id is not None:
        return [provider.user] if provider.user is not None else []
    if provider.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(User).where(
                User.organisation_id == provider.organisation_id,
                User.role == Role.PROVIDER.value,
                User.active.is_(True),
            )
        )
    )


def enterprise_users(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.organisation_id == organisation_id,
                User.role == Role.ENTERPRISE.value,
                User.active.is_(True),
            )
        )
    )


def everyone_on(order: Order) -> list[User]:
    """All people who hear about an order's events: both sides and the dispatching broker."""
    people = enterprise_users(order.organisation_id) + provider_users(order.provider)
    if order.broker is not None:
        people.append(order.broker)
    unique: dict[int, User] = {u.id: u for u in people}
    return list(unique.values())
