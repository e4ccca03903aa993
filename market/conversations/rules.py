"""Who reads and writes a thread: the enterprise that owns the engagement, the provider's owners, and
brokers of its region (admins everywhere). One rule in two forms, as market.scope has: per thread
(`side_of`, `may_read`) and as SQL over threads (`readable`, `followed`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from market import permissions, scope
from market.auth.models import Role
from market.conversations.models import Thread, ThreadRead
from market.providers.models import Provider

ENTERPRISE, PROVIDER, BROKER = "enterprise", "provider", "broker"


def _enterprise_side(user: Any, thread: Thread) -> bool:
    u = permissions._user(user)
    return (
        u is not None
        and u.role == Role.ENTERPRISE
        and u.organisation_id is not None
        and u.organisation_id == thread.organisation_id
    )


def side_of(user: Any, thread: Thread) -> str | None:
    """The side a user speaks for in a thread; None for everybody outside it (who get a 404)."""
    if _enterprise_side(user, thread):
        return ENTERPRISE
    if permissions.owns_provider(user, thread.provider):
        return PROVIDER
    if permissions.is_broker_for(user, thread.province):
        return BROKER
    return None


def may_read(user: Any, thread: Thread) -> bool:
    """Read and post: the two parties and brokers of the region."""
    return side_of(user, thread) is not None


def may_moderate(user: Any, thread: Thread) -> bool:
    """Hide an abusive message: brokers of the region and admins."""
    return permissions.is_broker_for(user, thread.province)


def may_read_hidden(user: Any, thread: Thread) -> bool:
    """A hidden message's text and file stay readable to the people who moderate the thread."""
    return may_moderate(user, thread)


def _party_condition(user: Any) -> ColumnElement[bool]:
    u = permissions._user(user)
    if u is None:
        return false()
    conditions: list[ColumnElement[bool]] = []
    if u.role == Role.ENTERPRISE and u.organisation_id is not None:
        conditions.append(Thread.organisation_id == u.organisation_id)
    if u.role == Role.PROVIDER:
        owned = select(Provider.id).where(permissions.owned_providers(u, Provider))
        conditions.append(Thread.provider_id.in_(owned))
    return or_(*conditions) if conditions else false()


def readable(user: Any) -> ColumnElement[bool]:
    """`may_read` as SQL over threads."""
    return or_(_party_condition(user), scope.condition(Thread.province, user))


def followed(user: Any) -> ColumnElement[bool]:
    """Threads whose unread messages count for a user: a party's own threads, and for a broker the
    threads of the region they have opened (a region holds too many threads to count them all).
    Needs `ThreadRead` outer-joined for this user."""
    staff = scope.condition(Thread.province, user) & ThreadRead.user_id.is_not(None)
    return or_(_party_condition(user), staff)
