"""科技答题 on open calls (揭榜挂帅): submit, shortlist, reject with a reason, or turn into an order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound
from market.i18n import gettext as _
from market.needs.models import Need
from market.orders import notify, parsing, services
from market.orders import permissions as rules
from market.orders.models import Order, Proposal
from market.orders.parties import enterprise_users, provider_users
from market.orders.queries import proposal_of
from market.orders.transitions import Party
from market.providers.services import provider_of

# Proposal steps: action -> (states it may start from, state it ends in). The enterprise takes them all.
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "shortlist": (frozenset({"submitted"}), "shortlisted"),
    "reject": (frozenset({"submitted", "shortlisted"}), "rejected"),
    "order": (frozenset({"submitted", "shortlisted"}), "ordered"),
}


def submit(actor: User, need: Need, values: Mapping[str, Any]) -> Proposal:
    provider = provider_of(actor)
    if not rules.can_propose(actor, need, provider):
        raise Forbidden(_("只有已公开的服务方可以对公开的揭榜需求答题。"))
    assert provider is not None
    if proposal_of(need, provider) is not None:
        raise Conflict(_("你已对该需求提交过方案。"))
    low = parsing.optional_int(values, "price_min")
    high = parsing.optional_int(values, "price_max")
    if low is not None and high is not None and low > high:
        raise parsing.fail("price_max", _("最高报价不能低于最低报价。"))
    proposal = Proposal(
        need_id=need.id,
        provider_id=provider.id,
        author_id=actor.id,
        approach=parsing.text(values, "approach", required=True, max_length=5000),
        team=parsing.text(values, "team", max_length=2000),
        timeline=parsing.text(values, "timeline", max_length=200),
        price_min=low,
        price_max=high,
    )
    db.session.add(proposal)
    db.session.flush()
    for user in enterprise_users(need.organisation_id):
        notify.notify_user(
            user, None, "proposal", f"{provider.name} 对“{need.title}”提交了答题方案", f"/needs/{need.id}"
        )
    return proposal


def lock_proposal(actor: User, proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
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


def _tell_provider(proposal: Proposal, text: str) -> None:
    for user in provider_users(proposal.provider):
        notify.notify_user(user, None, "proposal", text, f"/needs/{proposal.need_id}")


def shortlist(actor: User, proposal_id: int) -> Proposal:
    proposal = lock_proposal(actor, proposal_id)
    _move(proposal, "shortlist")
    _tell_provider(proposal, f"您对“{proposal.need.title}”的答题方案已入围")
    db.session.flush()
    return proposal


def reject(actor: User, proposal_id: int, values: Mapping[str, Any]) -> Proposal:
    proposal = lock_proposal(actor, proposal_id)
    reason = parsing.text(values, "reason", required=True, max_length=1000)
    _move(proposal, "reject")
    proposal.reject_reason = reason
    _tell_provider(proposal, f"您对“{proposal.need.title}”的答题方案未入选：{reason}")
    db.session.flush()
    return proposal


def to_order(actor: User, proposal_id: int, values: Mapping[str, Any]) -> Order:
    """Pick a proposal: it becomes an order waiting for the provider's 接单."""
    proposal = lock_proposal(actor, proposal_id)
    _move(proposal, "order")
    return services.open_order(
        actor,
        Party.ENTERPRISE,
        "proposal",
        proposal.provider,
        need=proposal.need,
        message=parsing.text(values, "message", max_length=services.MESSAGE_MAX),
        proposal_id=proposal.id,
    )
