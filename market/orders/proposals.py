"""科技答题 on every public need: answer, edit, withdraw; the enterprise shortlists, declines or orders;
brokers of the region hide abusive answers and nudge the enterprise; enterprises block providers.

STEPS is the one table of an answer's states: which action moves it from where to where, and which
side takes it. Every step (and every broker's act) is written to ProposalEvent. Services flush only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from market import permissions
from market.attachments.files import Upload
from market.attachments.models import ProposalAttachment
from market.attachments.services import CheckedFile, checked_upload
from market.auth import accounts
from market.auth.models import User
from market.db import db, utcnow
from market.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.ids import row_id
from market.matching import services as matching
from market.messages import Message, build
from market.needs.models import Need
from market.needs.services import require_on_market
from market.orders import notify, services
from market.orders import permissions as rules
from market.orders.models import Order, Proposal, ProposalEvent, ProviderBlock
from market.orders.parties import enterprise_users, provider_users
from market.orders.queries import need_proposals, proposal_of
from market.orders.terms import ProposalTerms
from market.orders.transitions import Party
from market.providers.models import Achievement, Provider
from market.providers.services import provider_of

PROVIDER, ENTERPRISE = Party.PROVIDER, Party.ENTERPRISE
OPEN_STATES = frozenset({"submitted", "shortlisted"})
FILES_PER_ANSWER = 5  # files on one answer (each within ATTACHMENT_MAX_BYTES)


@dataclass(frozen=True)
class Step:
    starts: frozenset[str]
    to: str
    party: Party


# action -> (states it may start from, state it ends in, the side that takes it). The provider may
# change its mind until the enterprise acts on the answer (shortlist, decline or order).
STEPS: dict[str, Step] = {
    "edit": Step(frozenset({"submitted"}), "submitted", PROVIDER),
    "withdraw": Step(frozenset({"submitted"}), "withdrawn", PROVIDER),
    "resubmit": Step(frozenset({"withdrawn"}), "submitted", PROVIDER),
    "shortlist": Step(frozenset({"submitted"}), "shortlisted", ENTERPRISE),
    "reject": Step(OPEN_STATES, "rejected", ENTERPRISE),
    "order": Step(OPEN_STATES, "ordered", ENTERPRISE),
}
# Filters of the enterprise's list; `rejected` is shown as 未入选 (declined).
LIST_STATES = ("submitted", "shortlisted", "rejected", "ordered")


# ---- who may answer -------------------------------------------------------------------------------------


def answer_refusal(actor: Any, need: Need, provider: Provider | None) -> DomainError | None:
    """Why this actor may not answer this need now, or None. The need page shows it instead of the form;
    submit and edit raise it."""
    if provider is None or not provider.is_public or not permissions.owns_provider(actor, provider):
        return Forbidden(_("只有已公开的服务方可以答题。"))
    try:
        require_on_market(need)  # solved or closed: says which
    except Conflict as ended:
        return ended
    if not need.is_public:
        return Conflict(_("该需求未公开或已关闭，不再接受答题。"))
    if need.deadline is not None and need.deadline < utcnow().date():
        return Conflict(_("该需求已过截止日期，不再接受答题。"))
    if _same_organisation(actor, need, provider):
        return Forbidden(_("不能对本单位发布的需求答题。"))
    if is_blocked(need.organisation_id, provider.id):
        return Forbidden(_("发布该需求的企业已不再接收你的答题。"))
    return None


def _same_organisation(actor: Any, need: Need, provider: Provider) -> bool:
    organisations = {provider.organisation_id, getattr(actor, "organisation_id", None)} - {None}
    return need.organisation_id in organisations


def is_blocked(organisation_id: int, provider_id: int) -> bool:
    found = db.session.scalar(
        select(ProviderBlock.id).where(
            ProviderBlock.organisation_id == organisation_id, ProviderBlock.provider_id == provider_id
        )
    )
    return found is not None


def _check_may_answer(actor: Any, need: Need, provider: Provider | None) -> Provider:
    accounts.require_verified(actor)
    refusal = answer_refusal(actor, need, provider)
    if refusal is not None:
        raise refusal
    assert provider is not None
    return provider


def _check_daily_limit(provider: Provider) -> None:
    """New answers in the last 24 hours, per provider (ANSWERS_PER_DAY): a brake on copy-paste spam."""
    limit = int(current_app.config["ANSWERS_PER_DAY"])
    since = utcnow() - timedelta(days=1)
    recent = db.session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.provider_id == provider.id, Proposal.created_at >= since
        )
    )
    if (recent or 0) >= limit:
        raise Conflict(_("24 小时内最多提交 {limit} 份答题，请明天再来。", limit=limit))


def _evidence(provider: Provider, ids: tuple[int, ...]) -> list[Achievement]:
    """The cited achievements, which must all be the provider's own."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = (
        list(
            db.session.scalars(
                select(Achievement).where(Achievement.id.in_(wanted), Achievement.provider_id == provider.id)
            )
        )
        if all(row_id(i) for i in wanted)
        else []
    )
    if len(found) != len(wanted):
        message = _("只能引用本服务方自己的成果。")
        raise ValidationFailed(message, field_errors={"achievement_ids": [message]})
    return sorted(found, key=lambda a: a.id)


