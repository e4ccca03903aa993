"""Creating, changing and finding needs. Each function takes the acting user and applies the rules
itself (permissions, the moderation life cycle); views and the API call one of them and render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from market import permissions
from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound
from market.i18n import gettext as _
from market.moderation import services as moderation
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.postings import PostingStatus
from market.text import contains_text


def require_author(actor: Any) -> None:
    """Only enterprise members post needs (and so have a list of their own)."""
    if not permissions.can_create_need(actor):
        raise Forbidden(_("只有企业用户可以发布需求。"))


def create_need(actor: User, values: dict[str, Any]) -> Need:
    require_author(actor)
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
    for key, value in values.items():
        setattr(need, key, value)
    db.session.flush()
    return need


def submit_need(actor: User, need_id: int) -> Need:
    need = get_own_need(actor, need_id)
    moderation.submit(actor, need)
    return need


def withdraw_need(actor: User, need_id: int) -> Need:
    need = get_own_need(actor, need_id)
    moderation.withdraw(actor, need)
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


def as_seen_by(actor: Any, need: Need, *, with_history: bool = True) -> NeedPage:
    """What of a need (already found visible to the actor) the actor may read, for the page and the API."""
    confidential = permissions.can_view_need_confidential(actor, need)
    return NeedPage(
        need=need,
        show_confidential=confidential,
        history=moderation.history(need) if confidential and with_history else None,
    )


def need_page(actor: Any, need_id: int) -> NeedPage:
    return as_seen_by(actor, get_visible_need(actor, need_id))


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    field: str = ""
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
