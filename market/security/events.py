"""Security events: one `record()` writes a line on the "market.security" logger and a security_events row.

The row is written in its own short transaction once the request's transaction has ended (committed
or rolled back), so a refused request (a failed login, a 403) still leaves its event. Writing it
right away on a second connection would not work on SQLite: the request's own open write
transaction holds the database lock, and the second connection in the same thread would wait for
it until it times out.

Never recorded: passwords, tokens, cookies, Authorization headers. Detail keys that name a secret are
dropped, and any secret the current request carries is blanked out of every stored or logged text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import insert
from werkzeug.exceptions import HTTPException

from market.db import db, on_commit, utcnow
from market.i18n import gettext as _
from market.security.models import SecurityEvent

log = logging.getLogger("market.security")
log.setLevel(logging.INFO)  # INFO events reach whatever handler is configured, whatever the root level

LOGIN_SUCCESS = "login.success"
LOGIN_FAILED = "login.failed"
LOGOUT = "logout"
LOGOUT_EVERYWHERE = "logout.everywhere"
RATE_LIMIT = "rate_limit"
ACCESS_DENIED = "access.denied"
TOKEN_CREATED = "token.created"
TOKEN_REVOKED = "token.revoked"
ROLE_CHANGED = "user.role_changed"
REGIONS_CHANGED = "user.regions_changed"
ACTIVE_CHANGED = "user.active_changed"
IMPORT_DRY_RUN = "import.dry_run"
IMPORT_COMMITTED = "import.committed"
EXPORT = "export"
PASSWORD_CHANGED = "password.changed"
PASSWORD_RESET_REQUESTED = "password.reset_requested"
PASSWORD_RESET = "password.reset"
EMAIL_VERIFIED = "email.verified"
EMAIL_CHANGE_REQUESTED = "email.change_requested"

# Reasons a login is refused (login.failed).
UNKNOWN_ACCOUNT = "unknown_account"
WRONG_PASSWORD = "wrong_password"
INACTIVE = "inactive"
THROTTLED = "throttled"

WARNING_EVENTS = frozenset({LOGIN_FAILED, ACCESS_DENIED, RATE_LIMIT})
SECRET_KEY = re.compile(r"pass(word|wd)?|secret|cookie|authori[sz]ation|csrf|api_?key|session|^token$", re.I)
MIN_SECRET_LENGTH = 4  # shorter values are too common as text to blank out reliably
BLANKED = "[redacted]"
_PENDING = "_security_events"


def event_labels() -> dict[str, str]:
    return {
        LOGIN_SUCCESS: _("登录成功"),
        LOGIN_FAILED: _("登录失败"),
        LOGOUT: _("退出登录"),
        LOGOUT_EVERYWHERE: _("在所有设备上退出登录"),
        RATE_LIMIT: _("请求过于频繁（限流）"),
        ACCESS_DENIED: _("拒绝访问（403）"),
        TOKEN_CREATED: _("创建 API 令牌"),
        TOKEN_REVOKED: _("吊销 API 令牌"),
        ROLE_CHANGED: _("角色变更"),
        REGIONS_CHANGED: _("负责地区变更"),
        ACTIVE_CHANGED: _("账号启用状态变更"),
        IMPORT_DRY_RUN: _("导入预检（未写入）"),
        IMPORT_COMMITTED: _("导入已提交"),
        EXPORT: _("导出数据"),
        PASSWORD_CHANGED: _("修改密码"),
        PASSWORD_RESET_REQUESTED: _("申请重置密码"),
        PASSWORD_RESET: _("通过邮件链接重置密码"),
        EMAIL_VERIFIED: _("邮箱验证通过"),
        EMAIL_CHANGE_REQUESTED: _("申请更换邮箱"),
    }


def reason_labels() -> dict[str, str]:
    return {
        UNKNOWN_ACCOUNT: _("账号不存在"),
        WRONG_PASSWORD: _("密码错误"),
        INACTIVE: _("账号已停用"),
        THROTTLED: _("尝试过于频繁，已限流"),
    }


def failed_login_reason(active: bool) -> str:
    # An inactive account is refused before its password is checked.
    return WRONG_PASSWORD if active else INACTIVE


def record(
    event: str, *, user: Any = None, account: str | None = None, reason: str | None = None, **details: Any
) -> None:
    """Record one security event. `user` defaults to the signed-in user (page session or API token);
    `account` defaults to that user's e-mail (give it for logins, where only the typed e-mail exists)."""
    actor = user if user is not None else _current_actor()
    account = account if account is not None else getattr(actor, "email", None)
    secrets = list(_request_secrets())
    row: dict[str, Any] = {
        "created_at": utcnow(),
        "event": event[:40],
        "user_id": getattr(actor, "id", None),
        "account": _clip(_blank(account, secrets), 254),
        "reason": _clip(_blank(reason, secrets), 200),
        **_request_fields(),
        "details": _safe_details(details, secrets),
    }
    _log(row)
    if has_app_context():
        g.setdefault(_PENDING, []).append(row)