# ---- the provider's side ----------------------------------------------------------------------------------


def submit(actor: User, need: Need, terms: ProposalTerms, uploads: Sequence[Upload] = ()) -> Proposal:
    """答题 on a public need, with optional files. One row per provider and need: a withdrawn answer
    comes back to life (with the files it had)."""
    provider = _check_may_answer(actor, need, provider_of(actor))
    existing = proposal_of(need, provider)
    if existing is not None and existing.status != "withdrawn":
        raise Conflict(_("你已对该需求提交过答题，可在原答题中修改。"))
    evidence = _evidence(provider, terms.achievement_ids)
    files = _checked_files(uploads)
    if existing is not None:
        proposal = _lock(existing.id)
        _fire(proposal, "resubmit", actor)
        _write_terms(proposal, terms, evidence)
    else:
        _check_daily_limit(provider)
        proposal = _create(actor, need, provider, terms, evidence)
    _change_files(actor, proposal, files)
    submitted = build("proposal.submitted", provider=provider.name, title=need.title, need_id=need.id)
    for user in enterprise_users(need.organisation_id):
        notify.notify_user(user, None, "proposal", submitted)
    return proposal


def _create(
    actor: User, need: Need, provider: Provider, terms: ProposalTerms, evidence: list[Achievement]
) -> Proposal:
    proposal = Proposal(need_id=need.id, provider_id=provider.id, author_id=actor.id, status="submitted")
    try:
        with db.session.begin_nested():  # two tabs submitting at once: the second meets the unique key
            db.session.add(proposal)
            _write_terms(proposal, terms, evidence)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("你已对该需求提交过答题，可在原答题中修改。")) from None
    _record(proposal, actor, "submit", "", proposal.status)
    return proposal


def _write_terms(proposal: Proposal, terms: ProposalTerms, evidence: list[Achievement]) -> None:
    proposal.approach = terms.approach
    proposal.team = terms.team
    proposal.timeline = terms.timeline
    proposal.price_min = terms.price_min
    proposal.price_max = terms.price_max
    proposal.evidence = evidence


def edit(
    actor: User,
    proposal_id: int,
    terms: ProposalTerms,
    uploads: Sequence[Upload] = (),
    remove_file_ids: Sequence[int] = (),
) -> Proposal:
    """Change one's answer while the enterprise has not acted on it: its text, and files added or
    removed."""
    proposal = lock_own_proposal(actor, proposal_id)
    provider = _check_may_answer(actor, proposal.need, proposal.provider)
    evidence = _evidence(provider, terms.achievement_ids)
    files = _checked_files(uploads)
    _fire(proposal, "edit", actor)
    _write_terms(proposal, terms, evidence)
    _change_files(actor, proposal, files, remove_file_ids)
    db.session.flush()
    return proposal


# ---- an answer's files -------------------------------------------------------------------------------


def _checked_files(uploads: Sequence[Upload]) -> list[CheckedFile]:
    """Every upload checked by the attachment rules before anything is written (one bad file: 422)."""
    return [checked_upload(upload.filename, upload.data, field="files") for upload in uploads]


def _change_files(
    actor: User, proposal: Proposal, added: list[CheckedFile], removed: Sequence[int] = ()
) -> list[ProposalAttachment]:
    """Remove the named files of the answer (ids of other answers' files are ignored) and add the new
    ones, within FILES_PER_ANSWER."""
    if not added and not removed:
        return []
    kept = [f for f in proposal.files if f.id not in set(removed)]
    if len(kept) + len(added) > FILES_PER_ANSWER:
        message = _("每份答题最多 {n} 个附件，请先删除不需要的附件。", n=FILES_PER_ANSWER)
        raise ValidationFailed(message, field_errors={"files": [message]})
    made = [
        ProposalAttachment(
            uploaded_by=actor.id,
            filename=c.filename,
            kind=c.kind,
            size=c.size,
            sha256=c.sha256,
            data=c.data,
        )
        for c in added
    ]
    proposal.files = kept + made
    db.session.flush()
    return made


