"""Half a year of marketplace history for the demo, so the inboxes, the broker workspace, its
attention list, funnel and deal reports show something on the first start.

Every order is made and moved by the real services (`market.orders.services`, `.proposals`,
`.expiry`) acting as the demo users, so the state machine, audit log, follow-ups and notifications
are exactly what the app writes. Only afterwards are the new rows dated into the past (`_Clock`):
dates are not states, and the transitions module still assigns every status.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update

from market import permissions
from market.auth.models import Role, User
from market.conversations.models import Thread, ThreadMessage
from market.db import db, utcnow
from market.demo.showcase import add_showcase
from market.matching.models import MatchFeedback
from market.matching.services import record_feedback
from market.moderation.models import ModerationEvent
from market.needs import services as need_services
from market.needs.models import Need
from market.orders import expiry, proposals, services
from market.orders.models import (
    AuditLog,
    Deal,
    EmailOutbox,
    FollowUp,
    Notification,
    Order,
    Proposal,
    ProposalEvent,
    Review,
)
from market.orders.parties import enterprise_users, provider_users
from market.orders.terms import DealTerms, ProposalTerms, ReviewTerms, StepTerms
from market.providers.models import Provider

# Final states and how often an order ends there (out of 100).
FATES: tuple[tuple[str, int], ...] = (
    ("reviewed", 18),
    ("delivered", 10),
    ("signed", 14),
    ("negotiating", 14),
    ("accepted", 10),
    ("waiting", 10),
    ("declined", 12),
    ("cancelled", 6),
    ("expired", 6),
)
PATHS: dict[str, tuple[str, ...]] = {
    "waiting": (),
    "expired": (),
    "declined": ("decline",),
    "cancelled": ("accept", "cancel"),
    "accepted": ("accept",),
    "negotiating": ("accept", "negotiate"),
    "signed": ("accept", "negotiate", "sign"),
    "delivered": ("accept", "negotiate", "sign", "deliver"),
    "reviewed": ("accept", "negotiate", "sign", "deliver", "review"),
}
# Days each step takes after the one before it (low, high).
STEP_DAYS = {
    "accept": (1, 5),
    "decline": (1, 6),
    "negotiate": (2, 10),
    "sign": (6, 25),
    "deliver": (20, 60),
    "review": (1, 10),
    "cancel": (3, 20),
}
CONTRACTS = (("develop", 45), ("service", 20), ("consult", 15), ("transfer", 12), ("license", 8))

INVITE_MESSAGES = (
    "看到贵方在相关方向的成果，想邀请参与这项需求的技术对接。",
    "我们的问题和贵方的研究方向很接近，希望先约一次线上交流。",
)
DISPATCH_MESSAGE = "科协根据技术领域和地区推荐，请评估能否承接，一周内答复。"
ORDER_MESSAGES = ("希望了解服务周期、报价和需要我方准备的资料。", "我们有类似的问题，想先做一次咨询论证。")
DECLINE_REASONS = (
    "团队近三个月排期已满，无法按期投入。",
    "该问题超出我们的研究方向，建议联系更对口的专家。",
    "企业期望的周期太短，按现有条件难以保证质量。",
    "预算与所需的试验投入差距较大。",
)
CANCEL_REASONS = (
    "企业内部项目调整，需求暂缓。",
    "双方在知识产权归属上未能达成一致。",
    "企业已通过其他渠道解决了该问题。",
)
NOTES = (
    "已电话沟通，约定下周到企业现场调研。",
    "企业提供了近半年的故障记录和样品，正在分析。",
    "双方就技术路线达成初步共识，待企业内部立项。",
    "提交了初步方案和报价，企业正在内部评审。",
    "完成第一轮试验，关键指标改善明显，继续跟踪。",
    "科协组织双方召开线上对接会，明确了分工和里程碑。",
    "合同文本已发法务审核，预计两周内签署。",
)
REVIEWS = (
    "响应及时，方案切实可行，问题基本解决。",
    "专家团队专业扎实，现场指导很到位。",
    "交付比预期略晚，但效果达到了要求。",
    "沟通顺畅，后续还会继续合作。",
)
PROPOSAL_REJECTIONS = ("方案与我们现有产线的改造条件不匹配。", "报价超出本次预算。")


@dataclass(frozen=True)
class Plan:
    """One order to make: on a need (invited, dispatched or from a proposal) or a service (点单)."""

    origin: str  # "invite", "dispatch", "proposal", "service"
    provider: Provider
    need: Need | None = None
    service_id: int | None = None
    organisation_id: int | None = None
    proposal_id: int | None = None


class _Clock:
    """Dates what the services just wrote: every new row of the watched tables (id above the last
    mark) gets the moment the step is meant to have happened."""

    TABLES: tuple[Any, ...] = (
        AuditLog,
        FollowUp,
        Notification,
        MatchFeedback,
        Proposal,
        Deal,
        Review,
        ModerationEvent,
        ProposalEvent,
        Thread,
        ThreadMessage,
    )

    def __init__(self) -> None:
        self._marks: dict[Any, int] = {}
        self.mark()

    def mark(self) -> None:
        self._marks = self._latest()

    def _latest(self) -> dict[Any, int]:
        """The highest id of every watched table, in one query."""
        row = db.session.execute(
            select(*(select(func.max(model.id)).scalar_subquery() for model in self.TABLES))
        ).one()
        return {model: latest or 0 for model, latest in zip(self.TABLES, row, strict=True)}

    def stamp(
        self, when: datetime, order: Order | None = None, *, opened: bool = False, answer: int | None = None
    ) -> None:
        """Date the rows written since the mark, `order`'s last change (its creation too when
        `opened`) and `answer`'s, in SQL: through the ORM the version column would count a date as a
        change."""
        db.session.flush()
        if answer is not None:
            db.session.execute(
                update(Proposal).where(Proposal.id == answer).values(updated_at=when),
                execution_options={"synchronize_session": False},
            )
        if order is not None:
            dates = {"updated_at": when, "status_changed_at": when} | ({"created_at": when} if opened else {})
            db.session.execute(
                update(Order).where(Order.id == order.id).values(**dates),
                execution_options={"synchronize_session": False},
            )
        latest = self._latest()
        for model in self.TABLES:
            if latest[model] <= self._marks[model]:
                continue  # nothing new in this table
            values: dict[str, Any] = {"created_at": when}
            if hasattr(model, "updated_at"):
                values["updated_at"] = when
            db.session.execute(
                update(model).where(model.id > self._marks[model]).values(**values),
                execution_options={"synchronize_session": False},
            )
        self._marks = latest


class _History:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.clock = _Clock()
        self.brokers = list(db.session.scalars(select(User).where(User.role == Role.BROKER.value)))
        # Waiting orders are younger than the configured expiry (`market orders expire` leaves them),
        # expired ones older.
        self.expiry_days = int(current_app.config["ORDER_EXPIRY_DAYS"])

    # who acts

    def enterprise_user(self, organisation_id: int) -> User:
        return enterprise_users(organisation_id)[0]

    def provider_user(self, provider: Provider) -> User:
        return provider_users(provider)[0]

    def broker_for(self, province: str) -> User | None:
        return next((b for b in self.brokers if permissions.is_broker_for(b, province)), None)

    def actor(self, order: Order, action: str) -> User:
        if action in ("accept", "decline", "negotiate", "deliver"):
            return self.provider_user(order.provider)
        broker = order.broker if order.origin == "dispatched" else None
        if action == "sign" and broker is not None:
            return broker
        return self.enterprise_user(order.organisation_id)

    # time

    def days(self, low: float, high: float) -> timedelta:
        return timedelta(days=self.rng.uniform(low, high))

    def fate(self) -> str:
        return self.weighted(FATES)

    def weighted(self, choices: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([name for name, _ in choices], [weight for _, weight in choices])[0]

    def timeline(self, fate: str, earliest: datetime) -> tuple[datetime, list[tuple[str, datetime]]]:
        """When the order starts and when each step of its path happens; steps that would fall in
        the future are left undone (the order is still under way)."""
        if fate == "waiting":  # answered within ORDER_EXPIRY_DAYS, or it would have expired
            return max(earliest, self.now - self.days(0.2, self.expiry_days * 0.65)), []
        if fate == "expired":
            return max(earliest, self.now - self.days(self.expiry_days + 6, self.expiry_days + 46)), []
        path = PATHS[fate]
        gaps = [self.days(*STEP_DAYS[action]) for action in path]
        latest_start = self.now - sum(gaps, timedelta()) - timedelta(hours=1)
        start = earliest + self.days(0.5, 20)
        if start > latest_start:
            start = max(earliest + timedelta(hours=2), latest_start)
        steps, moment = [], start
        for action, gap in zip(path, gaps, strict=True):
            moment += gap
            if moment >= self.now:
                break
            steps.append((action, moment))
        return start, steps

    # making and moving orders

    def open(self, plan: Plan, start: datetime) -> Order:
        self.clock.mark()
        order = self._open(plan)
        self.clock.stamp(start, order, opened=True, answer=plan.proposal_id)
        return order

    def _open(self, plan: Plan) -> Order:
        rng, provider, need = self.rng, plan.provider, plan.need
        if plan.origin == "dispatch" and need is not None:
            broker = self.broker_for(need.province)
            assert broker is not None
            return services.dispatch(broker, need, [provider.id], message=DISPATCH_MESSAGE)[0]
        if plan.origin == "proposal" and plan.proposal_id is not None and need is not None:
            owner = self.enterprise_user(need.organisation_id)
            return proposals.to_order(owner, plan.proposal_id, message="贵方方案入选，请确认接单。")
        if need is not None:
            owner = self.enterprise_user(need.organisation_id)
            record_feedback(owner, need, provider, True, rng.randint(1, 5))
            return services.invite(owner, need, provider, message=rng.choice(INVITE_MESSAGES))
        assert plan.organisation_id is not None and plan.service_id is not None
        buyer = self.enterprise_user(plan.organisation_id)
        service = next(s for s in provider.services if s.id == plan.service_id)
        return services.order_service(buyer, service, message=rng.choice(ORDER_MESSAGES))

    def run(self, plan: Plan, earliest: datetime) -> Order:
        fate = self.fate()
        if fate == "expired" and earliest > self.now - timedelta(days=self.expiry_days + 2):
            fate = "declined"  # too recent to have expired yet
        start, steps = self.timeline(fate, earliest)
        order = self.open(plan, start)
        if fate == "expired":
            self.clock.mark()
            expiry.expire_one(order.id, self.expiry_days)
            self.clock.stamp(start + self.days(self.expiry_days + 0.1, self.expiry_days + 1), order)
        moment = start
        for action, when in steps:
            self.notes(order, moment, when)
            self.clock.mark()
            services.act(self.actor(order, action), order.id, action, self.values(order, action, when))
            self.clock.stamp(when, order)
            moment = when
        if order.status in ("accepted", "negotiating", "signed", "delivered"):
            self.notes(order, moment, self.now, open_order=True)
        return order

    def values(self, order: Order, action: str, when: datetime) -> StepTerms:
        rng = self.rng
        if action == "decline":
            return StepTerms(reason=rng.choice(DECLINE_REASONS))
        if action == "cancel":
            return StepTerms(reason=rng.choice(CANCEL_REASONS))
        if action == "review":
            rating = rng.choices((5, 4, 3, 2), (50, 32, 13, 5))[0]
            return StepTerms(review=ReviewTerms(rating=rating, body=rng.choice(REVIEWS)))
        if action == "sign":
            deal = DealTerms(
                contract_type=self.weighted(CONTRACTS),
                value_wan=Decimal(f"{self.deal_value(order):.2f}"),
                signed_on=when.date(),
                note="合同已双方盖章。",
            )
            return StepTerms(deal=deal)
        return StepTerms()

    def deal_value(self, order: Order) -> float:
        need = order.need
        if need is not None and need.budget_min is not None and need.budget_max is not None:
            return self.rng.uniform(need.budget_min, max(need.budget_min, need.budget_max))
        return self.rng.uniform(3, 80)

    def notes(self, order: Order, after: datetime, before: datetime, *, open_order: bool = False) -> None:
        """Zero to two notes between two steps; on an order still open, the last one asks for the
        next follow-up — sometimes a date already past, which the broker's attention list shows."""
        if before - after < timedelta(days=1) or self.rng.random() < 0.4:
            return
        for _ in range(self.rng.randint(1, 2)):
            when = after + (before - after) * self.rng.uniform(0.2, 0.9)
            author = self.rng.choice(self.note_authors(order))
            body = self.rng.choice(NOTES)
            next_on = (when + self.days(3, 21)).date() if open_order else None
            self.clock.mark()
            services.add_follow_up(author, order, body=body, next_follow_up_on=next_on)
            self.clock.stamp(when)

    def note_authors(self, order: Order) -> list[User]:
        authors = [self.enterprise_user(order.organisation_id), self.provider_user(order.provider)]
        broker = self.broker_for(order.province)
        return [*authors, broker] if broker is not None else authors

    def leave_answer(self, need: Need, answer: Proposal, fate: str, when: datetime) -> None:
        """Take an answer to `fate` as its need's owner (or, to withdraw it, its provider) would."""
        if fate == "submitted":
            return
        owner = self.enterprise_user(need.organisation_id)
        self.clock.mark()
        if fate == "shortlisted":
            proposals.shortlist(owner, answer.id)
        elif fate == "rejected":
            proposals.reject(owner, answer.id, reason=ANSWER_REJECTION)
        else:
            proposals.withdraw(self.provider_user(answer.provider), answer.id)
        self.clock.stamp(min(when, self.now - timedelta(hours=1)), answer=answer.id)

    # needs that leave the market

    def settle(self, need: Need, when: datetime, work: Callable[[User, Need], object]) -> None:
        """The owner marks the need solved or closed (through the service), dated `when`."""
        self.clock.mark()
        work(self.enterprise_user(need.organisation_id), need)
        self.clock.stamp(when)
        need.solved_at = when if need.solved_at is not None else None
        need.closed_at = when if need.closed_at is not None else None
        need.updated_at = when

    # 揭榜挂帅: proposals on open calls

    def propose(self, need: Need, providers: Sequence[Provider], earliest: datetime) -> list[Proposal]:
        made = []
        for provider in providers:
            self.clock.mark()
            proposal = proposals.submit(
                self.provider_user(provider),
                need,
                ProposalTerms(
                    approach=(
                        f"针对“{need.title}”，先做现场诊断和数据采集，再结合我们在"
                        f"{provider.expertise[:40]}方面的积累提出改进方案，分两个阶段验证效果。"
                    ),
                    team=f"{provider.name}牵头，3–5 人",
                    timeline=self.rng.choice(("3 个月", "6 个月", "9 个月")),
                    price_min=need.budget_min or 20,
                    price_max=need.budget_max or 60,
                ),
            )
            self.clock.stamp(earliest + self.days(1, 10))
            made.append(proposal)
        return made

    def judge(self, need: Need, made: list[Proposal], when: datetime) -> None:
        owner = self.enterprise_user(need.organisation_id)
        if len(made) > 1:
            self.clock.mark()
            proposals.reject(owner, made[-1].id, reason=self.rng.choice(PROPOSAL_REJECTIONS))
            self.clock.stamp(when, answer=made[-1].id)
        self.clock.mark()
        proposals.shortlist(owner, made[0].id)
        self.clock.stamp(when, answer=made[0].id)


