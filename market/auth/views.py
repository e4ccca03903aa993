"""Login, logout, language switch and personal API tokens (registration: market.registration)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.auth import services, sessions
from market.auth.forms import LoginForm, TokenForm
from market.auth.models import User
from market.extensions import limiter
from market.i18n import LANGUAGES
from market.i18n import gettext as _
from market.security import events as security

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute URL here would be an open redirect. Control characters (CR/LF
    # would split the Location header) and backslashes (browsers read "/\" as "//") are refused too.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and not any(char < " " or char in "\x7f\\" for char in target)
    ):
        return target
    return url_for("main.dashboard")


def _start_session(user: User, remember: bool) -> None:
    sessions.start_session(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("邮箱或密码错误。"), "danger")
        else:
            _start_session(user, bool(form.remember.data))
            flash(_("欢迎回来，{name}。", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        security.record(security.LOGOUT)
    sessions.end_session()
    return redirect(url_for("main.index"))


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> Response:
    security.record(security.LOGOUT_EVERYWHERE)
    services.revoke_sessions(current_user)
    sessions.end_session()
    flash(_("已在所有设备上退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    services.remember_language(current_user, code)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def tokens() -> str:
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token, _record = services.create_api_token(current_user, form.name.data)
        flash(_("令牌已创建，只显示这一次，请妥善保存。"), "warning")
    return render_template(
        "auth/tokens.html", form=form, tokens=services.user_tokens(current_user), new_token=new_token
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Response:
    if not services.revoke_api_token(current_user, token_id):
        abort(404)
    flash(_("令牌已吊销。"), "info")
    return redirect(url_for("auth.tokens"))
