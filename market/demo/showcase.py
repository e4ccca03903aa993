"""What the demo's first logins show: 科技答题 on a need of the demo enterprise (enterprise@), an
expert whose 我的答题 has answers in several states, and conversations on answers and orders.

Like the rest of the history, every answer, step and message is made by the real services acting as
the demo users (`market.orders.proposals`, `market.orders.services`, `market.conversations.services`),
so rules, read markers and notifications are what the app writes; the history's clock then dates the
new rows at fixed offsets before the demo's `now`. Some of the latest messages stay unread, so the
navigation badge of enterprise@ (and of the expert, and of provider001) shows a count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from market.auth.models import User
from market.conversations import services as conversations
from market.conversations.models import Thread, ThreadRead
from market.db import db, utcnow
from market.needs.models import Need
from market.orders import proposals, services
from market.orders.models import Order, Proposal
from market.orders.parties import enterprise_users, provider_users
from market.orders.terms import ProposalTerms, StepTerms
from market.providers.models import Provider

if TYPE_CHECKING:
    from market.demo.history import _History

# The sides of a scripted message: the need's enterprise, the provider, the region's broker.
E, P, B = "enterprise", "provider", "broker"

# The answers on the demo enterprise's need, in the order of the answerers: the featured expert's is
# picked (ordered), then one shortlisted, one declined with a reason, the rest waiting.
SHOWCASE_FATES = ("ordered", "shortlisted", "rejected", "submitted", "submitted")
SHOWCASE_REJECTION = "方案以表面处理为主，我们更希望从材料和工艺上根本解决，本次暂不考虑。"
# The featured expert's answers on other needs of its fields, after the one above.
EXPERT_FATES = ("shortlisted", "rejected", "submitted")
EXPERT_REJECTION = "贵方的试验周期较长，和我们的投产节点对不上，感谢参与。"
PICKED_MESSAGE = "经过比较，贵方方案最贴合我们的情况，请确认接单，细节在沟通里继续谈。"

Matching = Callable[[Need, list[Provider]], list[Provider]]
# A script is (side, text, days before now); the thread is read to its end unless `unread`.
Script = tuple[tuple[str, str, float], ...]

ASK_BEFORE_PICKING: Script = (
    (
        E,
        "您好，看了贵方的答题方案，思路和我们的情况比较贴近。想先了解一下：小试大概需要我们提供多少样品？是否需要停线配合？",
        13.0,
    ),
    (
        P,
        "您好！小试阶段需要3–5个批次的样品和近半年的工艺记录，不需要停线；中试时要在一条线上安排两三天的窗口期，可以按贵方的排产来定。",
        12.6,
    ),
    (E, "明白了，我们内部评估一下，这两天给您答复。", 12.2),
)
AFTER_ACCEPTING: Script = (
    (P, "已接单，感谢信任。我们计划下周到厂里做现场诊断，请帮忙准备近半年的质量记录和失效样品。", 7.5),
    (E, "好的，资料正在整理。现场对接人是生产部王工，联系方式稍后在平台上共享给您。", 6.8),
    (B, "我是{broker}，负责跟进这项对接。双方如需检测机构配合或技术开发合同范本，可以随时在这里找我。", 2.0),
    (
        P,
        "现场诊断已完成，初步判断问题主要出在工艺参数波动上。书面诊断报告和下一阶段的试验方案明天发给您。",
        0.4,
    ),
)
QUESTION_ON_WAITING: Script = (
    (E, "您好，方案我们看了。想问一下报价区间包含哪些内容？试验材料费是否另算？", 4.0),
    (
        P,
        "您好，报价包含方案设计、小试和一轮中试的人工与测试费用；试验材料按实际用量由贵方提供或另行结算。方便的话可以先约一次线上会议细聊。",
        0.8,
    ),
)
AFTER_DECLINING: Script = (
    (P, "收到婉拒，理解贵方的考虑。如果后续希望缩短试验周期，我们也可以调整方案，欢迎再联系。", 10.5),
    (E, "谢谢理解，后续有合适的需求会再联系您。", 10.2),
)
ON_DISPATCHED_ORDER: Script = (
    (B, "我是{broker}。这一单是科协根据技术领域和地区派的，双方对合作方式有疑问可以在这里沟通。", 9.0),
    (P, "我们已看过需求的保密部分，建议先签保密协议，再安排一次技术交流。", 8.2),
    (E, "同意，保密协议模板由我们这边出，明天发过来。", 7.9),
)
ON_SHORTLISTED: Script = (
    (P, "您好，答题里提到的检测报告和以往项目的案例如有需要可以提供，欢迎随时沟通。", 5.0),
    (E, "您好，您的方案已进入候选名单。想请您补充一下负责现场试验的人员安排，以及类似项目的验收指标。", 1.2),
)
ON_OPEN_ORDER: Script = (
    (E, "您好，想确认一下项目周期大概多久？第一阶段需要我们提前准备哪些资料？", 6.0),
    (P, "一般4–6周出第一阶段结果。需要贵方提供产品说明和现有的检测数据，我们收到后先出一份评估意见。", 5.3),
    (E, "资料已经整理好了，方便的话本周五上午线上沟通一次？", 0.6),
)


@dataclass(frozen=True)
class Talk:
    thread: Thread
    script: Script
    unread: bool  # the last messages stay unread for the side that did not write them
    since: datetime  # the engagement's last step: no message comes before it


def add_showcase(
    history: _History,
    needs: Sequence[Need],
    providers: Sequence[Provider],
    first_org: int,
    matching: Matching,
) -> tuple[int, int]:
    """Answers on the demo enterprise's need and the featured expert's, then conversations; returns
    (answers made, messages posted). `matching` lists the providers of a need's field, best first."""
    now = history.now
    public_providers = [p for p in providers if p.is_public]
    need = _showcase_need(needs, first_org)
    if need is None:
        return 0, 0
    answerers = _answerers(need, matching(need, public_providers))
    if not answerers:
        return 0, 0
    earliest = max(_aware(need.approved_at or need.created_at), now - timedelta(days=24))
    made = [
        _answer(history, need, provider, earliest + timedelta(days=1 + 2 * index), index)
        for index, provider in enumerate(answerers)
    ]
    owner = history.enterprise_user(need.organisation_id)
    talks: list[Talk] = []
    order: Order | None = None
    submitted = now - timedelta(days=14)  # propose() dates answers up to 10 days after `earliest`
    for answer, fate in zip(made, SHOWCASE_FATES, strict=False):
        if fate == "ordered":
            asked = Talk(
                conversations.thread_for_proposal(owner, answer), ASK_BEFORE_PICKING, False, submitted
            )
            order = _pick(history, owner, answer)
            accepted = now - timedelta(days=8)
            talks += [
                asked,
                Talk(conversations.thread_for_order(owner, order), AFTER_ACCEPTING, True, accepted),
            ]
        elif fate == "shortlisted":
            _step(history, now - timedelta(days=11.5), answer, partial(proposals.shortlist, owner, answer.id))
        elif fate == "rejected":
            declined = now - timedelta(days=11)
            _step(
                history,
                declined,
                answer,
                partial(proposals.reject, owner, answer.id, reason=SHOWCASE_REJECTION),
            )
            talks.append(
                Talk(conversations.thread_for_proposal(owner, answer), AFTER_DECLINING, False, declined)
            )
        elif not any(t.script is QUESTION_ON_WAITING for t in talks):
            thread = conversations.thread_for_proposal(owner, answer)
            talks.append(Talk(thread, QUESTION_ON_WAITING, True, submitted))
    expert = answerers[0]
    answered = len(made) + _expert_answers(history, expert, needs, need, talks)
    talks += _order_talks(history, first_org, exclude=order)
    messages = sum(_converse(history, talk) for talk in talks)
    return answered, messages


