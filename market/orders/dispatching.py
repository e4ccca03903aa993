"""The 派单 page's suggestions: the engine's ranking spread by capacity (market/capacity), each
provider's load and conflict flags, and "send to the top N", which skips providers at capacity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from market.auth.models import User
from market.capacity import services as capacity
from market.capacity.spread import CLOSE, Suggestion, spread, top_n
from market.db import db
from market.i18n import gettext as _
from market.matching import services as matching
from market.needs.models import Need
from market.orders import services
from market.orders.models import Order
from market.postings import PostingStatus
from market.providers.models import Provider
from market.reference.models import Field

RECOMMENDED = 10
CHOICES = 200


@dataclass
class DispatchPage:
    suggestions: list[Suggestion[matching.ProviderMatch]]
    notice: str
    providers: list[Provider]  # every public provider, to pick by hand
    standings: dict[int, capacity.Standing] = field(default_factory=dict)
    close: int = CLOSE  # 匹配度 points within which suggestions count as close


def page(actor: Any, need: Need) -> DispatchPage:
    """What the broker sees before sending: the spread suggestions and the full list, each provider's
    load, answer record and conflicts with this need."""
    services.dispatchable_need(actor, need.id)
    matches = matching.or_notice(lambda: matching.providers_for_need(actor, need, k=RECOMMENDED))
    suggestions, standings = _suggest(need, list(matches))
    others = candidates(need)
    standings |= capacity.standings(need, [p for p in others if p.id not in standings])
    return DispatchPage(suggestions, matches.notice, others, standings)


def _suggest(
    need: Need, matches: list[matching.ProviderMatch]
) -> tuple[list[Suggestion[matching.ProviderMatch]], dict[int, capacity.Standing]]:
    standings = capacity.standings(need, [m.provider for m in matches])
    ranked = spread(matches, lambda m: m.reason.degree, lambda m: standings[m.provider.id].load)
    return ranked, standings


def candidates(need: Need) -> list[Provider]:
    """Every public provider to pick from by hand: the need's field first, then its province."""
    same_field = Provider.fields.any(Field.code == need.field_code)
    query = (
        select(Provider)
        .where(Provider.status == PostingStatus.APPROVED.value)
        .order_by(same_field.desc(), (Provider.province == need.province).desc(), Provider.id)
        .limit(CHOICES)
    )
    return list(db.session.scalars(query))


def dispatch_top(
    actor: User, need: Need, n: int, *, include_unavailable: bool, message: str = ""
) -> list[Order]:
    """派单 to the first `n` suggestions, skipping those already engaged on the need and (unless
    included) those at capacity, away or not taking orders."""
    services.dispatchable_need(actor, need.id)
    matches = matching.or_notice(lambda: matching.providers_for_need(actor, need, k=RECOMMENDED))
    ranked, standings = _suggest(need, list(matches))
    chosen = top_n(ranked, n, lambda m: standings[m.provider.id].flags.engaged, include_unavailable)
    if not chosen:
        refusal = _(
            "推荐名单中没有可派的服务方（均已满额、休假或已在办本需求）；"
            "可勾选“包括满额和休假的服务方”，或在列表中手动选择。"
        )
        raise services.invalid("top_n", refusal)
    return services.dispatch(actor, need, [m.provider.id for m in chosen], message=message)
