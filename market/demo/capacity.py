"""Capacity settings of a minority of demo providers, set after the history so they fit its orders.

A few providers with engagements in progress set a limit equal to them (已满额 on the dispatch and
match pages), a few more a limit with places left, and one or two are away over today (休假至 …).
Each provider's own login sets them through the capacity service, as on the profile page. The picks
come from a generator of their own (``random.Random(f"{seed}-capacity")``): the seeded postings and
the history are what they were without them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from market.capacity.load import loads
from market.capacity.services import save_settings
from market.db import utcnow
from market.needs.models import Need
from market.orders.parties import provider_users
from market.providers.models import Provider

# About one provider in 80 at its limit (at least two), one in 12 with places left, two away.
FULL_EVERY, LIMITED_EVERY, AWAY = 80, 12, 2


def add_capacity(seed: int, needs: list[Need], providers: list[Provider]) -> str:
    """Set the limits and absences; returns a summary for the load message."""
    rng = random.Random(f"{seed}-capacity")
    today = utcnow().date()
    # Paused profiles already show 暂不接单; waiting for review or drafts are on no dispatch page.
    open_ = [p for p in providers if p.is_public and p.available]
    active = {pid: load.active for pid, load in loads(open_).items()}
    busy = [p for p in open_ if active[p.id] > 0]
    full = rng.sample(busy, k=min(len(busy), max(2, len(open_) // FULL_EVERY)))
    taken = {p.id for p in full}
    idle = [p for p in open_ if p.id not in taken]
    limited = rng.sample(idle, k=min(len(idle), len(open_) // LIMITED_EVERY))
    taken |= {p.id for p in limited}
    away = _away_picks(rng, needs, [p for p in idle if p.id not in taken and active[p.id] == 0])
    for provider in full:
        _save(provider, max_concurrent=active[provider.id])
    for provider in limited:
        _save(provider, max_concurrent=max(2, active[provider.id] + rng.randint(1, 3)))
    for provider in away:
        start, end = today - timedelta(days=rng.randint(3, 12)), today + timedelta(days=rng.randint(10, 30))
        _save(provider, away_from=start, away_until=end)
    return f"{len(full)} providers at capacity, {len(limited)} more with a limit, {len(away)} away"


def _away_picks(rng: random.Random, needs: list[Need], candidates: list[Provider]) -> list[Provider]:
    """The first from the field of enterprise@'s first public need (its match page shows the mark),
    the rest from anywhere."""
    first_org = min((n.organisation_id for n in needs), default=None)
    shown = next((n for n in needs if n.organisation_id == first_org and n.is_public), None)
    near = [p for p in candidates if shown is not None and shown.field_code in p.field_codes]
    picks = [rng.choice(near)] if near else []
    rest = [p for p in candidates if p not in picks]
    return picks + rng.sample(rest, k=min(len(rest), AWAY - len(picks)))


def _save(
    provider: Provider,
    *,
    max_concurrent: int | None = None,
    away_from: date | None = None,
    away_until: date | None = None,
) -> None:
    owner = provider_users(provider)[0]  # the profile's own login, as on its page
    save_settings(owner, provider, max_concurrent=max_concurrent, away_from=away_from, away_until=away_until)
