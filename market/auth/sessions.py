"""Browser logins that really end: a server-side row per login, and remember-me tokens.

The Flask session is a signed cookie kept by the browser, which can replay it after logout; so it
carries only a random session id, and the row of that id (UserSession) decides on every request
whether the login still counts: not revoked, used within SESSION_IDLE_MINUTES, younger than
SESSION_MAX_HOURS. The API authenticates by token (market.api.auth) and never reaches this module.

Remember-me is our own `selector.validator` cookie (RememberToken), not flask-login's (a one-year
cookie that nothing could revoke but a rotation of the user's session token). When the login has
ended it starts a new one, subject to the same limits, and is exchanged for a new token each time:
the old value stops working. It lasts REMEMBER_DAYS (at most 30) from the moment the password was
typed, and logout, "log out everywhere", a password change and deactivation revoke it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, event, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction
from werkzeug.wrappers import Request, Response

from market.auth.models import ADDRESS_MAX, USER_AGENT_MAX, RememberToken, User, UserSession
from market.db import db, utcnow
from market.i18n import gettext as _

SESSION_KEY = "_sid"
REMEMBER_COOKIE = "remember_token"
# last_seen_at is written at most this often, so page views do not each write a row.
TOUCH_EVERY = timedelta(minutes=1)
# Flask-session keys of a login (flask-login's and ours); dropped together when the login ends.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", SESSION_KEY)


@dataclass(frozen=True)
class _CookieChange:
    """What the response does with the remember-me cookie: set `value` until `expires_at`, or delete."""

    value: str = ""
    expires_at: datetime | None = None
    selector: str = ""


_DELETE = _CookieChange()
_SELECTOR = re.compile(r"[A-Za-z0-9_-]{16}")  # secrets.token_urlsafe(12)
# Bulk deletes by a datetime: "evaluate" would compare SQLite's naive values with aware ones in Python.
_FETCH = {"synchronize_session": "fetch"}


# --- starting and ending a login on this browser --------------------------------------------------------


def start_session(user: User, *, remember: bool) -> None:
    """Log `user` in on this browser: a fresh Flask session (nothing set before it survives, against
    fixation) holding the id of a new server-side session; with `remember`, a new remember-me token."""
    _retire_presented_token()
    _begin(user, fresh=True)
    if remember:
        _issue_remember_token(user, utcnow() + timedelta(days=_remember_days()))


def end_session() -> None:
    """Logout on this browser: its server-side session and remember-me token are revoked, so replaying
    either cookie logs nobody in, and both cookies are cleared."""
    row = _current_row()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    _retire_presented_token()
    db.session.flush()
    logout_user()
    _reset_flask_session()


def revoke_all(user: User, *, keep_current: bool = False) -> None:
    """End every server-side session and remember-me token of `user`; with `keep_current`, not the
    session of this request when it is one of theirs (a password change keeps its own browser)."""
    current = _current_row() if keep_current and has_request_context() else None
    keep = current.id if current is not None and current.user_id == user.id else None
    _revoke_rows(db.session(), user.id, keep_session=keep)
    if has_request_context():
        token = _presented_token()
        if token is not None and token.user_id == user.id:
            _drop_remember_cookie()


# --- flask-login's loaders --------------------------------------------------------------------------------


def live_session_user(user: User) -> User | None:
    """`user` if this browser's server-side session is theirs and still live, else None (logged out)."""
    row = _current_row()
    now = utcnow()
    if row is None or row.user_id != user.id or not _is_live(row, now):
        forget_login()
        return None
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
    return user


def user_from_remember_cookie(_request: Request) -> User | None:
    """flask-login's request loader, reached when the Flask session holds no live login: a valid
    remember-me cookie starts a new server-side session and is exchanged for a new token."""
    if REMEMBER_COOKIE not in request.cookies:
        return None
    token = _presented_token()
    if token is None or not _is_usable(token) or not token.user.active:
        _drop_remember_cookie()
        return None
    token.revoked_at = utcnow()
    user = token.user
    _begin(user, fresh=False)
    # The new token keeps the old expiry: remembering lasts REMEMBER_DAYS from the password, not from
    # the last visit, so a stolen cookie that is used regularly still dies.
    _issue_remember_token(user, _aware(token.expires_at))
    return user


def forget_login() -> None:
    """Drop a dead login from the Flask session (the next request need not look it up again) and note
    it, so the login page can say why it is shown."""
    if any(key in session for key in LOGIN_KEYS):
        for key in LOGIN_KEYS:
            session.pop(key, None)
        g.session_ended = True


def login_message(message: str) -> str:
    """flask-login's message on the redirect to the login page (its localize callback)."""
    if g.get("session_ended"):
        return _("登录已失效，请重新登录。")
    return _(message)


