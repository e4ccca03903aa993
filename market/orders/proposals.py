"""科技答题 on open calls (揭榜挂帅): submit, shortlist, reject with a reason, or turn into an order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound
from market.i18n import gettext as _
from market.ids import row_id
from market.messages import Message, build
from market.needs.models import Need
from market.orders import notify, services
from market.orders import permissions as rules
from market.orders.models import Order, Proposal
from market.orders.parties import enterprise_users, provider_users
from market.orders.queries import need_proposals, proposal_of
from market.orders.terms import ProposalTerms
from market.orders.transitions import Party
from market.providers.services import provider_of

# Proposal steps: action -> (states it may start from, state it ends in). The enterprise takes them all.
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "shortlist": (frozenset({"submitted"}), "shortlisted"),
    "reject": (frozenset({"submitted", "shortlisted"}), "rejected"),
    "order": (frozenset({"submitted", "shortlisted"}), "ordered"),
}


def submit(actor: User, need: Need, terms: ProposalTerms) -> Proposal:
    provider = provider_of(actor)
    if not rules.can_propose(actor, need, provider):
        raise Forbidden(_("只有已公开的服务方可以对公开的揭榜需求答题。"))
    assert provider is not None
    if proposal_of(need, provider) is not None:
        raise Conflict(_("你已对该需求提交过方案。"))
    proposal = Proposal(
        need_id=need.id,
        provider_id=provider.id,
        author_id=actor.id,
        approach=terms.approach,
        team=terms.team,
        timeline=terms.timeline,
        price_min=terms.price_min,
        price_max=terms.price_max,
    )
    db.session.add(proposal)
    db.session.flush()
    submitted = build("proposal.submitted", provider=provider.name, title=need.title, need_id=need.id)
    for user in enterprise_users(need.organisation_id):
        notify.notify_user(user, None, "proposal", submitted)
    return proposal


def visible_proposals(actor: Any, need: Need) -> list[Proposal]:
    """The proposals on a need that the actor may read: all for its enterprise and brokers, their own
    for a provider."""
    return [p for p in need_proposals(need) if rules.can_view_proposal(actor, p)]


def lock_proposal(actor: User, proposal_id: int) -> Proposal:
    """The proposal, locked, if the actor may decide on it: 404 if they cannot see it, else 403."""
    proposal = (
        db.session.scalar(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row_id(proposal_id)
        else None
    )
    if proposal is None or not rules.can_view_proposal(actor, proposal):
        raise NotFound(_("方案不存在。"))
    if not rules.can_judge_proposal(actor, proposal):
        raise Forbidden(_("只有发布需求的企业可以处理答题方案。"))
    return proposal


def _move(proposal: Proposal, action: str) -> None:
    starts, to = STEPS[action]
    if proposal.status not in starts:
        raise Conflict(_("该方案当前状态不能执行此操作。"))
    proposal.status = to


def _tell_provider(proposal: Proposal, message: Message) -> None:
    for user in provider_users(proposal.provider):
        notify.notify_user(user, None, "proposal", message)


def shortlist(actor: User, proposal_id: int) -> Proposal:
    proposal = lock_proposal(actor, proposal_id)
    _move(proposal, "shortlist")
    _tell_provider(
        proposal, build("proposal.shortlisted", title=proposal.need.title, need_id=proposal.need_id)
    )
    db.session.flush()
    return proposal


def reject(actor: User, proposal_id: int, *, reason: str) -> Proposal:
    proposal = lock_proposal(actor, proposal_id)
    _move(proposal, "reject")
    proposal.reject_reason = reason
    _tell_provider(
        proposal,
        build("proposal.rejected", title=proposal.need.title, need_id=proposal.need_id, reason=reason),
    )
    db.session.flush()
    return proposal


def to_order(actor: User, proposal_id: int, *, message: str = "") -> Order:
    """Pick a proposal: it becomes an order waiting for the provider's 接单."""
    proposal = lock_proposal(actor, proposal_id)
    _move(proposal, "order")
    return services.open_order(
        actor,
        Party.ENTERPRISE,
        "proposal",
        proposal.provider,
        need=proposal.need,
        message=message,
        proposal_id=proposal.id,
    )