APPROACHES = (
    "针对“{title}”，建议分三步：先到现场诊断，采集近半年的工艺参数和失效样品；再在实验室做小试，"
    "筛选两到三种改进方案；最后在一条产线上中试验证，达标后形成工艺规范并培训操作人员。",
    "我们先用两周时间做问题复现和原因分析，给出诊断报告；随后针对“{title}”提出材料和工艺的联合"
    "改进方案，小试合格后在贵方产线做批量验证，全程提供数据和阶段报告。",
    "建议先签保密协议、交换技术资料，由我们出具可行性评估；评估通过后开展小试和中试，"
    "重点验证关键指标的稳定性，并协助贵方完成工艺文件和质量控制点的调整。",
)
TIMELINES = ("3 个月", "4 个月", "6 个月")


def _answer(history: _History, need: Need, provider: Provider, when: datetime, variant: int) -> Proposal:
    """答题 by the provider's login, citing its achievements as evidence, dated `when`."""
    evidence = provider.achievements[:2]
    background = "、".join(f"“{a.title}”" for a in evidence)
    approach = APPROACHES[variant % len(APPROACHES)].format(title=need.title)
    if background:
        approach += f"团队在{background}等工作中积累了相关经验。"
    low = need.budget_min or 20
    terms = ProposalTerms(
        approach=approach,
        team=f"{provider.name}牵头，{3 + variant % 3} 人，含工艺和检测人员",
        timeline=TIMELINES[variant % len(TIMELINES)],
        price_min=low,
        price_max=max(low, need.budget_max or low * 2),
        achievement_ids=tuple(a.id for a in evidence),
    )
    history.clock.mark()
    answer = proposals.submit(history.provider_user(provider), need, terms)
    history.clock.stamp(when, answer=answer.id)
    return answer


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _open_to_answers(need: Need, today: date) -> bool:
    return need.is_public and not need.is_open_call and (need.deadline is None or need.deadline >= today)


