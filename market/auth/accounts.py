"""Accounts people manage themselves: password change and reset, verified addresses, their own details.

The rules live here; sending the mails that carry the links is market.registration.accounts (mail is a
layer above this package). Every mailed link is a single-use token (AccountToken): only its SHA-256 is
stored, it expires after TOKEN_LIFETIME, and using it stamps `used_at`, so it never works twice. A new
link of the same purpose retires the older ones.

`require_verified` is the one rule that keeps an unverified account from submitting postings for review,
ordering and answering: those services call it, and it answers with one 403 and one message.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from market.auth import passwords, services, sessions, throttle
from market.auth.models import AccountToken, User
from market.auth.services import email_taken, hash_password, normalise_email, password_problem
from market.db import db, utcnow
from market.errors import Forbidden, ValidationFailed
from market.i18n import LANGUAGES
from market.i18n import gettext as _
from market.security import events as security

TOKEN_LIFETIME = timedelta(hours=1)
RESET = "reset"
VERIFY = "verify"
PURPOSES = (RESET, VERIFY)


class Unverified(Forbidden):
    """The account's address is not verified yet (403): pages and the API add the resend link."""


@dataclass(frozen=True)
class AccountDetails:
    """What a person edits on their own account page (checked by market.auth.forms.AccountForm)."""

    name: str
    locale: str
    phone: str = ""
    wechat: str = ""
    share_email: bool = False
    share_phone: bool = False
    share_wechat: bool = False


# --- the one rule for unverified accounts ------------------------------------------------------------------


def is_verified(actor: Any) -> bool:
    return bool(getattr(actor, "email_verified", True))


def require_verified(actor: Any) -> None:
    """Submitting for review, ordering and answering need a verified address (403 otherwise)."""
    if getattr(actor, "is_authenticated", True) and not is_verified(actor):
        raise Unverified(
            _(
                "请先验证邮箱：打开我们发到 {email} 的邮件中的链接。没有收到？可在“我的账号”页面"
                "（/me/account）重新发送验证邮件。",
                email=actor.email,
            )
        )


