"""Accounts: creating users, password checks, sessions and API tokens (self-registration, which also
creates a provider profile, is market.registration)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC
from typing import Any

from sqlalchemy import func, select

from market.auth import passwords, sessions, throttle
from market.auth.models import TOKEN_NAME_MAX, ApiToken, Organisation, OrgKind, Role, User
from market.db import db, utcnow
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.reference.models import Region
from market.security import events as security

PASSWORD_MIN = 10
TOKEN_PREFIX = "kc_"

# What a self-registering provider kind creates: an expert is a person, the others an organisation.
PROVIDER_ORG_KIND = {
    "society": OrgKind.SOCIETY,
    "team": OrgKind.TEAM,
    "institution": OrgKind.INSTITUTION,
}


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return _("密码至少 10 位。")
    if password.isdigit() or password.isalpha():
        return _("密码需同时包含字母和数字。")
    if passwords.is_common(password):
        return _("这个密码太常见，很容易被猜中，请换一个。")
    return None


def hash_password(password: str) -> str:
    """The one place passwords are hashed (tests swap it for a cheap hash)."""
    return passwords.hash_password(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(User.email == normalise_email(email))) > 0


def create_user(
    *, email: str, name: str, password: str, role: Role, organisation: Organisation | None = None
) -> User:
    if problem := password_problem(password):
        raise ValidationFailed(problem, field_errors={"password": [problem]})
    if email_taken(email):
        message = _("该邮箱已注册。")
        raise ValidationFailed(message, field_errors={"email": [message]})
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role.value,
        organisation=organisation,
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The one password check (login form and API token exchange), within the brute-force budget.

    Raises TooManyRequests (429) when the client address or the account is over it, Unavailable
    (503) when the hashing slot stays taken (market/auth/passwords.py)."""
    # The slot first: a login queued behind other hashes holds no database connection meanwhile.
    with passwords.hashing_slot():
        attempt = throttle.begin(normalise_email(email))
        user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
        # Unknown emails spend the same time as a real check, so timing does not reveal which exist.
        right = passwords.verify(user.password_hash if user else _DUMMY_HASH, password)
    if user is None:
        security.record(
            security.LOGIN_FAILED, account=normalise_email(email), reason=security.UNKNOWN_ACCOUNT
        )
        return None
    if not user.active or not right:
        security.record(security.LOGIN_FAILED, user=user, reason=security.failed_login_reason(user.active))
        return None
    throttle.succeeded(attempt)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # old scrypt/pbkdf2 hashes move to argon2id
    user.last_login_at = utcnow()
    security.record(security.LOGIN_SUCCESS, user=user)
    return user


_DUMMY_HASH = passwords.hash_password("not-a-real-password-0")


def change_password(user: User, new_password: str) -> None:
    """A new password ends every other login of the user (sessions and remember-me tokens); the
    browser that changed it, when it is the user's own, stays logged in."""
    if problem := password_problem(new_password):
        raise ValidationFailed(problem, field_errors={"password": [problem]})
    user.password_hash = hash_password(new_password)
    sessions.revoke_all(user, keep_current=True)
    db.session.flush()


def remember_language(user: Any, code: str) -> None:
    """A signed-in user's chosen language is kept on the account: mail to them is written in it."""
    if getattr(user, "is_authenticated", False) and user.locale != code:
        user.locale = code
        db.session.flush()


def revoke_sessions(user: User) -> None:
    """Log the user out everywhere: every server-side session and remember-me token is revoked.

    The session token is rotated as well, which also voids Flask sessions from before server-side
    sessions existed."""
    user.session_token = secrets.token_hex(16)
    sessions.revoke_all(user)
    db.session.flush()


def load_user(user_id: str) -> User | None:
    """flask-login's user loader: the user of this browser's login while it is live (auth.sessions)."""
    user = _user_of_session_id(user_id)
    if user is None or not user.active:
        sessions.forget_login()
        return None
    return sessions.live_session_user(user)


def _user_of_session_id(user_id: str) -> User | None:
    raw_id, _sep, token = user_id.partition(":")
    if not raw_id.isdecimal():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str) -> tuple[str, ApiToken]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name.strip()[:TOKEN_NAME_MAX] or "api",
        token_hash=_hash_token(token),
        prefix=token[:10],
    )
    db.session.add(record)
    db.session.flush()
    security.record(security.TOKEN_CREATED, user=user, token_id=record.id, token_name=record.name)
    return token, record


def user_for_token(token: str) -> User | None:
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    now = utcnow()
    # At most once a minute, like a session's last_seen_at: a write on every API call made each one
    # hold SQLite's single write lock until its commit, and under load they queued past the busy
    # timeout (issue 19).
    last = record.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) >= sessions.TOUCH_EVERY:
        record.last_used_at = now
    return record.user


def revoke_api_token(user: User, token_id: int) -> bool:
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    db.session.flush()
    security.record(security.TOKEN_REVOKED, user=user, token_id=record.id, token_name=record.name)
    return True


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def set_broker_regions(user: User, codes: list[str]) -> None:
    user.regions = list(db.session.scalars(select(Region).where(Region.code.in_(codes))))
    db.session.flush()
