"""Creating, changing and finding needs. Callers check permissions with market.permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from market import permissions
from market.auth.models import User
from market.db import db
from market.errors import Forbidden, NotFound
from market.i18n import gettext as _
from market.moderation import services as moderation
from market.needs.models import Need
from market.postings import PostingStatus
from market.text import contains_text


def create_need(actor: User, values: dict[str, Any]) -> Need:
    if not permissions.can_create_need(actor):
        raise Forbidden(_("只有企业用户可以发布需求。"))
    need = Need(organisation_id=actor.organisation_id, author_id=actor.id, **values)
    db.session.add(need)
    db.session.flush()
    return need


def update_need(actor: User, need: Need, values: dict[str, Any]) -> Need:
    if not permissions.can_edit_need(actor, need):
        raise Forbidden(_("该需求当前不能修改：请先撤回，或它不属于你的企业。"))
    for key, value in values.items():
        setattr(need, key, value)
    db.session.flush()
    return need


def submit_need(actor: User, need: Need) -> None:
    moderation.submit(actor, need, permissions.can_submit_need(actor, need))


def withdraw_need(actor: User, need: Need) -> None:
    moderation.withdraw(actor, need, permissions.can_withdraw_need(actor, need))


def get_visible_need(actor: Any, need_id: int) -> Need:
    """The need if the actor may see it; NotFound otherwise, so drafts do not reveal they exist."""
    need = db.session.get(Need, need_id)
    if need is None or not permissions.can_view_need(actor, need):
        raise NotFound(_("需求不存在或未公开。"))
    return need


def get_own_need(actor: Any, need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not permissions.can_view_need(actor, need):
        raise NotFound(_("需求不存在或未公开。"))
    if not (
        permissions.can_edit_need(actor, need)
        or permissions.can_withdraw_need(actor, need)
        or permissions.can_submit_need(actor, need)
    ):
        raise Forbidden(_("只有发布该需求的企业可以操作。"))
    return need


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


def organisation_needs_query(actor: User, status: str = "") -> Select[tuple[Need]]:
    query = select(Need).where(Need.organisation_id == actor.organisation_id)
    if status:
        query = query.where(Need.status == status)
    return query.order_by(Need.updated_at.desc(), Need.id.desc())
