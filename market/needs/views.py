"""Need pages: public browsing, an enterprise's own needs, the need form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market import taxonomy
from market.errors import Conflict
from market.forms import field_choices, province_choices, term_choices
from market.i18n import gettext as _
from market.idempotency import create_once
from market.needs import services
from market.needs.forms import NeedForm
from market.pagination import arg, flag, paginate

bp = Blueprint("needs", __name__, url_prefix="/needs")


def current_need_filters() -> services.NeedFilters:
    return services.NeedFilters(
        q=arg("q"),
        field=arg("field"),
        province=arg("province"),
        mode=arg("mode"),
        open_call=flag("open_call"),
    )


@bp.route("/")
def browse() -> str:
    filters = current_need_filters()
    page = paginate(services.public_needs_query(filters))
    return render_template(
        "needs/browse.html",
        page=page,
        filters=filters,
        fields=field_choices(_("全部领域")),
        provinces=province_choices(_("全部地区")),
        modes=term_choices(taxonomy.COOPERATION_MODES, _("全部方式")),
    )


@bp.route("/<int:need_id>")
def detail(need_id: int) -> str:
    page = services.need_page(current_user, need_id)
    return render_template(
        "needs/detail.html",
        need=page.need,
        show_confidential=page.show_confidential,
        history=page.history,
    )


@bp.route("/mine")
@login_required
def mine() -> str:
    status = arg("status", 20)
    page = paginate(services.organisation_needs_query(current_user, status))
    return render_template("needs/mine.html", page=page, status=status)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> str | Response:
    services.require_author(current_user)  # before the empty form is shown, not only on saving
    form = NeedForm()
    if form.validate_on_submit():
        return create_once(lambda: _create_draft(form))
    return render_template("needs/form.html", form=form, need=None)


def _create_draft(form: NeedForm) -> Response:
    need = services.create_need(current_user, form.need_values())
    flash(_("需求已保存为草稿。确认无误后请提交审核。"), "success")
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit(need_id: int) -> str | Response:
    try:
        need = services.get_editable_need(current_user, need_id)
    except Conflict as refusal:  # public or pending: the detail page says why and offers 撤回
        flash(refusal.message, "warning")
        return redirect(url_for("needs.detail", need_id=need_id))
    form = NeedForm(obj=need)
    if form.validate_on_submit():
        services.update_need(current_user, need, form.need_values())
        flash(_("修改已保存。"), "success")
        return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/form.html", form=form, need=need)


@bp.route("/<int:need_id>/submit", methods=["POST"])
@login_required
def submit(need_id: int) -> Response:
    need = services.submit_need(current_user, need_id)
    flash(_("已提交审核，科协审核通过后公开。"), "success")
    return redirect(url_for("needs.detail", need_id=need.id))


@bp.route("/<int:need_id>/withdraw", methods=["POST"])
@login_required
def withdraw(need_id: int) -> Response:
    need = services.withdraw_need(current_user, need_id)
    flash(_("需求已撤回，可修改后重新提交。"), "info")
    return redirect(url_for("needs.detail", need_id=need.id))
