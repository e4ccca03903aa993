"""The need funnel (转化漏斗): posted → matched → ordered → accepted → signed → delivered.

Each step is a recorded event (STEPS says which, in words shown on the reports page):
posted = the approval; matched = the first of a match page view (market.match_log), a match
feedback, an answer (科技答题) or an invitation (点单 / 邀请 / 派单: the provider is put to the need);
ordered = the first order created, whatever its origin; accepted / signed / delivered = the first
order audit entry moving one of its orders into that state.

Each step's time per need is a MIN() over its rows, grouped by need in SQL; counts, conversion
rates and median days between steps are then worked out in Python over those few columns.
A need that reached a step without a recorded event of an earlier one (an order taken from an answer
counts as matched through the answer) is counted at that earlier step too, at the later step's time,
so no step holds more needs than the one before; the median gap between two steps counts only needs
with their own event at both (`Step.timed`), so such fill-ins never make a 0.0 days median.
Orders started from a service menu without a need are outside the funnel.

`outcomes` says what became of the same posted needs: solved (through a deal here or elsewhere),
closed, the median days from approval to solved, and the answers (proposals) they drew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import DateTime, case, func, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from market import scope
from market.broker.filters import Filters
from market.db import db
from market.i18n import N_
from market.match_log.models import MatchView
from market.matching.models import MatchFeedback
from market.needs.models import Need
from market.orders.models import AuditLog, Order, Proposal
from market.postings import PostingStatus
from market.providers.models import Provider

STEPS: tuple[tuple[str, str], ...] = (
    ("posted", N_("发布")),
    ("matched", N_("匹配")),
    ("ordered", N_("下单")),
    ("accepted", N_("接单")),
    ("signed", N_("签约")),
    ("delivered", N_("交付")),
)
# What each step counts, shown under the funnel on the reports page.
LEGEND: dict[str, str] = {
    "posted": N_("需求审核通过、公开的时间。"),
    "matched": N_(
        "最早的一次匹配：发布方或经纪人打开该需求的推荐服务方页面，评价推荐结果，服务方答题，或向服务方发出邀请、点单、派单。"
    ),
    "ordered": N_("第一张订单创建（点单、邀请、派单或采纳答题）。"),
    "accepted": N_("服务方第一次接单。"),
    "signed": N_("第一次签约（订单进入已签约）。"),
    "delivered": N_("第一次交付（订单进入已交付）。"),
}
# Orders whose creation is also an invitation: the provider is put to the need (not from an answer).
INVITATIONS = ("ordered", "invited", "dispatched")
SEARCHED = "matched_not_by_invitation"  # step_times' key for the match events that are not orders
# Order states whose first audit entry marks the step.
AUDITED = ("accepted", "signed", "delivered")


@dataclass
class Step:
    key: str
    label: str
    count: int
    rate: float | None  # share of the previous step, 0–1; None for the first step or an empty one
    median_days: float | None  # median days from the previous step, over needs with both events
    timed: int = 0  # needs the median is over: their own event at this step and at the previous one


class utc_naive(FunctionElement):  # type: ignore[type-arg]
    """A moment as UTC without tzinfo (SQLite hands back naive datetimes, PostgreSQL aware ones),
    converted by the database: PostgreSQL's `timezone('UTC', x)`, the value itself on SQLite.
    Converting tens of thousands of aware datetimes in Python took a quarter of the funnel's
    time on PostgreSQL (docs/performance.md)."""

    type = DateTime()
    inherit_cache = True


@compiles(utc_naive)
def _utc_naive_default(element: utc_naive, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(utc_naive, "postgresql")
def _utc_naive_postgresql(element: utc_naive, compiler: Any, **kw: Any) -> str:
    return f"timezone('UTC', {compiler.process(element.clauses, **kw)})"


def _need_ids(actor: Any, filters: Filters) -> Any:
    """Posted (approved at some point) needs in scope, as a subquery of ids."""
    query = scope.within(select(Need.id), Need.province, actor).where(Need.approved_at.is_not(None))
    if filters.field:
        query = query.where(*filters.need_clauses())
    if filters.region:
        query = query.where(Need.province == filters.region)
    since = filters.since()
    if since is not None:
        query = query.where(Need.approved_at >= since)
    return query


def _orders(filters: Filters) -> list[Any]:
    """Conditions on Order for the orders counted: of the chosen provider kind if any (none otherwise:
    an `orders.id IN (all orders)` makes SQLite pair every need with every order)."""
    if not filters.kind:
        return []
    return [Order.provider_id.in_(_kind_providers(filters.kind))]


def _times(query: Any) -> dict[int, datetime]:
    """need id → moment, from rows whose moment is already naive UTC (`utc_naive`)."""
    return {need_id: moment for need_id, moment in db.session.execute(query).all() if moment}


def _searched(ids: Any, filters: Filters) -> dict[int, datetime]:
    """need id → its first match event that is not an order: a match page view, a match feedback or
    an answer (from a provider of the chosen kind if any); one UNION ALL query, minimum taken in SQL."""
    answers = select(Proposal.need_id, Proposal.created_at).where(Proposal.need_id.in_(ids))
    if filters.kind:
        answers = answers.where(Proposal.provider_id.in_(_kind_providers(filters.kind)))
    events = union_all(
        select(MatchView.need_id.label("need_id"), MatchView.created_at.label("at")).where(
            MatchView.need_id.in_(ids)
        ),
        select(MatchFeedback.need_id, MatchFeedback.created_at).where(MatchFeedback.need_id.in_(ids)),
        answers,
    ).subquery()
    return _times(select(events.c.need_id, utc_naive(func.min(events.c.at))).group_by(events.c.need_id))


def _kind_providers(kind: str) -> Any:
    return select(Provider.id).where(Provider.kind == kind)


# _order_times' columns after the need id, in order.
ORDER_STEPS = ("invited", "ordered", *AUDITED)


def _order_times(ids: Any, filters: Filters) -> dict[str, dict[int, datetime]]:
    """need id → first invitation, first order and first audit entry into each AUDITED state.

    One pass over the needs' orders and their audit entries, grouped by need: MIN(CASE …) per step
    instead of one query per step, each re-reading the same join (docs/performance.md). The outer
    join repeats an order once per audit entry, which leaves every minimum unchanged. It joins all
    of an order's entries, the CASEs picking the AUDITED ones: one index range per order instead of
    one probe per AUDITED state (on SQLite a fifth of the query's time)."""
    audited = [
        utc_naive(func.min(case((AuditLog.to_status == state, AuditLog.created_at)))) for state in AUDITED
    ]
    query = (
        select(
            Order.need_id,
            utc_naive(func.min(case((Order.origin.in_(INVITATIONS), Order.created_at)))),
            utc_naive(func.min(Order.created_at)),
            *audited,
        )
        .outerjoin(AuditLog, AuditLog.order_id == Order.id)
        .where(Order.need_id.in_(ids), *_orders(filters))
        .group_by(Order.need_id)
    )
    found: dict[str, dict[int, datetime]] = {key: {} for key in ORDER_STEPS}
    for need_id, *moments in db.session.execute(query).all():
        for key, moment in zip(ORDER_STEPS, moments, strict=True):
            if moment is not None:
                found[key][need_id] = moment
    return found


def _earliest(*sources: dict[int, datetime]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for source in sources:
        for need, moment in source.items():
            if need not in found or moment < found[need]:
                found[need] = moment
    return found


def step_times(actor: Any, filters: Filters) -> dict[str, dict[int, datetime]]:
    """need id → when its own recorded event of each step first happened (no fill-ins).

    Three queries: the posted needs, their match events, their orders with audit entries."""
    ids = _need_ids(actor, filters)
    # The posted needs' own query with the approval added, not `Need.id IN (that query)`.
    times: dict[str, dict[int, datetime]] = {"posted": _times(ids.add_columns(utc_naive(Need.approved_at)))}
    # For the 匹配 → 下单 median: an invitation is itself the order, so only the other match events.
    times[SEARCHED] = _searched(ids, filters)
    orders = _order_times(ids, filters)
    times["matched"] = _earliest(times[SEARCHED], orders.pop("invited"))
    times.update(orders)
    return times


def reached(times: dict[str, dict[int, datetime]]) -> dict[str, set[int]]:
    """Needs at each step: those with its event, and those that went further (a later step implies
    the earlier ones, e.g. a delivered order was accepted even if its audit trail says otherwise)."""
    keys = [key for key, _label in STEPS]
    found: dict[str, set[int]] = {}
    later: set[int] = set()
    for key in reversed(keys):
        later = later | set(times[key])
        found[key] = set(later) if key != "posted" else set(times["posted"])
    return found


def build(actor: Any, filters: Filters) -> list[Step]:
    times = step_times(actor, filters)
    counted = reached(times)
    steps: list[Step] = []
    previous: str | None = None
    for key, label in STEPS:
        at = counted[key]
        rate = days = None
        timed = 0
        if previous is not None:
            before = counted[previous]
            rate = len(at) / len(before) if before else None
            own, earlier = times[key], times[SEARCHED if key == "ordered" else previous]
            gaps = [max((own[n] - earlier[n]).total_seconds(), 0) / 86400 for n in own if n in earlier]
            days = round(median(gaps), 1) if gaps else None
            timed = len(gaps)
        steps.append(Step(key, label, len(at), rate, days, timed))
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
    """Over the funnel's posted needs (same scope and filters); a reopened need counts as open again.

    Counts come from one grouped query; only the solved needs' two dates are read, for the median."""
    ids = _need_ids(actor, filters)
    counts = {
        (status, how): int(n)
        for status, how, n in db.session.execute(
            ids.with_only_columns(Need.status, Need.solved_how, func.count()).group_by(
                Need.status, Need.solved_how
            )
        ).all()
    }
    posted = sum(counts.values())
    solved = sum(n for (status, _how), n in counts.items() if status == PostingStatus.SOLVED)
    spans = db.session.execute(
        ids.with_only_columns(utc_naive(Need.approved_at), utc_naive(Need.solved_at)).where(
            Need.status == PostingStatus.SOLVED, Need.solved_at.is_not(None)
        )
    ).all()
    days = [max((solved_at - approved_at).total_seconds(), 0) / 86400 for approved_at, solved_at in spans]
    answers = _answer_count(ids, filters)
    return Outcomes(
        posted=posted,
        solved=solved,
        solved_here=counts.get((PostingStatus.SOLVED, "platform"), 0),
        closed=sum(n for (status, _how), n in counts.items() if status == PostingStatus.CLOSED),
        median_days_to_solve=round(median(days), 1) if days else None,
        answers=answers,
        answers_per_need=round(answers / posted, 2) if posted else None,
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