def add_files(actor: User, proposal_id: int, uploads: Sequence[Upload]) -> list[ProposalAttachment]:
    """Attach files to one's answer while it may be edited (an edit, recorded as one)."""
    proposal = lock_own_proposal(actor, proposal_id)
    _check_may_answer(actor, proposal.need, proposal.provider)
    files = _checked_files(uploads)
    if not files:
        message = _("请选择要上传的文件。")
        raise ValidationFailed(message, field_errors={"files": [message]})
    _fire(proposal, "edit", actor)
    return _change_files(actor, proposal, files)


def remove_file(actor: User, proposal_id: int, file_id: int) -> Proposal:
    """Remove a file from one's answer while it may be edited (an edit, recorded as one)."""
    proposal = lock_own_proposal(actor, proposal_id)
    if not any(f.id == file_id for f in proposal.files):
        raise NotFound(_("附件不存在或你无权查看。"))
    _check_may_answer(actor, proposal.need, proposal.provider)
    _fire(proposal, "edit", actor)
    _change_files(actor, proposal, [], (file_id,))
    return proposal


def downloadable_file(actor: Any, file_id: int) -> ProposalAttachment:
    """An answer's file for whoever may read the answer (its two parties, the region's brokers); for
    everybody else the same 404 as a file that does not exist."""
    stored = db.session.get(ProposalAttachment, file_id) if row_id(file_id) else None
    proposal = db.session.get(Proposal, stored.proposal_id) if stored is not None else None
    if stored is None or proposal is None or not rules.can_view_proposal(actor, proposal):
        raise NotFound(_("附件不存在或你无权查看。"))
    return stored


def withdraw(actor: User, proposal_id: int) -> Proposal:
    proposal = lock_own_proposal(actor, proposal_id)
    _fire(proposal, "withdraw", actor)
    db.session.flush()
    return proposal


def lock_own_proposal(actor: Any, proposal_id: int) -> Proposal:
    """The actor's own answer, locked: 404 if they cannot see it, 403 unless they gave it."""
    proposal = _visible_locked(actor, proposal_id)
    if not rules.can_change_proposal(actor, proposal):
        raise Forbidden(_("只有答题的服务方可以修改或撤回答题。"))
    return proposal


def my_answers(actor: Any) -> list[Proposal]:
    """我的答题: every answer of the provider the actor manages, newest first (hidden ones too, marked)."""
    provider = provider_of(actor)
    if provider is None:
        raise NotFound(_("你的账号没有服务方资料。"))
    return list(
        db.session.scalars(
            select(Proposal).where(Proposal.provider_id == provider.id).order_by(Proposal.id.desc())
        )
    )


# ---- the enterprise's side --------------------------------------------------------------------------------


@dataclass
class RankedAnswer:
    """An answer with how the matching engine ranks its provider for the need (None: not in its top)."""

    proposal: Proposal
    match: matching.ProviderMatch | None


@dataclass
class Ranking:
    answers: list[RankedAnswer]
    notice: str = ""


def visible_proposals(actor: Any, need: Need) -> list[Proposal]:
    """The answers on a need the actor may read: the enterprise's (not hidden ones) and brokers' (all),
    their own for a provider."""
    return [p for p in need_proposals(need) if rules.can_view_proposal(actor, p)]


def ranked_answers(actor: Any, need: Need, state: str = "") -> Ranking:
    """The need's answers for its enterprise or a broker, best-matched provider first, with the match
    page's reasons. One ranking of the need (the engine caches the need's query vector), not one per
    answer; answers from providers outside its top MAX_RESULTS follow, oldest first."""
    if not rules.can_list_need_orders(actor, need):
        raise NotFound(_("需求不存在或未公开。"))
    answers = [p for p in visible_proposals(actor, need) if not state or p.status == state]
    if not answers:
        return Ranking([])
    ranking = matching.or_notice(lambda: matching.providers_for_need(actor, need, k=matching.MAX_RESULTS))
    by_provider = {m.provider.id: m for m in ranking}
    ranked = [RankedAnswer(p, by_provider.get(p.provider_id)) for p in answers]
    ranked.sort(key=lambda r: (r.match is None, -(r.match.hit.score if r.match else 0.0), r.proposal.id))
    return Ranking(ranked, ranking.notice)


