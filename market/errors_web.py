"""Turning errors into pages (browser) or JSON (API), never a bare 500."""

from __future__ import annotations

import contextlib
import logging
import time

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from market.db import db
from market.errors import DomainError, RetryLater, TooManyRequests
from market.i18n import N_
from market.i18n import gettext as _
from market.security import events as security_events

log = logging.getLogger(__name__)


def wants_json() -> bool:
    # /healthz is read by load balancers and compose, never by people: its errors are JSON too.
    machine = request.path.startswith("/api/") or request.path == "/healthz"
    return machine or request.accept_mimetypes.best == "application/json"


def error_response(
    status: int,
    message: str,
    field_errors: dict[str, list[str]] | None = None,
    retry_after: int | None = None,
) -> Response:
    if wants_json():
        body: dict[str, object] = {"error": message, "status": status}
        if field_errors:
            body["fields"] = field_errors
        if retry_after is not None:
            body["retry_after"] = retry_after
        response = jsonify(body)
    else:
        response = Response(render_template("error.html", status=status, message=message))
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _limiter_retry_after() -> int | None:
    """Seconds until the flask-limiter limit that refused this request frees up."""
    from market.extensions import limiter

    current = limiter.current_limit
    # reset_at is already rounded up to a whole second (flask-limiter computes its header the same way).
    return max(1, int(current.reset_at - time.time())) if current else None


HTTP_MESSAGES = {
    400: N_("请求格式有误。"),
    401: N_("请先登录或提供有效的 API 令牌。"),
    403: N_("你没有权限执行此操作。"),
    404: N_("页面或资源不存在。"),
    405: N_("不支持该请求方法。"),
    409: N_("当前状态不允许该操作。"),
    413: N_("上传内容过大。"),
    422: N_("提交的数据未通过校验。"),
    429: N_("请求过于频繁，请稍后再试。"),
}


# SQLite's words for a wait that ran out or a file that could not be reached for the moment. Its other
# OperationalErrors ("no such table", "syntax error") are mistakes in the code or the deployment: 500.
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "disk i/o error", "unable to open")
# Seconds a client is asked to wait after the database was busy or out of reach.
DATABASE_RETRY_AFTER = 5
DATABASE_BUSY = N_("服务繁忙，请稍后重试。你的数据未被修改。")


def database_busy(error: BaseException | None) -> bool:
    """The database could not serve the request for now (locked, pool exhausted, connection lost):
    asking again later may work, so the answer is 503 with Retry-After rather than a 500."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if error.orig is not None and type(error.orig).__module__ == "sqlite3":
        return str(error.orig).lower().startswith(_SQLITE_TRANSIENT)
    # PostgreSQL (psycopg): OperationalError is a lost or refused connection, a lock or statement
    # timeout, a deadlock or a serialisation failure, all of which a retry can get past.
    return True


def _busy_response(error: BaseException) -> Response:
    with contextlib.suppress(SQLAlchemyError):  # the connection is gone: the session drops it at teardown
        db.session.rollback()
    log.warning(
        "database busy or unreachable on %s %s, answered 503: %s",
        request.method,
        request.path,
        str(getattr(error, "orig", None) or error).splitlines()[0][:200],
    )
    return error_response(503, _(DATABASE_BUSY), retry_after=DATABASE_RETRY_AFTER)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        db.session.rollback()
        if not isinstance(error, TooManyRequests):  # the throttle records its refusals (account, scope)
            security_events.record_refusal(error.status, error.message)
        retry_after = error.retry_after if isinstance(error, RetryLater) else None
        return error_response(error.status, error.message, error.field_errors, retry_after)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        return error_response(400, _("表单已过期或缺少安全令牌，请刷新页面后重试。"))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        # An error raised after the view (the commit in the request hook) reaches Flask as a 500
        # wrapping it, not through the handlers below.
        if database_busy(getattr(error, "original_exception", None)):
            return _busy_response(error.original_exception)  # type: ignore[attr-defined]
        status = error.code or 500
        message = HTTP_MESSAGES.get(status)
        security_events.record_refusal(status, str(error.description or message or ""))
        retry_after = _limiter_retry_after() if status == 429 else None
        if retry_after is not None:
            message = _("请求过于频繁，请 {seconds} 秒后再试。", seconds=retry_after)
        elif message:
            message = _(message)
        response = error_response(status, message or (error.description or ""), retry_after=retry_after)
        # Keep what the exception says beyond its body: Allow on 405, Retry-After on 429 and 503.
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(SQLAlchemyError)
    def _database(error: SQLAlchemyError) -> Response:
        return _busy_response(error) if database_busy(error) else _unexpected(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, _("服务器内部错误，已记录。你的数据未被修改，请稍后重试。"))
