"""Each provider's standing for dispatch: engagements in progress against its limit, time away, how
often and how fast it answers, and how many dispatches it got lately.

Read from the orders and their audit log (the provider's 接单 / 拒单 and the expiry job's steps) by
table name: market.orders imports this package, so this package does not import it back."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, func, select

from market.capacity.models import ProviderCapacity
from market.db import db, utcnow
from market.providers.models import Provider

# Order states, as market/orders/transitions.py names them (tests/capacity pins them equal).
ACTIVE_STATES = ("accepted", "negotiating", "signed")  # work in progress: counts toward the limit
WAITING_STATES = ("ordered", "dispatched")  # put to the provider, no answer yet
ANSWERS = ("accept", "decline")  # the provider's answer to a waiting order
# The answer record looks back a year; "recent" dispatches are those of the last 30 days.
RECORD_DAYS = 365
RECENT_DAYS = 30


@dataclass(frozen=True)
class Load:
    """What the dispatch page, the match page and the invite page show for one provider."""

    provider_id: int
    active: int = 0
    waiting: int = 0
    limit: int | None = None
    away: bool = False
    away_until: date | None = None
    paused: bool = False  # the profile's own 当前可接单 is off
    answered: int = 0
    expired: int = 0
    median_reply_hours: float | None = None
    recent_dispatches: int = 0

    @property
    def at_capacity(self) -> bool:
        return self.limit is not None and self.active >= self.limit

    @property
    def unavailable(self) -> bool:
        """Skipped by "send to the top N" unless the broker includes them."""
        return self.at_capacity or self.away or self.paused

    @property
    def free(self) -> int | None:
        """Places left once the waiting offers are taken too; None when the provider set no limit."""
        return None if self.limit is None else max(0, self.limit - self.active - self.waiting)

    @property
    def answer_rate(self) -> int | None:
        """Percent of the offers whose wait ended that the provider answered (接单 or 拒单) rather
        than let expire; None before any ended. Offers cancelled while waiting do not count."""
        ended = self.answered + self.expired
        return None if ended == 0 else round(100 * self.answered / ended)

    @property
    def median_reply_days(self) -> float | None:
        return None if self.median_reply_hours is None else round(self.median_reply_hours / 24, 1)


def _orders() -> Table:
    return db.metadata.tables["orders"]


def _audit() -> Table:
    return db.metadata.tables["order_audit_log"]


def loads(providers: Iterable[Provider], now: datetime | None = None) -> dict[int, Load]:
    """The standing of each provider, by id, in four grouped queries whatever their number."""
    chosen = {p.id: p for p in providers}
    if not chosen:
        return {}
    now = now or utcnow()
    ids = list(chosen)
    counts = _state_counts(ids)
    recent = _recent_dispatches(ids, now - timedelta(days=RECENT_DAYS))
    replies, expired = _answer_record(ids, now - timedelta(days=RECORD_DAYS))
    settings = {
        row.provider_id: row
        for row in db.session.scalars(select(ProviderCapacity).where(ProviderCapacity.provider_id.in_(ids)))
    }
    today = now.date()
    result = {}
    for pid, provider in chosen.items():
        own = settings.get(pid)
        result[pid] = Load(
            provider_id=pid,
            active=sum(counts[pid][s] for s in ACTIVE_STATES),
            waiting=sum(counts[pid][s] for s in WAITING_STATES),
            limit=own.max_concurrent if own else None,
            away=bool(own and own.away_on(today)),
            away_until=own.away_until if own and own.away_on(today) else None,
            paused=not provider.available,
            answered=len(replies[pid]),
            expired=expired[pid],
            median_reply_hours=round(statistics.median(replies[pid]), 1) if replies[pid] else None,
            recent_dispatches=recent[pid],
        )
    return result


def _state_counts(ids: list[int]) -> defaultdict[int, defaultdict[str, int]]:
    orders = _orders()
    rows = db.session.execute(
        select(orders.c.provider_id, orders.c.status, func.count())
        .where(orders.c.provider_id.in_(ids), orders.c.status.in_(ACTIVE_STATES + WAITING_STATES))
        .group_by(orders.c.provider_id, orders.c.status)
    )
    counts: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pid, status, n in rows:
        counts[pid][status] = n
    return counts


def _recent_dispatches(ids: list[int], since: datetime) -> defaultdict[int, int]:
    orders = _orders()
    rows = db.session.execute(
        select(orders.c.provider_id, func.count())
        .where(orders.c.provider_id.in_(ids), orders.c.origin == "dispatched", orders.c.created_at >= since)
        .group_by(orders.c.provider_id)
    )
    return defaultdict(int, {pid: n for pid, n in rows})


def _answer_record(
    ids: list[int], since: datetime
) -> tuple[defaultdict[int, list[float]], defaultdict[int, int]]:
    """Hours from each offer to the provider's answer, and the offers left to expire, per provider."""
    orders, audit = _orders(), _audit()
    rows = db.session.execute(
        select(orders.c.provider_id, orders.c.created_at, audit.c.created_at, audit.c.action)
        .join(audit, audit.c.order_id == orders.c.id)
        .where(
            orders.c.provider_id.in_(ids),
            orders.c.created_at >= since,
            audit.c.from_status.in_(WAITING_STATES),
            audit.c.action.in_((*ANSWERS, "expire")),
        )
    )
    replies: defaultdict[int, list[float]] = defaultdict(list)
    expired: defaultdict[int, int] = defaultdict(int)
    for pid, offered, acted, action in rows:
        if action == "expire":
            expired[pid] += 1
        else:
            replies[pid].append(max(0.0, (acted - offered).total_seconds() / 3600))
    return replies, expired