def answers_on_need(actor: Any, need: Need, state: str = "") -> Ranking:
    """What a reader lists on a need: every answer, ranked, for its enterprise and brokers; one's own
    (unranked) for a provider; nothing for anyone else."""
    if rules.can_list_need_orders(actor, need):
        return ranked_answers(actor, need, state)
    own = [p for p in visible_proposals(actor, need) if not state or p.status == state]
    return Ranking([RankedAnswer(p, None) for p in own])


def lock_proposal(actor: User, proposal_id: int) -> Proposal:
    """The answer, locked, if the actor may decide on it: 404 if they cannot see it, else 403."""
    proposal = _visible_locked(actor, proposal_id)
    if not rules.can_judge_proposal(actor, proposal):
        raise Forbidden(_("只有发布需求的企业可以处理答题方案。"))
    return proposal


def shortlist(actor: User, proposal_id: int) -> Proposal:
    proposal = lock_proposal(actor, proposal_id)
    _fire(proposal, "shortlist", actor)
    _tell_provider(
        proposal, build("proposal.shortlisted", title=proposal.need.title, need_id=proposal.need_id)
    )
    db.session.flush()
    return proposal


def reject(actor: User, proposal_id: int, *, reason: str) -> Proposal:
    """Decline (婉拒) with a reason the provider reads."""
    proposal = lock_proposal(actor, proposal_id)
    if not reason.strip():
        message = _("请填写原因。")
        raise ValidationFailed(message, field_errors={"reason": [message]})
    _fire(proposal, "reject", actor, reason.strip())
    proposal.reject_reason = reason.strip()
    _tell_provider(
        proposal,
        build("proposal.rejected", title=proposal.need.title, need_id=proposal.need_id, reason=reason),
    )
    db.session.flush()
    return proposal


def to_order(actor: User, proposal_id: int, *, message: str = "") -> Order:
    """Pick an answer: it becomes an order waiting for the provider's 接单 (an answer may be weeks old;
    the provider confirms it still stands, and reads the confidential details from 接单 on)."""
    proposal = lock_proposal(actor, proposal_id)
    require_on_market(proposal.need)  # solved or closed meanwhile (a stale page): 409, nothing written
    if not proposal.need.is_public:
        raise Conflict(_("该需求已不再公开，不能把答题转为订单。"))
    _fire(proposal, "order", actor)
    return services.open_order(
        actor,
        Party.ENTERPRISE,
        "proposal",
        proposal.provider,
        need=proposal.need,
        message=message,
        proposal_id=proposal.id,
    )


