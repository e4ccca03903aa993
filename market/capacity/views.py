"""The provider's capacity settings: `/me/capacity`, also shown as a section of the profile editor."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.capacity import services
from market.capacity.forms import CapacityForm
from market.db import db
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.providers import services as providers

bp = Blueprint("capacity", __name__)


@bp.app_template_global()
def capacity_form() -> CapacityForm:
    """The settings form for the profile editor, filled with the signed-in provider's settings."""
    return CapacityForm(obj=services.settings_of(providers.own_provider(current_user)), formdata=None)


@bp.route("/me/capacity", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    provider = providers.own_provider(current_user)
    form = CapacityForm(obj=services.settings_of(provider))
    if form.validate_on_submit():
        try:
            services.save_settings(
                current_user,
                provider,
                max_concurrent=form.max_concurrent.data,
                away_from=form.away_from.data,
                away_until=form.away_until.data,
            )
        except ValidationFailed as error:
            db.session.rollback()
            for name, found in error.field_errors.items():
                getattr(form, name).errors = list(found)
            return make_response(render_template("capacity/settings.html", form=form), 422)
        flash(_("接单能力设置已保存，立即生效。"), "success")
        return redirect(url_for("providers.edit_profile"))
    page = render_template("capacity/settings.html", form=form)
    return make_response(page, 422) if form.is_submitted() else page