# --- tokens ------------------------------------------------------------------------------------------------


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def issue_token(user: User, purpose: str, email: str) -> str:
    """A new single-use link token for `user` (older unused ones of the purpose stop working)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown account token purpose {purpose!r}")
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None)
        )
        .values(used_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_sha256(token),
            email=email,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    )
    db.session.flush()
    return token


def _bad_link() -> ValidationFailed:
    return ValidationFailed(_("链接无效或已过期（链接只能使用一次，有效期 1 小时），请重新申请。"))


def token_record(token: str, purpose: str) -> AccountToken:
    """The live token row of a link, or 422 for a link that is unknown, used, expired or of another kind."""
    if not token or len(token) > 100:
        raise _bad_link()
    record = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _sha256(token)).with_for_update()
    )
    if (
        record is None
        or record.purpose != purpose
        or record.used_at is not None
        or _aware(record.expires_at) <= utcnow()
        or not record.user.active
    ):
        raise _bad_link()
    return record


# --- passwords ---------------------------------------------------------------------------------------------


def _checked_new_password(new_password: str, field: str = "password") -> str:
    if problem := password_problem(new_password):
        raise ValidationFailed(problem, field_errors={field: [problem]})
    return new_password


def change_password(actor: User, current_password: str, new_password: str) -> None:
    """The current password, within the brute-force budget, then the new one: every other login of the
    user ends (sessions and remember-me tokens); this browser stays logged in."""
    attempt = throttle.begin(actor.email)
    if not passwords.verify(actor.password_hash, current_password or ""):
        message = _("当前密码不正确。")
        raise ValidationFailed(message, field_errors={"current_password": [message]})
    throttle.succeeded(attempt)
    services.change_password(actor, new_password)  # checks it, ends the other logins
    security.record(security.PASSWORD_CHANGED, user=actor)


def start_password_reset(email: str) -> tuple[User, str] | None:
    """A reset token for the account of `email`, or None when there is none (or it is deactivated).

    Counted against the brute-force budget of the address and the account (market.auth.throttle), so one
    client can neither flood a mailbox nor probe many addresses; the caller answers the same either way."""
    address = normalise_email(email)
    throttle.begin(address)  # never forgiven: each request counts
    user = db.session.scalar(select(User).where(User.email == address))
    security.record(security.PASSWORD_RESET_REQUESTED, user=user, account=address, known=user is not None)
    if user is None or not user.active:
        return None
    return user, issue_token(user, RESET, user.email)


def reset_password(token: str, new_password: str) -> User:
    """Set the password from a mailed link: the link is used up, and every login of the user ends."""
    record = token_record(token, RESET)
    _checked_new_password(new_password)
    user = record.user
    record.used_at = utcnow()
    user.password_hash = hash_password(new_password)
    user.session_token = secrets.token_hex(16)
    sessions.revoke_all(user)
    # Opening the mailed link proves the address as well.
    if normalise_email(record.email) == user.email:
        user.email_verified = True
    db.session.flush()
    security.record(security.PASSWORD_RESET, user=user)
    return user


# --- addresses ---------------------------------------------------------------------------------------------


def start_verification(actor: User) -> tuple[str, str] | None:
    """A token for the address waiting to be proven (the new one during a change, else the account's),
    and that address; None when there is nothing to verify."""
    target = actor.pending_email or (None if actor.email_verified else actor.email)
    if target is None:
        return None
    return issue_token(actor, VERIFY, target), target


def verify_email(token: str) -> User:
    """Open a verification link: the account's address counts as proven, or a pending new address
    replaces the old one (if nobody took it meanwhile)."""
    record = token_record(token, VERIFY)
    user = record.user
    target = normalise_email(record.email)
    if target != user.email:
        if user.pending_email != target:
            raise _bad_link()  # a link for an address change that was cancelled or replaced
        if email_taken(target):
            raise ValidationFailed(_("该邮箱已被其他账号使用，邮箱未更改。"))
        user.email = target
        user.pending_email = None
    record.used_at = utcnow()
    user.email_verified = True
    db.session.flush()
    security.record(security.EMAIL_VERIFIED, user=user)
    return user


def request_email_change(actor: User, new_email: str, current_password: str) -> str:
    """Ask to move the account to `new_email` (the password proves it is the owner asking); the address
    changes only when the link mailed there is opened. Returns the normalised new address."""
    attempt = throttle.begin(actor.email)
    if not passwords.verify(actor.password_hash, current_password or ""):
        message = _("当前密码不正确。")
        raise ValidationFailed(message, field_errors={"current_password": [message]})
    throttle.succeeded(attempt)
    address = normalise_email(new_email)
    if address == actor.email:
        message = _("新邮箱与当前邮箱相同。")
        raise ValidationFailed(message, field_errors={"email": [message]})
    if email_taken(address):
        message = _("该邮箱已注册。")
        raise ValidationFailed(message, field_errors={"email": [message]})
    actor.pending_email = address
    db.session.flush()
    security.record(security.EMAIL_CHANGE_REQUESTED, user=actor, new_address=address)
    return address


def cancel_email_change(actor: User) -> None:
    actor.pending_email = None
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == actor.id, AccountToken.purpose == VERIFY, AccountToken.used_at.is_(None)
        )
        .values(used_at=utcnow()),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.flush()


# --- own details -------------------------------------------------------------------------------------------


def update_account(actor: User, details: AccountDetails) -> User:
    """The actor's own name, language and contact details with what to share after 接单."""
    if details.locale not in LANGUAGES:
        message = _("请选择有效的语言。")
        raise ValidationFailed(message, field_errors={"locale": [message]})
    actor.name = details.name.strip()
    actor.locale = details.locale
    set_contact_details(
        actor,
        phone=details.phone,
        wechat=details.wechat,
        share_email=details.share_email,
        share_phone=details.share_phone,
        share_wechat=details.share_wechat,
    )
    return actor


def set_contact_details(
    actor: User, *, phone: str, wechat: str, share_email: bool, share_phone: bool, share_wechat: bool
) -> None:
    """The one writer of a user's contact details and sharing choices (also /me/contact)."""
    actor.phone = phone
    actor.wechat = wechat
    actor.share_email = share_email
    actor.share_phone = share_phone
    actor.share_wechat = share_wechat
    db.session.flush()