def _date_postings(rng: random.Random, now: datetime, needs: list[Need], providers: list[Provider]) -> None:
    """Providers joined 8 to 13 months ago, needs were posted over the last 8 months."""
    for provider in providers:
        provider.created_at = now - timedelta(days=rng.uniform(240, 400))
        _review_dates(rng, provider)
    for need in needs:
        need.created_at = now - timedelta(days=rng.uniform(30, 240))
        _review_dates(rng, need)


def _review_dates(rng: random.Random, posting: Need | Provider) -> None:
    posting.updated_at = posting.created_at
    if posting.submitted_at is not None:
        posting.submitted_at = posting.created_at + timedelta(hours=rng.uniform(1, 30))
    if posting.approved_at is not None and posting.submitted_at is not None:
        posting.approved_at = posting.submitted_at + timedelta(days=rng.uniform(0.2, 3))


def _matching_providers(need: Need, providers: list[Provider]) -> list[Provider]:
    """Providers of the need's field, those of its province first (what the demo can know before
    the index exists)."""
    same_field = [p for p in providers if need.field_code in p.field_codes]
    return sorted(same_field, key=lambda p: (p.province != need.province, p.id))


def add_history(seed: int, needs: list[Need], providers: list[Provider]) -> str:
    """Orders, proposals, deals, reviews and follow-ups over the last months; returns a summary."""
    rng = random.Random(seed)
    now = utcnow()
    _date_postings(rng, now, needs, providers)
    db.session.flush()
    history = _History(rng, now)
    public_providers = [p for p in providers if p.is_public]
    public_needs = [n for n in needs if n.is_public]
    orders: list[Order] = []
    outbox_mark = db.session.scalar(select(func.max(EmailOutbox.id))) or 0
    first_org = min(n.organisation_id for n in needs)  # the demo enterprise@ login
    for index, need in enumerate(public_needs):
        if need.organisation_id != first_org and index % 5 not in (0, 2):
            continue  # about two needs in five get orders, every one of the demo enterprise's
        candidates = _matching_providers(need, public_providers)[:6]
        if not candidates:
            continue
        approved = need.approved_at or need.created_at
        if need.is_open_call and len(candidates) >= 2:
            made = history.propose(need, candidates[:3], approved)
            history.judge(need, made, approved + history.days(11, 15))
            plan = Plan("proposal", made[0].provider, need=need, proposal_id=made[0].id)
            orders.append(history.run(plan, approved + history.days(15, 16)))
            continue
        origin = "dispatch" if index % 3 == 0 else "invite"
        for provider in rng.sample(candidates, k=min(len(candidates), rng.choice((1, 1, 2)))):
            orders.append(history.run(Plan(origin, provider, need=need), approved))
    quiet = [n for n in public_needs if n.is_public and not n.orders]  # type: ignore[attr-defined]
    settled = _settle_needs(history, quiet[:2], orders, first_org)
    answers = _answer_needs(history, [n for n in quiet[2:] if not n.is_open_call][:6], public_providers)
    orders += _service_orders(history, rng, public_providers, needs, now)
    # What enterprise@ and the featured expert see first: answers in every state, conversations.
    shown, messages = add_showcase(history, needs, providers, first_org, _matching_providers)
    _read_old_notifications(now)
    # Demo addresses are not real: the history queues no mail.
    db.session.execute(delete(EmailOutbox).where(EmailOutbox.id > outbox_mark))
    db.session.flush()
    deals = db.session.scalar(select(func.count()).select_from(Deal)) or 0
    return (
        f"{len(orders)} orders ({deals} signed deals), {answers + shown} answers on ordinary needs, "
        f"{settled} needs solved or closed, {messages} messages in conversations, over the last months"
    )


