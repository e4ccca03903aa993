"""Admin: changing a user's role, enabled state and (for brokers) regions — the rules in one place."""

from __future__ import annotations

from typing import Any

from market.admin import access, audit
from market.auth import services as auth
from market.auth.models import Role, User
from market.db import db
from market.errors import NotFound, ValidationFailed
from market.i18n import gettext as _
from market.messages import build
from market.reference import services as reference
from market.security import events as security


def update_user(actor: Any, user_id: int, role: str, active: bool, regions: list[str]) -> User:
    """Refused with a message (nothing written): an unknown role, an admin removing their own admin
    role, and a broker without any region — a broker with no region would see no posting, no order
    and no review, and nobody would review their region's postings either, so it is refused rather
    than warned about."""
    access.require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在。"))
    if role not in {r.value for r in Role}:
        raise ValidationFailed(_("未知角色。"))
    if user.id == actor.id and role != Role.ADMIN:
        raise ValidationFailed(
            _("不能取消自己的管理员身份：请让另一位管理员修改你的角色。"),
            field_errors={"role": [_("不能取消自己的管理员身份。")]},
        )
    if user.id == actor.id and not active:
        message = _("不能停用自己的账号。")
        raise ValidationFailed(message, field_errors={"active": [message]})
    known = {code for code, _zh, _en in reference.province_choices()}
    codes = sorted({code for code in regions if code in known}) if role == Role.BROKER else []
    if role == Role.BROKER and not codes:
        raise ValidationFailed(
            _(
                "经纪人至少需要一个负责地区：没有地区的经纪人看不到任何需求、订单和审核。请选择负责地区后再保存。"
            ),
            field_errors={"regions": [_("请至少选择一个负责地区。")]},
        )
    before = (user.role, user.active, sorted(user.region_codes))
    user.role = role
    user.active = active
    auth.set_broker_regions(user, codes)
    after = (user.role, user.active, sorted(user.region_codes))
    if after != before:
        audit.record(
            actor,
            "user.update",
            user.email,
            build(
                "admin.user_updated",
                role_was=before[0],
                role=after[0],
                active_was=before[1],
                active=after[1],
                regions_was=before[2],
                regions=after[2],
            ),
        )
    _record_security_changes(user, before, after)
    return user


def _record_security_changes(user: User, before: tuple[object, ...], after: tuple[object, ...]) -> None:
    """Role, enabled state and broker regions are what a user may do: each change is a security event."""
    kinds = (security.ROLE_CHANGED, security.ACTIVE_CHANGED, security.REGIONS_CHANGED)
    for kind, old, new in zip(kinds, before, after, strict=True):
        if old != new:
            security.record(kind, target=user.email, target_id=user.id, before=old, after=new)
