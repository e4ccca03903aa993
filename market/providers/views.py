"""Provider pages: public directory and service menu, a provider's own profile editor."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.db import db
from market.errors import Conflict, ValidationFailed
from market.i18n import gettext as _
from market.idempotency import create_once
from market.moderation import services as moderation
from market.providers import services
from market.providers.forms import AchievementForm, ProviderForm, ServiceForm
from market.providers.models import Achievement, ServiceItem

bp = Blueprint("providers", __name__)


# The public lists (`/providers/` and `/services/`, endpoints providers.browse and
# providers.services_browse) are market/search/views.py: ranked by the search index.


@bp.route("/providers/<int:provider_id>")
def detail(provider_id: int) -> str:
    provider = services.get_visible_provider(current_user, provider_id)
    return render_template("providers/detail.html", provider=provider)


@bp.route("/me/profile")
@login_required
def my_profile() -> str:
    provider = services.own_provider(current_user)
    return render_template("providers/mine.html", provider=provider, history=moderation.history(provider))


@bp.route("/me/profile/edit", methods=["GET", "POST"])
@login_required
def edit_profile() -> str | Response:
    provider = services.own_provider(current_user)
    form = ProviderForm(obj=provider)
    if not form.is_submitted():
        form.fields.data = provider.field_codes
        form.subfields.data = provider.subfield_codes
    if form.validate_on_submit():
        services.update_profile(current_user, provider, form.profile_values())
        flash(_("资料已保存。提交审核通过后公开。"), "success")
        return redirect(url_for("providers.my_profile"))
    return render_template("providers/profile_form.html", form=form, provider=provider)


@bp.route("/me/profile/submit", methods=["POST"])
@login_required
def submit_profile() -> Response:
    try:
        services.submit_provider(current_user)
    except ValidationFailed as error:  # incomplete: the form is where to complete it
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("providers.edit_profile"))
    flash(_("已提交审核。"), "success")
    return redirect(url_for("providers.my_profile"))


@bp.route("/me/profile/withdraw", methods=["POST"])
@login_required
def withdraw_profile() -> Response:
    services.withdraw_provider(current_user)
    flash(_("资料已撤回，不再公开。"), "info")
    return redirect(url_for("providers.my_profile"))


@bp.route("/me/achievements/new", methods=["GET", "POST"])
@bp.route("/me/achievements/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_achievement(item_id: int | None = None) -> str | Response:
    provider = services.own_provider(current_user)
    item = services.get_own_item(current_user, Achievement, item_id) if item_id else None
    form = AchievementForm(obj=item)
    if form.validate_on_submit():
        if item is None:
            return create_once(
                lambda: _saved(services.add_achievement(current_user, provider, form.values()))
            )
        services.update_item(current_user, item, form.values())
        return _saved(item)
    return render_template("providers/item_form.html", form=form, item=item, kind="achievement")


def _saved(item: Achievement | ServiceItem) -> Response:
    flash(_("成果已保存。") if isinstance(item, Achievement) else _("服务已保存。"), "success")
    return redirect(url_for("providers.my_profile"))


@bp.route("/me/achievements/<int:item_id>/delete", methods=["POST"])
@login_required
def delete_achievement(item_id: int) -> Response:
    services.delete_item(current_user, services.get_own_item(current_user, Achievement, item_id))
    flash(_("成果已删除。"), "info")
    return redirect(url_for("providers.my_profile"))


@bp.route("/me/services/new", methods=["GET", "POST"])
@bp.route("/me/services/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_service(item_id: int | None = None) -> str | Response:
    provider = services.own_provider(current_user)
    item = services.get_own_item(current_user, ServiceItem, item_id) if item_id else None
    form = ServiceForm(obj=item)
    if form.validate_on_submit():
        if item is None:
            return create_once(lambda: _saved(services.add_service(current_user, provider, form.values())))
        services.update_item(current_user, item, form.values())
        return _saved(item)
    return render_template("providers/item_form.html", form=form, item=item, kind="service")


@bp.route("/me/services/<int:item_id>/delete", methods=["POST"])
@login_required
def delete_service(item_id: int) -> Response:
    service = services.get_own_item(current_user, ServiceItem, item_id)
    try:
        services.delete_item(current_user, service)
    except Conflict as refusal:
        # Back to the profile, where the service's 下架 button is the way out.
        db.session.rollback()
        flash(refusal.message, "warning")
    else:
        flash(_("服务已删除。"), "info")
    return redirect(url_for("providers.my_profile"))


@bp.route("/me/services/<int:item_id>/withdraw", methods=["POST"])
@login_required
def withdraw_service(item_id: int) -> Response:
    service = services.get_own_item(current_user, ServiceItem, item_id)
    services.set_service_listed(current_user, service, listed=False)
    flash(_("服务已下架，不再展示，也不接受新的点单；已有订单不受影响。"), "info")
    return redirect(url_for("providers.my_profile"))


@bp.route("/me/services/<int:item_id>/relist", methods=["POST"])
@login_required
def relist_service(item_id: int) -> Response:
    service = services.get_own_item(current_user, ServiceItem, item_id)
    services.set_service_listed(current_user, service, listed=True)
    flash(_("服务已重新上架。"), "success")
    return redirect(url_for("providers.my_profile"))
