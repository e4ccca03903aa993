"""Checked values the order services take besides the acting user.

The forms (market.orders.forms) build them from a page's form or an API body; code that is not a
request (demo data, tests) builds them directly. The services only decide: they never parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DealTerms:
    """签约: the contract recorded when an order is signed."""

    contract_type: str
    value_wan: Decimal
    signed_on: date
    note: str = ""


@dataclass(frozen=True)
class ReviewTerms:
    """评单: the enterprise's rating (1-5) of a delivered order."""

    rating: int
    body: str = ""


@dataclass(frozen=True)
class StepTerms:
    """One step of the order state machine: the version the caller saw, a reason, and what the step
    records (a deal for sign, a review for review)."""

    reason: str = ""
    version: int | None = None
    deal: DealTerms | None = None
    review: ReviewTerms | None = None


@dataclass(frozen=True)
class ProposalTerms:
    """答题: a provider's answer to a public need; prices in 万元; `achievement_ids` are the provider's
    own achievements it cites as evidence (the service checks they are its own)."""

    approach: str
    team: str = ""
    timeline: str = ""
    price_min: int | None = None
    price_max: int | None = None
    achievement_ids: tuple[int, ...] = ()
