"""Helpers every template may call: unread counts, ratings, a need's orders and proposals, labels."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user
from markupsafe import Markup

from market.attachments.services import max_mb
from market.errors import DomainError
from market.i18n import current_language
from market.needs.models import Need
from market.orders import forms, proposals, queries, transitions
from market.orders import permissions as order_permissions
from market.orders.models import Order, Proposal
from market.orders.vocab import (
    CONTRACT_TYPES,
    INVITED_WAITING,
    ORDER_STATES,
    ORIGINS,
    PROPOSAL_STATES,
    STATE_COLOURS,
)
from market.providers.models import Provider
from market.providers.services import provider_of
from market.taxonomy import Term, label
from market.text import MESSAGE_MAX, REASON_MAX


def order_state(status: str, proposal: bool = False, origin: str = "") -> Markup:
    """The state's badge; an invitation still waiting reads 待接单（邀请）, not 点单 (pass its origin)."""
    states = PROPOSAL_STATES if proposal else ORDER_STATES
    if origin == "invited" and status == "ordered":
        states = INVITED_WAITING
    text = label(states, status, current_language())
    return Markup('<span class="badge text-bg-{}" data-state="{}">{}</span>').format(
        STATE_COLOURS.get(status, "secondary"), status, text
    )


def order_term(vocabulary: str, code: str | None) -> str:
    terms: dict[str, tuple[Term, ...]] = {
        "contract_types": CONTRACT_TYPES,
        "origins": ORIGINS,
        "states": ORDER_STATES,
        "proposal_states": PROPOSAL_STATES,
    }
    return label(terms[vocabulary], code, current_language())


def my_provider() -> Provider | None:
    return provider_of(current_user)


def my_proposal(need: Need) -> Proposal | None:
    return queries.proposal_of(need, my_provider())


def answers_of(need: Need) -> proposals.Ranking:
    """The need's answers as the reader may see them, best match first, filtered by ?answers=<state>."""
    state = request.args.get("answers", "")
    return proposals.ranked_answers(current_user, need, state if state in proposals.LIST_STATES else "")


def why_not_answer(need: Need) -> DomainError | None:
    return proposals.answer_refusal(current_user, need, my_provider())


def provider_rating(provider: Provider) -> tuple[float | None, int]:
    return queries.provider_rating(provider.id)


def visible_need_orders(need: Need) -> list[Order]:
    return queries.need_orders(need) if order_permissions.can_list_need_orders(current_user, need) else []


# The forms' length limits, for the maxlength of the inputs (the forms check them again on submit).
LIMITS = {
    "reason": REASON_MAX,
    "message": MESSAGE_MAX,
    "approach": forms.APPROACH_MAX,
    "team": forms.TEAM_MAX,
    "timeline": forms.TIMELINE_MAX,
    "price": forms.PRICE_MAX,
    "evidence": forms.EVIDENCE_MAX,
}


def register(bp: Blueprint) -> None:
    helpers: dict[str, Any] = {
        "orders_unread": lambda: queries.unread_count(current_user),
        "order_state": order_state,
        "order_term": order_term,
        "order_action_label": transitions.action_label,
        "order_perm": order_permissions,
        "my_provider": my_provider,
        "my_proposal": my_proposal,
        "provider_rating": provider_rating,
        "provider_reviews": lambda provider: queries.provider_reviews(provider.id),
        "need_orders": visible_need_orders,
        "need_proposals": queries.need_proposals,
        "need_answers": answers_of,
        "answer_refusal": why_not_answer,
        "answer_states": proposals.LIST_STATES,
        "is_blocked": proposals.is_blocked,
        "order_limits": LIMITS,
        "answer_file_limits": lambda: {"mb": max_mb(), "count": proposals.FILES_PER_ANSWER},
    }
    for name, helper in helpers.items():
        bp.add_app_template_global(helper, name)
