"""Who may start orders and proposals: plain functions, used by views, the API and templates."""

from __future__ import annotations

from typing import Any

from market import permissions
from market.auth.models import Role
from market.needs.models import Need
from market.orders.models import Proposal
from market.providers.models import Provider, ServiceItem


def is_enterprise(user: Any) -> bool:
    u = permissions._user(user)
    return u is not None and u.role == Role.ENTERPRISE and u.organisation_id is not None


def can_order_service(user: Any, service: ServiceItem) -> bool:
    """点单: an enterprise orders an active service from a public provider's menu."""
    return is_enterprise(user) and service.active and service.provider.is_public


def can_invite(user: Any, need: Need, provider: Provider | None = None) -> bool:
    """An enterprise invites a provider to one of its own approved needs."""
    ok = permissions.owns_need(user, need) and need.is_public
    return ok and (provider is None or provider.is_public)


def can_dispatch(user: Any, need: Need) -> bool:
    """派单: brokers of the need's province (admins everywhere), on approved needs."""
    return need.is_public and permissions.is_broker_for(user, need.province)


def can_propose(user: Any, need: Need, provider: Provider | None) -> bool:
    """答题: any approved provider may answer any approved need (open call or not). The rules that
    need the database (blocks, deadline, same organisation) are market.orders.proposals.answer_refusal."""
    return (
        need.is_public
        and provider is not None
        and provider.is_public
        and permissions.owns_provider(user, provider)
    )


def can_view_proposal(user: Any, proposal: Proposal) -> bool:
    """The two parties and the region's brokers; an answer a broker hid is gone for the enterprise."""
    return (
        (permissions.owns_need(user, proposal.need) and proposal.hidden_at is None)
        or permissions.owns_provider(user, proposal.provider)
        or permissions.is_broker_for(user, proposal.need.province)
    )


def can_change_proposal(user: Any, proposal: Proposal) -> bool:
    """Edit or withdraw an answer: the provider that gave it."""
    return permissions.owns_provider(user, proposal.provider)


def can_judge_proposal(user: Any, proposal: Proposal) -> bool:
    """Shortlist, reject or pick a proposal: the enterprise that owns the need."""
    return permissions.owns_need(user, proposal.need)


def can_list_need_orders(user: Any, need: Need) -> bool:
    return permissions.owns_need(user, need) or permissions.is_broker_for(user, need.province)
