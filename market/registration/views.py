"""The registration page, /auth/register (its own blueprint: see the package's docstring), and the
account pages (blueprint "account"): forgotten password, the mailed links, and /me/account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.auth import accounts as rules
from market.auth import sessions
from market.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    EmailChangeForm,
    ForgotPasswordForm,
    RegisterForm,
    ResetPasswordForm,
)
from market.db import db
from market.errors import ValidationFailed
from market.extensions import limiter
from market.i18n import gettext as _
from market.registration import accounts, services

bp = Blueprint("registration", __name__, url_prefix="/auth")
account_bp = Blueprint("account", __name__)


def _register_limit() -> str:
    # Password checks (login) are limited by market.auth.throttle, not here.
    return str(current_app.config["REGISTER_RATE_LIMIT"])


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register() -> str | Response:
    form = RegisterForm()
    if form.validate_on_submit():
        user = services.register(
            {
                "role": form.role.data,
                "provider_kind": form.provider_kind.data,
                "name": form.name.data,
                "email": form.email.data,
                "organisation": (form.organisation.data or "").strip(),
                "province": form.province.data,
                "password": form.password.data,
            }
        )
        db.session.flush()
        sessions.start_session(user, remember=False)
        flash(_("注册成功。"), "success")  # the banner above every page asks to verify the address
        if user.role == "provider":
            return redirect(url_for("providers.edit_profile"))
        return redirect(url_for("main.dashboard"))
    return render_template("auth/register.html", form=form)


def _page(html: str, status: int = 200) -> Response:
    """An HTML page with a status of its own (a refused link, a form with errors)."""
    return current_app.response_class(html, status=status)


# ---- forgotten password and the mailed links -----------------------------------------------------------


@account_bp.route("/auth/forgot", methods=["GET", "POST"])
def forgot_password() -> str | Response:
    """忘记密码: the same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.forgot_password(form.email.data)
        flash(_("如果该邮箱已注册，我们已发送一封重置密码的邮件，请在 1 小时内打开其中的链接。"), "info")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return _page(render_template("auth/forgot.html", form=form), status=status)


@account_bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response:
    form = ResetPasswordForm()
    try:
        rules.token_record(token, rules.RESET)  # a dead link says so before anything is typed
        if form.validate_on_submit():
            rules.reset_password(token, form.password.data)
            sessions.end_session()
            flash(_("密码已重置，所有设备上的登录均已退出，请用新密码登录。"), "success")
            return redirect(url_for("auth.login"))
    except ValidationFailed as refused:
        page = render_template("auth/reset.html", form=None, problem=refused.message)
        return _page(page, status=refused.status)
    status = 422 if form.is_submitted() else 200
    return _page(render_template("auth/reset.html", form=form, problem=None), status=status)


@account_bp.route("/auth/verify/<token>")
def verify_email(token: str) -> Response:
    try:
        user = rules.verify_email(token)
    except ValidationFailed as refused:
        page = render_template("auth/verified.html", problem=refused.message)
        return _page(page, status=refused.status)
    flash(_("邮箱 {email} 已验证。", email=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for("account.account"))
    return redirect(url_for("auth.login"))


# ---- my account ------------------------------------------------------------------------------------------


def _account_page(status: int = 200, **forms: Any) -> Response:
    forms.setdefault("form", AccountForm(obj=current_user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw", formdata=None))
    forms.setdefault("email_form", EmailChangeForm(prefix="em", formdata=None))
    return _page(render_template("auth/account.html", **forms), status=status)


@account_bp.route("/me/account", methods=["GET", "POST"])
@login_required
def account() -> Response:
    """我的账号: name, language, contact details and what to share; password; address."""
    form = AccountForm()
    if not form.is_submitted():
        return _account_page()
    if form.validate():
        rules.update_account(current_user, form.details())
        session["lang"] = current_user.locale
        flash(_("账号信息已保存。"), "success")
        return redirect(url_for("account.account"))
    return _account_page(422, form=form)


@account_bp.route("/me/account/password", methods=["POST"])
@login_required
def change_password() -> Response:
    form = ChangePasswordForm(prefix="pw")
    if form.validate():
        try:
            rules.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as refused:
            for name, problems in refused.field_errors.items():
                form[name].errors = list(problems)
            return _account_page(refused.status, password_form=form)
        flash(_("密码已修改，其他设备上的登录均已退出。"), "success")
        return redirect(url_for("account.account"))
    return _account_page(422, password_form=form)


@account_bp.route("/me/account/email", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_email() -> Response:
    form = EmailChangeForm(prefix="em")
    if form.validate():
        try:
            address = accounts.change_email(current_user, form.email.data, form.current_password.data)
        except ValidationFailed as refused:
            for name, problems in refused.field_errors.items():
                form[name].errors = list(problems)
            return _account_page(refused.status, email_form=form)
        flash(_("验证邮件已发到 {email}：打开其中的链接后，账号邮箱才会更改。", email=address), "info")
        return redirect(url_for("account.account"))
    return _account_page(422, email_form=form)


@account_bp.route("/me/account/email/cancel", methods=["POST"])
@login_required
def cancel_email_change() -> Response:
    rules.cancel_email_change(current_user)
    flash(_("已取消更改邮箱。"), "info")
    return redirect(url_for("account.account"))


@account_bp.route("/me/account/verify", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def resend_verification() -> Response:
    address = accounts.send_verification(current_user)
    if address is None:
        flash(_("邮箱已验证，无需再次验证。"), "info")
    else:
        flash(_("验证邮件已发到 {email}，请在 1 小时内打开其中的链接。", email=address), "info")
    return redirect(url_for("account.account"))
