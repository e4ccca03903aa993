"""Moving needs and provider profiles through the moderation life cycle (审核).

Every function takes the acting user and decides by itself: who the actor is to the posting (owner,
broker of its region), whether the step follows the posting's state (market.moderation.transitions),
and which postings a reviewer's regions cover (market.scope). Views and the API only parse,
call one of these and render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select

from market import permissions, scope
from market.auth import accounts
from market.auth.models import User
from market.db import db
from market.errors import Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.moderation.models import ModerationEvent
from market.moderation.transitions import check, fire
from market.postings import KINDS, Action, Party, Posting, PostingStatus, kind_of, model_of
from market.text import REASON_MAX, text_problem, too_long

if TYPE_CHECKING:
    from market.needs.models import Need
    from market.providers.models import Provider


def parties(actor: Any, posting: Posting) -> set[Party]:
    """What the actor is to the posting: its owner, a reviewer of its region, both or neither."""
    found: set[Party] = set()
    owns = (
        permissions.owns_need(actor, posting)  # type: ignore[arg-type]
        if kind_of(posting) == "need"
        else permissions.owns_provider(actor, posting)  # type: ignore[arg-type]
    )
    if owns:
        found.add(Party.OWNER)
    if scope.is_staff(actor) and scope.covers(actor, posting.province):
        found.add(Party.BROKER)
    return found


def require_step(actor: User, posting: Posting, action: Action) -> None:
    """Refuse now (409 wrong state, 403 wrong party) what `act` would refuse, before other checks."""
    check(posting, action, parties(actor, posting))


def act(actor: User, posting: Posting, action: Action, reason: str = "") -> ModerationEvent:
    event = fire(posting, action, actor, parties(actor, posting), reason)
    db.session.flush()
    return event


# ---- owners --------------------------------------------------------------------------------------------


def submit(actor: User, posting: Posting) -> None:
    accounts.require_verified(actor)
    act(actor, posting, Action.SUBMIT)


def withdraw(actor: User, posting: Posting) -> None:
    act(actor, posting, Action.WITHDRAW)


def recheck_if_public(actor: User, posting: Posting) -> None:
    """A public profile that changes is checked again, so brokers vouch for what is shown."""
    if posting.status == PostingStatus.APPROVED:
        act(actor, posting, Action.RECHECK)


# ---- reviewers -----------------------------------------------------------------------------------------


def require_reviewer(actor: Any) -> None:
    if not scope.is_staff(actor):
        raise Forbidden(_("只有科协经纪人和管理员可以审核。"))


def posting_for_review(actor: Any, kind: str, posting_id: int) -> Posting:
    require_reviewer(actor)
    model = model_of(kind)
    # cast: mypy joins get()'s two possible models into their common base class
    posting = cast("Posting | None", db.session.get(model, posting_id) if model is not None else None)
    if posting is None:
        raise NotFound(_("内容不存在。"))
    return posting


def approve(actor: User, kind: str, posting_id: int) -> Posting:
    posting = posting_for_review(actor, kind, posting_id)
    act(actor, posting, Action.APPROVE)
    return posting


def has_hidden_parts(posting: Posting) -> bool:
    """What the queue does not show: a need's confidential details or its attachments. The queue offers
    no 通过 button for such a need, only its review page (market.broker.review), which shows them."""
    if kind_of(posting) != "need":
        return False
    if (getattr(posting, "confidential_details", "") or "").strip():
        return True
    # The attachments table by name: market.attachments builds on needs (and so on moderation), and
    # importing it here would make a cycle.
    files = db.metadata.tables["need_attachments"]
    return bool(
        db.session.scalar(select(func.count()).select_from(files).where(files.c.need_id == posting.id))
    )


def review_subject(actor: Any, kind: str, posting_id: int) -> Posting:
    """A posting for its review page: reviewers of its region only (403), any state (the page says
    when there is nothing left to decide)."""
    posting = posting_for_review(actor, kind, posting_id)
    if Party.BROKER not in parties(actor, posting):
        raise Forbidden(_("该内容不在你负责的地区。"))
    return posting


def hidden_parts(postings: list[Posting]) -> set[int]:
    """Ids of the needs among `postings` that must be approved on their review page."""
    return {p.id for p in postings if has_hidden_parts(p)}


def send_back(actor: User, kind: str, posting_id: int, reason: str) -> Posting:
    posting = posting_for_review(actor, kind, posting_id)
    require_step(actor, posting, Action.RETURN)
    act(actor, posting, Action.RETURN, _valid_reason(reason))
    return posting


def _valid_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("退回时必须填写原因。"), field_errors={"reason": [_("请填写退回原因。")]})
    if problem := text_problem(reason):
        raise ValidationFailed(_("退回原因无法保存。") + problem, field_errors={"reason": [problem]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("退回原因过长。"), field_errors={"reason": [too_long(REASON_MAX)]})
    return reason


def review_queue(actor: Any, kinds: list[str] | None = None) -> list[Posting]:
    """Pending postings in the actor's regions (all regions for admins), oldest first, needs then profiles."""
    require_reviewer(actor)
    return [p for kind in kinds or KINDS if (model := model_of(kind)) for p in _pending(model, actor)]


def review_count(actor: Any) -> int:
    """How many postings `review_queue` holds for the actor, counted in SQL (the home page's figure)."""
    require_reviewer(actor)
    return sum(
        db.session.scalar(select(func.count()).select_from(_pending_query(model, actor).subquery())) or 0
        for kind in KINDS
        if (model := model_of(kind))
    )


def _pending_query(model: type[Need] | type[Provider], actor: Any) -> Any:
    return scope.within(select(model), model.province, actor).where(model.status == PostingStatus.PENDING)


def _pending(model: type[Need] | type[Provider], actor: Any) -> list[Any]:
    query = _pending_query(model, actor)
    return list(db.session.scalars(query.order_by(model.submitted_at, model.id)))


# ---- imports -------------------------------------------------------------------------------------------


def imported(actor: User, posting: Posting, publish: bool) -> None:
    """A posting written by the actor's import (flushed, so it has an id): pending review, or public
    when the importing broker publishes it at once (an approval by them, recorded as such)."""
    fire(posting, Action.IMPORT, actor, parties(actor, posting))
    if publish:
        fire(posting, Action.APPROVE, actor, parties(actor, posting))


# ---- history -------------------------------------------------------------------------------------------


def history(posting: Posting) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.target_kind == kind_of(posting), ModerationEvent.target_id == posting.id)
            .order_by(ModerationEvent.id)
        )
    )
