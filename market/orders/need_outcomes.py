"""Telling providers that a need they worked on left the market (solved, closed or withdrawn).

market.needs cannot import orders (orders builds on needs), so it calls the listeners registered with
`needs.services.on_left_market`; `install` (called by create_app) registers this one.
"""

from __future__ import annotations

from sqlalchemy import select

from market.auth.models import User
from market.db import db
from market.matching import services as matching
from market.messages import build
from market.moderation.models import ModerationEvent
from market.needs import services as needs
from market.needs.models import Need
from market.orders import notify
from market.orders.models import Order, Proposal
from market.orders.parties import provider_users
from market.postings import Action, PostingStatus
from market.providers.models import Provider

KEYS = {Action.SOLVE: "need.solved", Action.CLOSE: "need.closed", Action.WITHDRAW: "need.withdrawn"}
GONE = "recommend.need_gone"
RECOMMENDED_TOLD = 10  # the need's top providers: the ones whose 推荐需求 most likely showed it


def install() -> None:
    needs.on_left_market(tell_providers)


def providers_on(need: Need) -> list[Provider]:
    """Providers with an order or an answer (proposal) on the need, whatever its state."""
    with_order = select(Order.provider_id).where(Order.need_id == need.id)
    with_answer = select(Proposal.provider_id).where(Proposal.need_id == need.id)
    query = select(Provider).where(Provider.id.in_(with_order.union(with_answer))).order_by(Provider.id)
    return list(db.session.scalars(query))


def _was_public(need: Need) -> bool:
    """Whether the step that just took the need off the market started from 已公开 (a pending need can be
    withdrawn too, and nobody was recommended that one)."""
    last = db.session.scalar(
        select(ModerationEvent.from_status)
        .where(ModerationEvent.target_kind == "need", ModerationEvent.target_id == need.id)
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    )
    return last == PostingStatus.APPROVED


def tell_providers(need: Need, actor: User, action: Action) -> None:
    key = KEYS.get(action)
    if key is None:
        return
    params = {"title": need.title, "need_id": need.id}
    reason = {} if action == Action.WITHDRAW else {"reason": need.outcome_reason}
    message = build(key, **params, **reason)
    told: set[int] = {actor.id}
    for provider in providers_on(need):
        for user in provider_users(provider):
            if user.id not in told:
                told.add(user.id)
                notify.notify_user(user, None, key, message)
    # Only a need that was public was recommended; those already told above are not told twice.
    if _was_public(need):
        gone = build(GONE, **params)
        for provider in matching.recommended_providers(need, RECOMMENDED_TOLD):
            for user in provider_users(provider):
                if user.id not in told:
                    told.add(user.id)
                    notify.notify_user(user, None, "recommend", gone)
    db.session.flush()
