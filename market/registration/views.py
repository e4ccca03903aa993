"""The registration page, /auth/register (its own blueprint: see the package's docstring)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from market.auth import sessions
from market.auth.forms import RegisterForm
from market.db import db
from market.extensions import limiter
from market.i18n import gettext as _
from market.registration import services

bp = Blueprint("registration", __name__, url_prefix="/auth")


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
        flash(_("注册成功。"), "success")
        if user.role == "provider":
            return redirect(url_for("providers.edit_profile"))
        return redirect(url_for("main.dashboard"))
    return render_template("auth/register.html", form=form)