ANSWER_FATES = ("submitted", "shortlisted", "rejected", "withdrawn")
ANSWER_REJECTION = "方案的试验周期太长，和我们的投产计划对不上。"


def _answer_needs(history: _History, needs: list[Need], providers: list[Provider]) -> int:
    """科技答题 on ordinary (not 揭榜挂帅) needs without an order: two answers each, the first left
    submitted, shortlisted, declined with a reason or withdrawn by its provider."""
    made = 0
    for index, need in enumerate(needs):
        others = [
            p for p in _matching_providers(need, providers) if p.organisation_id != need.organisation_id
        ]
        if not others:
            continue
        approved = need.approved_at or need.created_at
        answers = history.propose(need, others[:2], approved)
        fate = ANSWER_FATES[index % len(ANSWER_FATES)]
        history.leave_answer(need, answers[0], fate, approved + history.days(11, 15))
        made += len(answers)
    return made


SOLVED_HERE_REASON = "合作方案已在产线落地，关键指标达到预期，问题解决。"
SOLVED_ELSEWHERE_REASON = "企业自有研发团队找到了可行方案，问题已解决。"
CLOSED_REASON = "企业内部项目调整，该需求暂不推进。"


def _settle_needs(history: _History, quiet: list[Need], orders: list[Order], first_org: int) -> int:
    """A few needs leave the market as their owners would mark them: one solved through its signed
    order (the demo enterprise's first, when it has one), and two of the `quiet` ones (no order): one
    solved elsewhere, one closed."""
    signed = sorted(
        (o for o in orders if o.need is not None and o.deal is not None and o.engaged and o.need.is_public),
        key=lambda o: (o.organisation_id != first_org, o.id),
    )
    settled = 0
    if signed:
        order = signed[0]
        assert order.need is not None and order.deal is not None
        signed_on = datetime.combine(order.deal.signed_on, time(), tzinfo=UTC)
        history.settle(
            order.need,
            _between(history, signed_on),
            lambda owner, need: need_services.solve_need(
                owner, need.id, how="platform", order_id=order.id, reason=SOLVED_HERE_REASON
            ),
        )
        settled += 1
    steps: tuple[Callable[[User, Need], object], ...] = (
        lambda owner, need: need_services.solve_need(
            owner, need.id, how="elsewhere", reason=SOLVED_ELSEWHERE_REASON
        ),
        lambda owner, need: need_services.close_need(owner, need.id, reason=CLOSED_REASON),
    )
    for need, step in zip(quiet, steps, strict=False):
        history.settle(need, _between(history, need.approved_at or need.created_at), step)
        settled += 1
    return settled


