"""Telling providers that a need they worked on left the market (solved, closed or withdrawn).

market.needs cannot import orders (orders builds on needs), so it calls the listeners registered with
`needs.services.on_left_market`; `install` (called by create_app) registers this one.
"""

from __future__ import annotations

from sqlalchemy import select

from market.auth.models import User
from market.db import db
from market.messages import build
from market.needs import services as needs
from market.needs.models import Need
from market.orders import notify
from market.orders.models import Order, Proposal
from market.orders.parties import provider_users
from market.postings import Action
from market.providers.models import Provider

KEYS = {Action.SOLVE: "need.solved", Action.CLOSE: "need.closed", Action.WITHDRAW: "need.withdrawn"}


def install() -> None:
    needs.on_left_market(tell_providers)


def providers_on(need: Need) -> list[Provider]:
    """Providers with an order or an answer (proposal) on the need, whatever its state."""
    with_order = select(Order.provider_id).where(Order.need_id == need.id)
    with_answer = select(Proposal.provider_id).where(Proposal.need_id == need.id)
    query = select(Provider).where(Provider.id.in_(with_order.union(with_answer))).order_by(Provider.id)
    return list(db.session.scalars(query))


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
    db.session.flush()