def write_remember_cookie(response: Response) -> Response:
    """After each request: set or delete the remember-me cookie as the request decided. A request that
    failed (status ≥ 400) is rolled back, so its new token does not exist: the old cookie stays."""
    change: _CookieChange | None = g.pop("remember_cookie", None)
    if change is None or (change is not _DELETE and response.status_code >= 400):
        return response
    options: dict[str, Any] = {
        "path": "/",
        "secure": bool(current_app.config["SESSION_COOKIE_SECURE"]),
        "httponly": True,
        "samesite": "Lax",
    }
    if change is _DELETE or change.expires_at is None:
        response.delete_cookie(REMEMBER_COOKIE, **options)
    else:
        seconds = max(0, int((change.expires_at - utcnow()).total_seconds()))
        response.set_cookie(
            REMEMBER_COOKIE, change.value, max_age=seconds, expires=change.expires_at, **options
        )
    return response


# --- deactivation -----------------------------------------------------------------------------------------


def install() -> None:
    """Deactivating a user, by whatever code path, revokes their sessions in the same transaction."""
    if not event.contains(Session, "before_flush", _revoke_on_deactivation):
        event.listen(Session, "before_flush", _revoke_on_deactivation)


def _revoke_on_deactivation(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    for user in [obj for obj in session.dirty if isinstance(obj, User)]:
        if user.active is False and inspect(user).attrs.active.history.has_changes():
            _revoke_rows(session, user.id, keep_session=None)


def _revoke_rows(session: Session, user_id: int, *, keep_session: int | None) -> None:
    now = utcnow()
    logins = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep_session is not None:
        logins = logins.where(UserSession.id != keep_session)
    session.execute(logins.values(revoked_at=now))
    session.execute(
        update(RememberToken)
        .where(RememberToken.user_id == user_id, RememberToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


# --- internals --------------------------------------------------------------------------------------------


def _begin(user: User, *, fresh: bool) -> None:
    _reset_flask_session()
    _prune_dead_sessions(user)
    raw = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_sha256(raw),
            user_agent=(request.user_agent.string or "")[:USER_AGENT_MAX],
            address=(request.remote_addr or "")[:ADDRESS_MAX],
        )
    )
    db.session.flush()
    session[SESSION_KEY] = raw
    login_user(user, fresh=fresh)


def _issue_remember_token(user: User, expires_at: datetime) -> None:
    expired = delete(RememberToken).where(
        RememberToken.user_id == user.id, RememberToken.expires_at < utcnow()
    )
    db.session.execute(expired, execution_options=_FETCH)
    selector, validator = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    db.session.add(
        RememberToken(
            user_id=user.id, selector=selector, validator_hash=_sha256(validator), expires_at=expires_at
        )
    )
    db.session.flush()
    g.remember_cookie = _CookieChange(f"{selector}.{validator}", expires_at, selector)


def _prune_dead_sessions(user: User) -> None:
    # Rows older than the absolute lifetime can never count again; keeps the table to live logins.
    cutoff = utcnow() - _max_age()
    dead = delete(UserSession).where(UserSession.user_id == user.id, UserSession.created_at < cutoff)
    db.session.execute(dead, execution_options=_FETCH)


def _reset_flask_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _current_row() -> UserSession | None:
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, str) or not raw:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _sha256(raw)))


def _presented_token() -> RememberToken | None:
    """The token row of this request's remember-me cookie when its validator matches (else None)."""
    raw = request.cookies.get(REMEMBER_COOKIE, "")
    selector, _sep, validator = raw.partition(".")
    # The cookie is whatever the client sent: only a selector we could have issued reaches the database
    # (PostgreSQL refuses NUL in text, and a 500 here would lock the browser out of every page).
    if not _SELECTOR.fullmatch(selector) or not validator:
        return None
    token = _token_by_selector(selector)
    if token is None or not secrets.compare_digest(token.validator_hash, _sha256(validator)):
        return None
    return token


def _token_by_selector(selector: str) -> RememberToken | None:
    if not selector:
        return None
    return db.session.scalar(select(RememberToken).where(RememberToken.selector == selector))


def _is_usable(token: RememberToken) -> bool:
    return token.revoked_at is None and _aware(token.expires_at) > utcnow()


def _retire_presented_token() -> None:
    """This browser's remember-me cookie stops working (logout, or a new login replacing it), and so
    does one issued earlier in this request and not yet sent."""
    pending: _CookieChange | None = g.get("remember_cookie")
    for token in (_presented_token(), _token_by_selector(pending.selector if pending else "")):
        if token is not None and token.revoked_at is None:
            token.revoked_at = utcnow()
    _drop_remember_cookie()


def _drop_remember_cookie() -> None:
    if REMEMBER_COOKIE in request.cookies or "remember_cookie" in g:
        g.remember_cookie = _DELETE


def _is_live(row: UserSession, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and now - _aware(row.last_seen_at) <= _idle_limit()
        and now - _aware(row.created_at) <= _max_age()
    )


def _idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))


def _max_age() -> timedelta:
    return timedelta(hours=int(current_app.config["SESSION_MAX_HOURS"]))


def _remember_days() -> int:
    return int(current_app.config["REMEMBER_DAYS"])


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