def _between(history: _History, since: datetime) -> datetime:
    """A moment between `since` and now, at least an hour before now."""
    since = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
    latest = history.now - timedelta(hours=1)
    return min(latest, since + (history.now - since) * history.rng.uniform(0.3, 0.8))


def _service_orders(
    history: _History, rng: random.Random, providers: list[Provider], needs: list[Need], now: datetime
) -> list[Order]:
    """点单 from service menus: by a spread of enterprises, a few of provider001's among them."""
    organisations = sorted({n.organisation_id for n in needs})
    with_services = [p for p in providers if any(s.active for s in p.services)]
    chosen = [with_services[0], *rng.sample(with_services[1:], k=min(24, len(with_services) - 1))]
    made: list[Order] = []
    for provider in chosen:
        service = rng.choice([s for s in provider.services if s.active])
        buyer = rng.choice(organisations)
        plan = Plan("service", provider, service_id=service.id, organisation_id=buyer)
        made.append(history.run(plan, now - timedelta(days=200)))
    return made


def _read_old_notifications(now: datetime) -> None:
    """People have read what is more than a week old; the rest is still unread."""
    old = db.session.scalars(
        select(Notification)
        .where(Notification.created_at < now - timedelta(days=7))
        .execution_options(populate_existing=True)  # their dates were set in SQL
    )
    for notice in old:
        notice.read_at = notice.created_at + timedelta(days=1)
