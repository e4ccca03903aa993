"""The need funnel (转化漏斗): posted → matched → ordered → accepted → signed → delivered.

Each step's time per need is a MIN() over its rows, grouped by need in SQL; counts, conversion
rates and median days between steps are then worked out in Python over those few columns.
Orders started from a service menu without a need are outside the funnel.

`outcomes` says what became of the same posted needs: solved (through a deal here or elsewhere),
closed, the median days from approval to solved, and the answers (proposals) they drew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import func, select

from market import scope
from market.broker.filters import Filters
from market.db import db
from market.matching.models import MatchFeedback
from market.needs.models import Need
from market.orders.models import AuditLog, Order, Proposal
from market.postings import PostingStatus
from market.providers.models import Provider

STEPS: tuple[tuple[str, str], ...] = (
    ("posted", "发布"),
    ("matched", "匹配"),
    ("ordered", "下单"),
    ("accepted", "接单"),
    ("signed", "签约"),
    ("delivered", "交付"),
)
# Order states whose first audit entry marks the step.
AUDITED = ("accepted", "signed", "delivered")


@dataclass
class Step:
    key: str
    label: str
    count: int
    rate: float | None  # share of the previous step, 0–1; None for the first step or an empty one
    median_days: float | None  # median days from the previous step, over needs that reached both


def _naive(moment: datetime | None) -> datetime | None:
    """UTC without tzinfo: SQLite hands back naive datetimes, PostgreSQL aware ones."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _need_ids(actor: Any, filters: Filters) -> Any:
    """Posted (approved at some point) needs in scope, as a subquery of ids."""
    query = scope.within(select(Need.id), Need.province, actor).where(Need.approved_at.is_not(None))
    if filters.field:
        query = query.where(Need.field_code == filters.field)
    if filters.region:
        query = query.where(Need.province == filters.region)
    since = filters.since()
    if since is not None:
        query = query.where(Need.approved_at >= since)
    return query


def _orders(filters: Filters) -> Any:
    """Orders counted in the funnel: those on a need, of the chosen provider kind if any."""
    query = select(Order.id).join(Provider, Order.provider_id == Provider.id)
    if filters.kind:
        query = query.where(Provider.kind == filters.kind)
    return query


def _times(query: Any) -> dict[int, datetime]:
    return {need_id: _naive(moment) for need_id, moment in db.session.execute(query).all() if moment}  # type: ignore[misc]


def step_times(actor: Any, filters: Filters) -> dict[str, dict[int, datetime]]:
    """need id → when it first reached each step."""
    ids = _need_ids(actor, filters)
    orders = _orders(filters)
    times: dict[str, dict[int, datetime]] = {
        "posted": _times(select(Need.id, Need.approved_at).where(Need.id.in_(ids)))
    }
    feedback = _times(
        select(MatchFeedback.need_id, func.min(MatchFeedback.created_at))
        .where(MatchFeedback.need_id.in_(ids))
        .group_by(MatchFeedback.need_id)
    )
    times["ordered"] = _times(
        select(Order.need_id, func.min(Order.created_at))
        .where(Order.need_id.in_(ids), Order.id.in_(orders))
        .group_by(Order.need_id)
    )
    times["matched"] = {
        need: min(t for t in (feedback.get(need), times["ordered"].get(need)) if t is not None)
        for need in feedback.keys() | times["ordered"].keys()
    }
    for state in AUDITED:
        times[state] = _times(
            select(Order.need_id, func.min(AuditLog.created_at))
            .join(Order, AuditLog.order_id == Order.id)
            .where(Order.need_id.in_(ids), Order.id.in_(orders), AuditLog.to_status == state)
            .group_by(Order.need_id)
        )
    return times


def build(actor: Any, filters: Filters) -> list[Step]:
    times = step_times(actor, filters)
    steps: list[Step] = []
    previous: str | None = None
    for key, label in STEPS:
        reached = times[key]
        rate = days = None
        if previous is not None:
            before = times[previous]
            rate = len(reached) / len(before) if before else None
            gaps = [max((reached[n] - before[n]).total_seconds(), 0) / 86400 for n in reached if n in before]
            days = round(median(gaps), 1) if gaps else None
        steps.append(Step(key, label, len(reached), rate, days))
        previous = key
    return steps


@dataclass
class Outcomes:
    """What became of the posted needs: solved (here or elsewhere), closed, how fast, how many answers."""

    posted: int
    solved: int
    solved_here: int  # through a signed order on this platform
    closed: int
    median_days_to_solve: float | None  # approval → solved, over the needs solved now
    answers: int
    answers_per_need: float | None  # answers ÷ posted needs

    @property
    def solve_rate(self) -> float | None:
        return self.solved / self.posted if self.posted else None


def outcomes(actor: Any, filters: Filters) -> Outcomes:
    """Over the funnel's posted needs (same scope and filters); a reopened need counts as open again."""
    ids = _need_ids(actor, filters)
    rows = db.session.execute(
        select(Need.status, Need.solved_how, Need.approved_at, Need.solved_at).where(Need.id.in_(ids))
    ).all()
    solved = [row for row in rows if row.status == PostingStatus.SOLVED]
    days = [
        max((_naive(row.solved_at) - _naive(row.approved_at)).total_seconds(), 0) / 86400  # type: ignore[operator]
        for row in solved
        if row.solved_at is not None and row.approved_at is not None
    ]
    answers = _answer_count(ids, filters)
    return Outcomes(
        posted=len(rows),
        solved=len(solved),
        solved_here=sum(1 for row in solved if row.solved_how == "platform"),
        closed=sum(1 for row in rows if row.status == PostingStatus.CLOSED),
        median_days_to_solve=round(median(days), 1) if days else None,
        answers=answers,
        answers_per_need=round(answers / len(rows), 2) if rows else None,
    )


def _answer_count(need_ids: Any, filters: Filters) -> int:
    """Answers (科技答题 proposals) on the needs, from providers of the chosen kind if any."""
    query = (
        select(func.count(Proposal.id))
        .join(Provider, Proposal.provider_id == Provider.id)
        .where(Proposal.need_id.in_(need_ids))
    )
    if filters.kind:
        query = query.where(Provider.kind == filters.kind)
    return db.session.scalar(query) or 0
