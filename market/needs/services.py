"""Creating, changing and finding needs. Each function takes the acting user and applies the rules
itself (permissions, the moderation life cycle); views and the API call one of them and render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select

from market import permissions, taxonomy
from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.moderation import services as moderation
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.postings import ENDED, Action, PostingStatus, status_label
from market.reference import services as reference
from market.text import REASON_MAX, contains_text, text_problem, too_long


def require_author(actor: Any) -> None:
    """Only enterprise members post needs (and so have a list of their own)."""
    if not permissions.can_create_need(actor):
        raise Forbidden(_("只有企业用户可以发布需求。"))


def create_need(actor: User, values: dict[str, Any]) -> Need:
    require_author(actor)
    values = _with_checked_subfield(values)
    need = Need(organisation_id=actor.organisation_id, author_id=actor.id, **values)
    db.session.add(need)
    db.session.flush()
    return need


def get_editable_need(actor: Any, need_id: int) -> Need:
    """The actor's need, if it may be changed now: 404 unseen, 403 not theirs, 409 public or pending."""
    need = get_own_need(actor, need_id)
    _require_editable(actor, need)
    return need


def _require_editable(actor: Any, need: Need) -> None:
    _require_owner(actor, need)
    if not permissions.can_edit_need(actor, need):
        raise Conflict(_("该需求当前不能修改：已公开或待审核的需求请先撤回。"))


def update_need(actor: User, need: Need, values: dict[str, Any]) -> Need:
    _require_editable(actor, need)
    values = _with_checked_subfield(values, need)
    for key, value in values.items():
        setattr(need, key, value)
    db.session.flush()
    return need


def _with_checked_subfield(values: dict[str, Any], need: Need | None = None) -> dict[str, Any]:
    """The values with a sub-field that belongs to the need's field (ValidationFailed otherwise).

    A field changed without a sub-field drops a sub-field of the old one; a sub-field the need
    already holds may stay after an admin deactivated it.
    """
    field_code = values.get("field_code", need.field_code if need else None)
    current = need.subfield_code if need else None
    given = "subfield_code" in values
    subfield = (values["subfield_code"] if given else current) or None
    known = reference.subfields().get(subfield) if subfield else None
    if subfield is None or (subfield == current and known is not None and known.field_code == field_code):
        return {**values, "subfield_code": subfield}
    if not given:  # the field changed under a sub-field of the old one
        return {**values, "subfield_code": None}
    reference.check_subfields([field_code or ""], [subfield], name="subfield_code")
    return {**values, "subfield_code": subfield}


def submit_need(actor: User, need_id: int) -> Need:
    need = get_own_need(actor, need_id)
    moderation.submit(actor, need)
    return need


def withdraw_need(actor: User, need_id: int) -> Need:
    need = get_own_need(actor, need_id)
    moderation.withdraw(actor, need)
    _tell_left_market(need, actor, Action.WITHDRAW)
    return need


def get_visible_need(actor: Any, need_id: int) -> Need:
    """The need if the actor may see it; NotFound otherwise, so drafts do not reveal they exist."""
    need = db.session.get(Need, need_id)
    if need is None or not permissions.can_view_need(actor, need):
        raise NotFound(_("需求不存在或未公开。"))
    return need


def get_own_need(actor: Any, need_id: int) -> Need:
    """A need of the actor's enterprise, in any state: 404 when they may not see it, 403 when they may
    see it but it is another organisation's. What its state allows is the life cycle's call (409)."""
    need = get_visible_need(actor, need_id)
    _require_owner(actor, need)
    return need


def _require_owner(actor: Any, need: Need) -> None:
    if not permissions.owns_need(actor, need):
        raise Forbidden(_("只有发布该需求的企业可以操作。"))


@dataclass(frozen=True)
class NeedPage:
    """A need as one reader sees it: the confidential part and review history only if entitled. (Its
    files are market.attachments' part of the page: attachments build on needs, not the reverse.)"""

    need: Need
    show_confidential: bool
    history: list[ModerationEvent] | None  # None: not for this reader, or not asked for (API lists)
    # The signed orders the reader may link when marking the need solved (empty: may not solve it).
    deal_orders: list[Any] = field(default_factory=list)


def as_seen_by(actor: Any, need: Need, *, with_history: bool = True) -> NeedPage:
    """What of a need (already found visible to the actor) the actor may read, for the page and the API."""
    confidential = permissions.can_view_need_confidential(actor, need)
    return NeedPage(
        need=need,
        show_confidential=confidential,
        history=moderation.history(need) if confidential and with_history else None,
    )


def need_page(actor: Any, need_id: int) -> NeedPage:
    need = get_visible_need(actor, need_id)
    seen = as_seen_by(actor, need)
    if permissions.can_solve_need(actor, need):
        seen = NeedPage(seen.need, seen.show_confidential, seen.history, deal_orders(need))
    return seen


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    field: str = ""
    subfield: str = ""
    province: str = ""
    mode: str = ""
    open_call: bool = False


