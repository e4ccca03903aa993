"""What each person chose to receive by mail, per kind: immediately, in a daily digest, or not at all.

The one-click unsubscribe link in every mail carries a signed token naming the user and the kind
(`unsubscribe_token`); opening it switches that kind off without a login (`unsubscribe`). A tampered
or foreign token is refused (`BadToken`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from market.db import db
from market.errors import ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.mail.models import MailPreference

ORDERS = "orders"
ANSWERS = "answers"
POSTINGS = "postings"
RECOMMENDED = "recommended"
ACCOUNT = "account"
KINDS = (ORDERS, ANSWERS, POSTINGS, RECOMMENDED, ACCOUNT)
# The kinds a person chooses for; ACCOUNT mail (password resets, address checks) is always immediate.
CHOOSABLE = (ORDERS, ANSWERS, POSTINGS, RECOMMENDED)
DIGEST_ALL = "digest"  # a digest's unsubscribe token: every kind now on the digest is switched off

IMMEDIATE = "immediate"
DIGEST = "digest"
OFF = "off"
MODES = (IMMEDIATE, DIGEST, OFF)
DEFAULTS = {
    ORDERS: IMMEDIATE,
    ANSWERS: IMMEDIATE,
    POSTINGS: IMMEDIATE,
    RECOMMENDED: DIGEST,
    ACCOUNT: IMMEDIATE,
}

KIND_LABELS = {
    ORDERS: N_("订单动态"),
    ANSWERS: N_("答题与消息"),
    POSTINGS: N_("发布审核结果"),
    RECOMMENDED: N_("推荐需求"),
    ACCOUNT: N_("账号安全"),
    DIGEST_ALL: N_("每日汇总"),
}
MODE_LABELS = {IMMEDIATE: N_("即时邮件"), DIGEST: N_("每日汇总"), OFF: N_("不发送")}

_SALT = "mail-unsubscribe"


class BadToken(ValidationFailed):
    """An unsubscribe link that was changed, cut short, or signed with another key."""


def mode_of(user_id: int, kind: str) -> str:
    if kind not in CHOOSABLE:
        return IMMEDIATE
    chosen = db.session.get(MailPreference, (user_id, kind))
    return chosen.mode if chosen else DEFAULTS[kind]


def modes_of(user_id: int) -> dict[str, str]:
    """Every choosable kind's mode for the user (defaults where they never chose)."""
    rows = db.session.scalars(db.select(MailPreference).where(MailPreference.user_id == user_id))
    chosen = {row.kind: row.mode for row in rows}
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in CHOOSABLE}


def set_mode(user_id: int, kind: str, mode: str) -> None:
    if kind not in CHOOSABLE or mode not in MODES:
        raise ValidationFailed(_("无法识别的邮件设置。"))
    row = db.session.get(MailPreference, (user_id, kind))
    if row is None:
        db.session.add(MailPreference(user_id=user_id, kind=kind, mode=mode))
    else:
        row.mode = mode


def save(actor: Any, modes: Mapping[str, str]) -> None:
    """The signed-in person's own choices (the preferences page); only choosable kinds and known modes."""
    if not getattr(actor, "is_authenticated", False):
        raise ValidationFailed(_("请先登录。"))
    for kind in CHOOSABLE:
        if kind in modes:
            set_mode(actor.id, kind, modes[kind])
    db.session.flush()


# --- unsubscribe -----------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt=_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return str(_serializer().dumps([user_id, kind]))


def read_token(token: str) -> tuple[int, str]:
    try:
        value = _serializer().loads(token)
    except BadSignature:
        raise BadToken(_("退订链接无效或已被改动。")) from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or value[1] not in (*CHOOSABLE, DIGEST_ALL)
    ):
        raise BadToken(_("退订链接无效或已被改动。"))
    return value[0], value[1]


def unsubscribe(token: str) -> tuple[int, list[str]]:
    """Switch off what the token names; returns the user id and the kinds now off."""
    user_id, kind = read_token(token)
    if db.session.execute(db.text("SELECT 1 FROM users WHERE id = :id"), {"id": user_id}).first() is None:
        raise BadToken(_("退订链接无效或已被改动。"))
    kinds = [k for k, mode in modes_of(user_id).items() if mode == DIGEST] if kind == DIGEST_ALL else [kind]
    for each in kinds:
        set_mode(user_id, each, OFF)
    db.session.flush()
    return user_id, kinds