def _showcase_need(needs: Sequence[Need], first_org: int) -> Need | None:
    """The demo enterprise's first public ordinary need, the one its answers are shown on."""
    today = utcnow().date()
    mine = (n for n in sorted(needs, key=lambda n: n.id) if n.organisation_id == first_org)
    return next((n for n in mine if _open_to_answers(n, today)), None)


def _engaged(need: Need) -> set[int]:
    """Providers already answering or ordered on the need."""
    answering = db.session.scalars(select(Proposal.provider_id).where(Proposal.need_id == need.id))
    ordered = db.session.scalars(select(Order.provider_id).where(Order.need_id == need.id))
    return {*answering, *ordered}


def _answerers(need: Need, matches: list[Provider]) -> list[Provider]:
    """Up to five of the providers of the need's field (those the matching engine ranks for it), not
    yet on it; the first expert among them, who logs in as themselves, answers first."""
    engaged = _engaged(need)
    same_field = [
        p
        for p in matches
        if p.id not in engaged and p.organisation_id != need.organisation_id and provider_users(p)
    ]
    experts = [p for p in same_field if p.kind == "expert" and p.user_id is not None]
    if not experts:
        return same_field[: len(SHOWCASE_FATES)]
    first = min(experts, key=lambda p: p.id)
    return [first, *[p for p in same_field if p is not first]][: len(SHOWCASE_FATES)]


def _step(history: _History, when: datetime, answer: Proposal, work: Callable[[], object]) -> None:
    """One step on an answer by its service, dated `when`."""
    history.clock.mark()
    work()
    history.clock.stamp(when, answer=answer.id)


def _pick(history: _History, owner: User, answer: Proposal) -> Order:
    """The enterprise shortlists the answer, then orders it; the expert accepts (接单)."""
    now = history.now
    _step(history, now - timedelta(days=12), answer, lambda: proposals.shortlist(owner, answer.id))
    history.clock.mark()
    order = proposals.to_order(owner, answer.id, message=PICKED_MESSAGE)
    history.clock.stamp(now - timedelta(days=9), order, opened=True, answer=answer.id)
    history.clock.mark()
    services.act(history.provider_user(answer.provider), order.id, "accept", StepTerms())
    history.clock.stamp(now - timedelta(days=8), order)
    return order


def _expert_answers(
    history: _History, expert: Provider, needs: Sequence[Need], showcase: Need, talks: list[Talk]
) -> int:
    """The featured expert also answers other public needs of its fields (other enterprises' first),
    left shortlisted, declined and waiting: its 我的答题 shows every state."""
    now = history.now
    taken = set(db.session.scalars(select(Proposal.need_id).where(Proposal.provider_id == expert.id)))
    fields = set(expert.field_codes)
    today = now.date()
    others = sorted(
        (
            n
            for n in needs
            if n is not showcase
            and n.id not in taken
            and n.field_code in fields
            and _open_to_answers(n, today)
            and n.organisation_id != expert.organisation_id
        ),
        key=lambda n: (n.organisation_id == showcase.organisation_id, n.id),
    )
    made = 0
    for need, fate in zip(others, EXPERT_FATES, strict=False):
        earliest = max(_aware(need.approved_at or need.created_at), now - timedelta(days=40))
        answer = _answer(history, need, expert, earliest + timedelta(days=3 + made), made)
        made += 1
        owner = history.enterprise_user(need.organisation_id)
        when = now - timedelta(days=18)
        if fate == "shortlisted":
            _step(history, when, answer, partial(proposals.shortlist, owner, answer.id))
            talks.append(Talk(conversations.thread_for_proposal(owner, answer), ON_SHORTLISTED, True, when))
        elif fate == "rejected":
            _step(
                history,
                when,
                answer,
                partial(proposals.reject, owner, answer.id, reason=EXPERT_REJECTION),
            )
    return made


