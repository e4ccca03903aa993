"""Conflict flags shown before a dispatch or invitation is sent, not only after a refusal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from market.auth.models import Organisation, User
from market.db import db
from market.needs.models import Need
from market.providers.models import Provider

# An open order on the need already engages the provider: market.orders refuses a second one (409).
OPEN_STATES = ("ordered", "dispatched", "accepted", "negotiating", "signed", "delivered")


@dataclass(frozen=True)
class Flags:
    same_org: bool = False  # the provider is (or belongs to) the need's own organisation
    declined_before: int = 0  # orders of this enterprise the provider declined
    engaged_order_id: int | None = None  # the open order it already has on this need

    @property
    def engaged(self) -> bool:
        return self.engaged_order_id is not None

    @property
    def any(self) -> bool:
        return self.same_org or self.declined_before > 0 or self.engaged


def flags(need: Need, providers: Iterable[Provider]) -> dict[int, Flags]:
    """The flags of each provider for this need, by id (three queries whatever their number)."""
    chosen = {p.id: p for p in providers}
    if not chosen:
        return {}
    ids = list(chosen)
    orders = db.metadata.tables["orders"]
    declined: dict[int, int] = dict(
        db.session.execute(
            select(orders.c.provider_id, func.count())
            .where(
                orders.c.provider_id.in_(ids),
                orders.c.organisation_id == need.organisation_id,
                orders.c.status == "declined",
            )
            .group_by(orders.c.provider_id)
        ).all()
    )
    engaged: dict[int, int] = dict(
        db.session.execute(
            select(orders.c.provider_id, func.min(orders.c.id))
            .where(
                orders.c.provider_id.in_(ids), orders.c.need_id == need.id, orders.c.status.in_(OPEN_STATES)
            )
            .group_by(orders.c.provider_id)
        ).all()
    )
    own = _same_organisation(need, chosen)
    return {
        pid: Flags(
            same_org=pid in own, declined_before=declined.get(pid, 0), engaged_order_id=engaged.get(pid)
        )
        for pid in ids
    }


def _same_organisation(need: Need, chosen: dict[int, Provider]) -> set[int]:
    """The organisation's own profile, experts whose account belongs to it, and profiles that name it
    as their 所在单位 (an expert employed by the enterprise asking)."""
    org = db.session.get(Organisation, need.organisation_id)
    members = set(
        db.session.scalars(
            select(Provider.id)
            .join(User, User.id == Provider.user_id)
            .where(Provider.id.in_(list(chosen)), User.organisation_id == need.organisation_id)
        )
    )
    name = (org.name if org else "").strip()
    return members | {
        pid
        for pid, p in chosen.items()
        if p.organisation_id == need.organisation_id or (name and (p.affiliation or "").strip() == name)
    }
