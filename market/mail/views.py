"""Mail pages: each person's mail preferences (/me/notifications) and the one-click unsubscribe link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.extensions import csrf
from market.i18n import gettext as _
from market.mail import preferences
from market.mail.forms import PreferencesForm

bp = Blueprint("mail", __name__)


@bp.route("/me/notifications", methods=["GET", "POST"], endpoint="preferences")
@login_required
def preferences_page() -> Response | tuple[str, int]:
    if request.method == "POST":
        form = PreferencesForm()
        if form.validate_on_submit():
            preferences.save(current_user, form.modes())
            flash(_("邮件通知设置已保存。"), "success")
            return redirect(url_for("mail.preferences"))
        status = 422
    else:
        form = PreferencesForm(data=preferences.modes_of(current_user.id))
        status = 200
    return render_template("mail/preferences.html", form=form, kinds=preferences.CHOOSABLE), status


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail programs post here without a form (RFC 8058)
def unsubscribe(token: str) -> tuple[str, int]:
    try:
        if request.method == "POST":
            _user_id, kinds = preferences.unsubscribe(token)
            labels = [_(preferences.KIND_LABELS[each]) for each in kinds]
            return render_template("mail/unsubscribe.html", error="", done=True, kinds=labels), 200
        _user_id, kind = preferences.read_token(token)
    except preferences.BadToken as error:
        return render_template("mail/unsubscribe.html", error=error.message, done=False, kinds=[]), 400
    label = _(preferences.KIND_LABELS[kind])
    return render_template("mail/unsubscribe.html", error="", done=False, kinds=[label], token=token), 200