def _order_talks(history: _History, first_org: int, exclude: Order | None) -> list[Talk]:
    """A dispatched order of the demo enterprise under way (with its broker), and a 点单 under way
    whose enterprise's last question waits unread for the provider."""
    talks: list[Talk] = []
    mine = db.session.scalars(
        select(Order)
        .where(Order.organisation_id == first_org, Order.origin == "dispatched")
        .where(Order.status.in_(("negotiating", "accepted", "signed")))
        .order_by(Order.id)
    ).first()
    if mine is not None and mine is not exclude:
        owner = history.enterprise_user(first_org)
        thread = conversations.thread_for_order(owner, mine)
        talks.append(Talk(thread, ON_DISPATCHED_ORDER, False, _order_moment(mine)))
    service_order = db.session.scalars(
        select(Order)
        .where(Order.service_id.is_not(None), Order.status.in_(("accepted", "negotiating", "signed")))
        .order_by(Order.id)
    ).first()
    if service_order is not None:
        user = history.provider_user(service_order.provider)
        thread = conversations.thread_for_order(user, service_order)
        talks.append(Talk(thread, ON_OPEN_ORDER, True, _order_moment(service_order)))
    return talks


def _speaker(history: _History, thread: Thread, side: str) -> User | None:
    if side == E:
        return enterprise_users(thread.organisation_id)[0]
    if side == P:
        return provider_users(thread.provider)[0]
    return history.broker_for(thread.province)


def _converse(history: _History, talk: Talk) -> int:
    """Post the script in the thread, each message at its moment (never before the engagement's last
    step); afterwards everybody has read it unless it is `unread`."""
    thread = talk.thread
    moments = _moments(history.now, _aware(talk.since), [days for _side, _text, days in talk.script])
    posted = 0
    last: datetime | None = None
    for (side, text, _days), when in zip(talk.script, moments, strict=True):
        author = _speaker(history, thread, side)
        if author is None:
            continue  # no broker covers the region
        history.clock.mark()
        conversations.post_message(author, thread.id, text.format(broker=author.name))
        history.clock.stamp(when)
        _date_thread(thread, author, when)
        posted += 1
        last = when
    if not talk.unread and last is not None:
        for reader in _parties(thread):
            conversations.mark_read(reader, thread)
            _date_thread(thread, reader, last + timedelta(hours=2), read_only=True)
    return posted


def _parties(thread: Thread) -> list[User]:
    return [*enterprise_users(thread.organisation_id), *provider_users(thread.provider)]


def _order_moment(order: Order) -> datetime:
    """When the order last changed (dated by the history's clock in SQL, so read from the database)."""
    moment = db.session.scalar(select(Order.status_changed_at).where(Order.id == order.id))
    assert moment is not None
    return _aware(moment)


def _moments(now: datetime, since: datetime, days_before: list[float]) -> list[datetime]:
    """The script's moments (days before now); squeezed evenly between `since` and now when the
    engagement is younger than the script."""
    wanted = [now - timedelta(days=d) for d in days_before]
    if wanted[0] > since + timedelta(hours=1):
        return wanted
    span = (now - timedelta(minutes=10)) - since
    return [since + span * (i + 1) / (len(wanted) + 1) for i in range(len(wanted))]


def _date_thread(thread: Thread, user: User, when: datetime, *, read_only: bool = False) -> None:
    """Date the thread's last activity and the user's read marker (written by the services just now)."""
    if not read_only:
        db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(last_message_at=when, updated_at=when)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(ThreadRead)
        .where(ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id)
        .values(read_at=when)
        .execution_options(synchronize_session=False)
    )