def block(actor: User, provider_id: int) -> ProviderBlock:
    """The actor's enterprise takes no more answers from this provider (its open answers stay)."""
    provider = _blockable(actor, provider_id)
    existing = db.session.scalar(
        select(ProviderBlock).where(
            ProviderBlock.organisation_id == actor.organisation_id, ProviderBlock.provider_id == provider.id
        )
    )
    if existing is not None:
        return existing
    entry = ProviderBlock(
        organisation_id=actor.organisation_id, provider_id=provider.id, created_by_id=actor.id
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:  # blocked at the same moment from another tab: that block stands
        raise Conflict(_("该服务方刚刚已被屏蔽。")) from None
    return entry


def unblock(actor: User, provider_id: int) -> None:
    provider = _blockable(actor, provider_id)
    existing = db.session.scalar(
        select(ProviderBlock).where(
            ProviderBlock.organisation_id == actor.organisation_id, ProviderBlock.provider_id == provider.id
        )
    )
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()


def blocked_providers(actor: Any) -> list[ProviderBlock]:
    if not rules.is_enterprise(actor):
        raise Forbidden(_("只有企业用户可以屏蔽服务方。"))
    return list(
        db.session.scalars(
            select(ProviderBlock)
            .where(ProviderBlock.organisation_id == actor.organisation_id)
            .order_by(ProviderBlock.id.desc())
        )
    )


def _blockable(actor: Any, provider_id: int) -> Provider:
    if not rules.is_enterprise(actor):
        raise Forbidden(_("只有企业用户可以屏蔽服务方。"))
    provider = db.session.get(Provider, provider_id) if row_id(provider_id) else None
    if provider is None:
        raise NotFound(_("服务方不存在或未公开。"))
    return provider


# ---- brokers of the region ------------------------------------------------------------------------------


def hide(actor: User, proposal_id: int, *, reason: str) -> Proposal:
    """Hide an abusive answer: the enterprise no longer sees it, the provider sees that it is hidden."""
    proposal = _brokered(actor, proposal_id)
    if proposal.hidden:
        raise Conflict(_("该答题已被隐藏。"))
    if not reason.strip():
        message = _("请填写原因。")
        raise ValidationFailed(message, field_errors={"reason": [message]})
    proposal.hidden_at, proposal.hidden_by_id, proposal.hidden_reason = utcnow(), actor.id, reason.strip()
    _record(proposal, actor, "hide", proposal.status, proposal.status, reason.strip())
    db.session.flush()
    return proposal


def unhide(actor: User, proposal_id: int, *, reason: str) -> Proposal:
    """Undo a hide (a mistake, or the provider put it right): the enterprise sees the answer again.
    Audited like hide, with its own required reason."""
    proposal = _brokered(actor, proposal_id)
    if not proposal.hidden:
        raise Conflict(_("该答题没有被隐藏。"))
    if not reason.strip():
        message = _("请填写原因。")
        raise ValidationFailed(message, field_errors={"reason": [message]})
    proposal.hidden_at, proposal.hidden_by_id, proposal.hidden_reason = None, None, ""
    _record(proposal, actor, "unhide", proposal.status, proposal.status, reason.strip())
    db.session.flush()
    return proposal


def nudge(actor: User, proposal_id: int, *, message: str = "") -> Proposal:
    """Remind the enterprise to decide on an answer that waits for it."""
    proposal = _brokered(actor, proposal_id)
    if proposal.status not in OPEN_STATES or proposal.hidden:
        raise Conflict(_("该答题无需企业处理。"))
    said = {"actor": actor.name, "provider": proposal.provider.name, "title": proposal.need.title}
    if message.strip():
        note = build(
            "proposal.nudged_with_message", **said, need_id=proposal.need_id, message=message.strip()
        )
    else:
        note = build("proposal.nudged", **said, need_id=proposal.need_id)
    for user in enterprise_users(proposal.need.organisation_id):
        notify.notify_user(user, None, "proposal", note)
    _record(proposal, actor, "nudge", proposal.status, proposal.status, message.strip())
    db.session.flush()
    return proposal


def _brokered(actor: User, proposal_id: int) -> Proposal:
    proposal = _visible_locked(actor, proposal_id)
    if not permissions.is_broker_for(actor, proposal.need.province):
        raise Forbidden(_("只有本地区的经纪人可以执行此操作。"))
    return proposal


def history(actor: Any, proposal_id: int) -> list[ProposalEvent]:
    """The answer's steps, for whoever may read the answer."""
    proposal = get_visible_proposal(actor, proposal_id)
    return list(
        db.session.scalars(
            select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)
        )
    )


# ---- shared ----------------------------------------------------------------------------------------------


def get_visible_proposal(actor: Any, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id) if row_id(proposal_id) else None
    if proposal is None or not rules.can_view_proposal(actor, proposal):
        raise NotFound(_("方案不存在。"))
    return proposal


def _lock(proposal_id: int) -> Proposal:
    return db.session.scalars(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _visible_locked(actor: Any, proposal_id: int) -> Proposal:
    """Read fresh and locked (SELECT … FOR UPDATE): concurrent decisions on one answer serialise."""
    proposal = (
        db.session.scalar(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row_id(proposal_id)
        else None
    )
    if proposal is None or not rules.can_view_proposal(actor, proposal):
        raise NotFound(_("方案不存在。"))
    return proposal


def _fire(proposal: Proposal, action: str, actor: User, reason: str = "") -> None:
    """Take a step of STEPS (the only assignment of Proposal.status besides its creation)."""
    step = STEPS[action]
    if proposal.status not in step.starts:
        raise Conflict(_refusal(proposal, step))
    before = proposal.status
    proposal.status = step.to
    _record(proposal, actor, action, before, step.to, reason)


def _refusal(proposal: Proposal, step: Step) -> str:
    if proposal.status == "withdrawn":
        return _("服务方已撤回该答题，请刷新页面。")
    if step.party == PROVIDER:
        return _("企业已处理该答题，不能再修改或撤回。")
    return _("该方案当前状态不能执行此操作。")


def _record(proposal: Proposal, actor: User, action: str, before: str, after: str, reason: str = "") -> None:
    db.session.add(
        ProposalEvent(
            proposal_id=proposal.id,
            actor_id=actor.id,
            action=action,
            from_status=before,
            to_status=after,
            reason=reason,
        )
    )


def _tell_provider(proposal: Proposal, message: Message) -> None:
    for user in provider_users(proposal.provider):
        notify.notify_user(user, None, "proposal", message)
