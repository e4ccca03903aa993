"""Moving needs and provider profiles through the moderation life cycle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from market.auth.models import Role, User
from market.db import db, utcnow
from market.errors import Conflict, Forbidden, ValidationFailed
from market.i18n import gettext as _
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.postings import SUBMITTABLE, WITHDRAWABLE, PostingStatus
from market.providers.models import Provider
from market.text import text_problem

Posting = Need | Provider

REASON_MAX = 1000


def _kind(posting: Posting) -> str:
    return "need" if isinstance(posting, Need) else "provider"


def _record(actor: User, posting: Posting, action: str, to: PostingStatus, reason: str = "") -> None:
    db.session.add(
        ModerationEvent(
            target_kind=_kind(posting),
            target_id=posting.id,
            actor_id=actor.id,
            action=action,
            from_status=posting.status,
            to_status=to.value,
            reason=reason,
        )
    )
    posting.status = to.value


def submit(actor: User, posting: Posting, allowed: bool) -> None:
    if posting.status not in SUBMITTABLE:
        raise Conflict(_("当前状态不能提交审核。"))
    if not allowed:
        raise Forbidden(_("你无权提交该内容。"))
    _record(actor, posting, "submit", PostingStatus.PENDING)
    posting.submitted_at = utcnow()
    posting.review_note = ""
    db.session.flush()


def withdraw(actor: User, posting: Posting, allowed: bool) -> None:
    if posting.status not in WITHDRAWABLE:
        raise Conflict(_("当前状态不能撤回。"))
    if not allowed:
        raise Forbidden(_("你无权撤回该内容。"))
    _record(actor, posting, "withdraw", PostingStatus.WITHDRAWN)
    db.session.flush()


def approve(actor: User, posting: Posting, allowed: bool) -> None:
    if posting.status != PostingStatus.PENDING:
        raise Conflict(_("只有待审核的内容可以审核。"))
    if not allowed:
        raise Forbidden(_("该内容不在你负责的地区。"))
    _record(actor, posting, "approve", PostingStatus.APPROVED)
    posting.approved_at = utcnow()
    posting.review_note = ""
    db.session.flush()


def send_back(actor: User, posting: Posting, reason: str, allowed: bool) -> None:
    reason = (reason or "").strip()
    if posting.status != PostingStatus.PENDING:
        raise Conflict(_("只有待审核的内容可以审核。"))
    if not allowed:
        raise Forbidden(_("该内容不在你负责的地区。"))
    if not reason:
        raise ValidationFailed(_("退回时必须填写原因。"), field_errors={"reason": [_("请填写退回原因。")]})
    if problem := text_problem(reason):
        raise ValidationFailed(_("退回原因无法保存。") + problem, field_errors={"reason": [problem]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("退回原因过长。"), field_errors={"reason": [_("最多 1000 字。")]})
    _record(actor, posting, "return", PostingStatus.RETURNED, reason)
    posting.review_note = reason
    db.session.flush()


def pending_in_scope(model: type[Need] | type[Provider], user: Any) -> list[Any]:
    """Postings waiting for review in the user's regions (all regions for admins), oldest first."""
    query = select(model).where(model.status == PostingStatus.PENDING)
    if getattr(user, "role", None) != Role.ADMIN:
        query = query.where(model.province.in_(getattr(user, "region_codes", set())))
    return list(db.session.scalars(query.order_by(model.submitted_at, model.id)))


def history(posting: Posting) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.target_kind == _kind(posting), ModerationEvent.target_id == posting.id)
            .order_by(ModerationEvent.id)
        )
    )
