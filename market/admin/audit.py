"""Recording admin changes, and keeping every worker's reference caches in step with them.

Fields and regions are cached per process (market/reference/services). With several gunicorn
workers, a change made in one would leave the others stale, so each request compares the newest
admin event id (a primary-key lookup) with the one this process last saw and clears its caches
when it moved. Every taxonomy change writes an admin event in the same transaction.

What changed is a stored message (market.messages), so the events page reads in each admin's language;
actions and roles are shown by their labels (registered below), never as codes.
"""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import func, select

from market import messages
from market.admin.models import AdminEvent
from market.db import db, on_commit
from market.i18n import N_, translate
from market.messages import Message
from market.reference import services as reference

CHANGED = "reference_changed"
_seen: dict[str, int | None] = {"version": None}

ROLE_LABELS = {
    "enterprise": N_("企业"),
    "provider": N_("服务方"),
    "broker": N_("经纪人（科协）"),
    "admin": N_("管理员"),
}
ACTION_LABELS = {
    "field.add": N_("领域已添加"),
    "field.rename": N_("领域已改名"),
    "field.move": N_("领域顺序已调整"),
    "field.delete": N_("领域已删除"),
    "subfield.add": N_("细分领域已添加"),
    "subfield.rename": N_("细分领域已改名"),
    "subfield.move": N_("细分领域顺序已调整"),
    "subfield.deactivate": N_("细分领域已停用"),
    "subfield.activate": N_("细分领域已启用"),
    "region.add": N_("城市已添加"),
    "region.rename": N_("地区已改名"),
    "user.update": N_("用户已修改"),
    "mail.retry": N_("邮件已重新排队"),
}


def _named(names: dict[str, str]) -> messages.Label:
    return lambda code, lang: translate(names[code], lang) if code in names else str(code or "")


messages.label_type("role", _named(ROLE_LABELS))
messages.label_type("admin_action", _named(ACTION_LABELS))
messages.label_type("active", lambda active, lang: translate(N_("启用") if active else N_("停用"), lang))


def record(
    actor: Any, action: str, target: str, change: Message | None = None, *, taxonomy: bool = False
) -> None:
    """One admin event; `change` says what changed (market.messages kinds "admin.*")."""
    db.session.add(
        AdminEvent(
            actor_id=getattr(actor, "id", None),
            action=action,
            target=target[:80],
            message_key=change.key if change else None,
            message_params=change.params if change else None,
        )
    )
    if taxonomy:
        db.session.info[CHANGED] = True
    db.session.flush()


def reference_version() -> int:
    """Read on a connection of its own, returned at once: read through the request's session, the
    connection stayed checked out for the whole request, and a login waiting up to 10 s for a
    hashing slot held one meanwhile; at saturation on PostgreSQL the logins held the whole pool and
    page views waited 10-20 s for a connection (docs/hardening.md)."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.max(AdminEvent.id))) or 0


def refresh_if_changed() -> None:
    """Per request: drop this process's cached fields and regions if another process changed them."""
    if request.endpoint in ("static", "health.healthz"):  # health must answer even with the DB down
        return
    version = reference_version()
    if _seen["version"] is not None and version != _seen["version"]:
        reference.clear_caches()
    _seen["version"] = version


def _clear_after_commit(info: dict[str, Any]) -> None:
    if info.get(CHANGED):
        reference.clear_caches()


on_commit(_clear_after_commit)