def public_needs_query(filters: NeedFilters) -> Select[tuple[Need]]:
    query = select(Need).where(Need.status == PostingStatus.APPROVED)
    if filters.q:
        query = query.where(
            or_(
                *(
                    contains_text(column, filters.q)
                    for column in (Need.title, Need.description, Need.public_summary)
                )
            )
        )
    if filters.field:
        query = query.where(Need.field_code == filters.field)
    if filters.subfield:
        query = query.where(Need.subfield_code == filters.subfield)
    if filters.province:
        query = query.where(Need.province == filters.province)
    if filters.mode:
        query = query.where(Need.cooperation_mode == filters.mode)
    if filters.open_call:
        query = query.where(Need.is_open_call.is_(True))
    return query.order_by(Need.approved_at.desc(), Need.id.desc())


def organisation_needs_query(actor: Any, status: str = "") -> Select[tuple[Need]]:
    if not permissions.can_create_need(actor):
        raise Forbidden(_("只有企业用户有自己的需求列表。"))
    query = select(Need).where(Need.organisation_id == actor.organisation_id)
    if status:
        query = query.where(Need.status == status)
    return query.order_by(Need.updated_at.desc(), Need.id.desc())


# ---- leaving the market: solved, closed, reopened ----------------------------------------------------

HOWS = tuple(term.code for term in taxonomy.SOLVED_HOWS)  # through a deal made here, or elsewhere

# Who hears that a need left the market (solved, closed or withdrawn): packages built on needs register
# here (orders tells the providers with an order or an answer on it), so needs imports none of them.
LeftMarket = Callable[[Need, User, Action], None]
_left_market: list[LeftMarket] = []


def on_left_market(listener: LeftMarket) -> LeftMarket:
    if listener not in _left_market:
        _left_market.append(listener)
    return listener


def _tell_left_market(need: Need, actor: User, action: Action) -> None:
    db.session.flush()
    for listener in _left_market:
        listener(need, actor, action)


def require_on_market(need: Need) -> None:
    """New answers, invitations and dispatches need a public need; a solved or closed one says so (409)."""
    if need.status in ENDED:
        raise Conflict(
            _("该需求{state}，不再接受新的答题或订单。", state=status_label(need.status)),
        )


def deal_orders(need: Need) -> list[Any]:
    """The need's orders with a signed deal that still stands: what "solved through this platform" links.
    (need.orders is the read-only relation market.orders.models adds to a need.)"""
    return [order for order in need.orders if order.deal is not None and order.engaged]  # type: ignore[attr-defined]


def _step_target(actor: Any, need_id: int, action: Action) -> Need:
    """The need, if the actor may take the step now: 404 unseen, 409 wrong state, 403 neither owner
    nor a broker of its region."""
    need = get_visible_need(actor, need_id)
    moderation.require_step(actor, need, action)
    return need


def solve_need(actor: User, need_id: int, *, how: str, reason: str, order_id: int | None = None) -> Need:
    """已解决: through one of the need's signed orders (`how` platform) or elsewhere, with a reason."""
    need = _step_target(actor, need_id, Action.SOLVE)
    reason = _outcome_reason(reason)
    linked = _linked_order(need, how, order_id)
    moderation.act(actor, need, Action.SOLVE, reason)
    need.solved_how = how
    need.solved_order_id = linked
    _tell_left_market(need, actor, Action.SOLVE)
    return need


def close_need(actor: User, need_id: int, *, reason: str) -> Need:
    """已关闭: no longer needed, with a reason."""
    need = _step_target(actor, need_id, Action.CLOSE)
    moderation.act(actor, need, Action.CLOSE, _outcome_reason(reason))
    _tell_left_market(need, actor, Action.CLOSE)
    return need


def reopen_need(actor: User, need_id: int, *, reason: str) -> Need:
    """Back on the market (public, indexed) with a reason; no new review (see market.postings)."""
    need = _step_target(actor, need_id, Action.REOPEN)
    moderation.act(actor, need, Action.REOPEN, _outcome_reason(reason))
    return need


def _outcome_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写原因。"), field_errors={"reason": [_("请填写原因。")]})
    if problem := text_problem(reason):
        raise ValidationFailed(_("原因无法保存。") + problem, field_errors={"reason": [problem]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("原因过长。"), field_errors={"reason": [too_long(REASON_MAX)]})
    return reason


def _linked_order(need: Need, how: str, order_id: int | None) -> int | None:
    if how not in HOWS:
        raise ValidationFailed(_("请选择解决方式。"), field_errors={"how": [_("请选择解决方式。")]})
    if how == "elsewhere":
        if order_id is not None:
            message = _("通过其他渠道解决时不能关联订单。")
            raise ValidationFailed(message, field_errors={"order_id": [message]})
        return None
    if order_id not in {order.id for order in deal_orders(need)}:
        message = _("请选择该需求已签约的订单。")
        raise ValidationFailed(message, field_errors={"order_id": [message]})
    return order_id