def record_refusal(status: int, message: str) -> None:
    """Called by the error handlers for every refusal: each 403, and each 429 of flask-limiter.

    Password checks over their budget are recorded by market.auth.throttle (login.failed, throttled),
    which knows the account and whether the address or the account was over it."""
    if status == 403:
        record(ACCESS_DENIED, reason=message, method=request.method)
    elif status == 429:
        record(RATE_LIMIT, account=_typed_account(), reason=message, endpoint=request.endpoint)


def write_pending() -> None:
    """Store the events recorded so far, in a transaction of their own."""
    pending = g.pop(_PENDING, None) if has_app_context() else None
    if not pending:
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(SecurityEvent), pending)
    except Exception:
        # The log line of each event is already out; losing the rows must not fail the request.
        log.exception("could not store %d security events", len(pending))


def _write_after_commit(_info: dict[str, Any]) -> None:
    write_pending()


def install(app: Flask) -> None:
    on_commit(_write_after_commit)

    @app.teardown_request
    def _after_request(_error: BaseException | None) -> None:
        # The commit hook has committed or rolled back by now: the database is free for our write.
        write_pending()

    @app.teardown_appcontext
    def _after_app_context(_error: BaseException | None) -> None:
        # CLI commands and scripts: their unit of work ends with the context (Flask-SQLAlchemy drops
        # it right after); ending it first keeps its lock, on SQLite, from blocking the events' write.
        if g.get(_PENDING):
            db.session.remove()
            write_pending()


# --- helpers ---------------------------------------------------------------------------------------


def _current_actor() -> Any:
    if not has_request_context():
        return None
    for candidate in (g.get("api_user"), current_user):
        if getattr(candidate, "is_authenticated", False):
            return candidate
    return None


def _request_fields() -> dict[str, str | None]:
    if not has_request_context():
        return {"address": None, "request_id": None, "path": None}
    return {
        "address": _clip(request.remote_addr, 64),
        "request_id": _clip(g.get("request_id"), 64),
        "path": _clip(request.path, 200),
    }


def _body_fields() -> list[tuple[str, Any]]:
    """The request's form or JSON object fields; none when its body cannot be read."""
    try:
        payload = request.get_json(silent=True) if request.is_json else None
        form = list(request.form.items())
    except HTTPException:  # e.g. a body over MAX_CONTENT_LENGTH: the refusal must still be answered
        return []
    return [*form, *(payload.items() if isinstance(payload, dict) else [])]


def _typed_account() -> str | None:
    typed = next((value for key, value in _body_fields() if key == "email"), None)
    return typed.strip().lower() if isinstance(typed, str) else None


def _request_secrets() -> Iterator[str]:
    """Every secret the current request carries: password fields, the bearer token, cookie values."""
    if not has_request_context():
        return
    candidates = [str(value) for key, value in _body_fields() if SECRET_KEY.search(str(key))]
    candidates.append(request.headers.get("Authorization", "").partition(" ")[2])
    candidates.extend(request.cookies.values())
    yield from (c.strip() for c in candidates if len(c.strip()) >= MIN_SECRET_LENGTH)


def _blank(text: str | None, secrets: list[str]) -> str | None:
    if text is None:
        return None
    for secret in secrets:
        text = text.replace(secret, BLANKED)
    return text


def _safe_details(details: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    return dict(_plain(details, secrets))


def _plain(value: Any, secrets: list[str]) -> Any:
    """JSON-ready copy: keys that name a secret dropped, request secrets blanked out of every text."""
    if isinstance(value, dict):
        return {str(k): _plain(v, secrets) for k, v in value.items() if not SECRET_KEY.search(str(k))}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v, secrets) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _blank(str(value), secrets)


def _clip(text: str | None, length: int) -> str | None:
    return None if text is None else str(text)[:length]


def _log(row: dict[str, Any]) -> None:
    fields = {k: row[k] for k in ("event", "user_id", "account", "address", "reason", "details")}
    summary = " ".join(f"{k}={v}" for k, v in fields.items() if k != "event" and v not in (None, {}))
    level = logging.WARNING if row["event"] in WARNING_EVENTS else logging.INFO
    log.log(level, "%s %s", row["event"], summary, extra={"fields": fields})
