"""Need pages: public browsing, an enterprise's own needs, the need form."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.db import db
from market.errors import Conflict, DomainError, ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.idempotency import create_once
from market.needs import services
from market.needs.forms import NeedForm, OutcomeForm, SolveForm
from market.needs.models import Need
from market.pagination import arg, paginate
from market.text import REASON_MAX

bp = Blueprint("needs", __name__, url_prefix="/needs")


# The public list (`/needs/`, endpoint needs.browse) is market/search/views.py: ranked by the search
# index, which builds on needs and so cannot be imported here.


@bp.route("/<int:need_id>")
def detail(need_id: int) -> str:
    page = services.need_page(current_user, need_id)
    return render_template(
        "needs/detail.html",
        need=page.need,
        show_confidential=page.show_confidential,
        history=page.history,
        deal_orders=page.deal_orders,
        reason_max=REASON_MAX,
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


OUTCOME_FORMS: dict[str, type[OutcomeForm]] = {
    "solve": SolveForm,
    "close": OutcomeForm,
    "reopen": OutcomeForm,
}
OUTCOME_STEPS: dict[str, Callable[..., Need]] = {
    "solve": services.solve_need,
    "close": services.close_need,
    "reopen": services.reopen_need,
}
OUTCOME_DONE = {
    "solve": N_("需求已标记为已解决，已从公开列表、搜索和推荐中移除。"),
    "close": N_("需求已关闭，已从公开列表、搜索和推荐中移除。"),
    "reopen": N_("需求已重新开放，重新出现在公开列表、搜索和推荐中。"),
}


@bp.route("/<int:need_id>/<any(solve, close, reopen):step>", methods=["POST"])
@login_required
def outcome(need_id: int, step: str) -> str | Response:
    """标记为已解决 / 关闭需求 / 重新开放. A wrong state (409) or bad input (422) shows the need's page
    again with the one message and what was typed; success redirects, so a reload repeats nothing."""
    try:
        form = _read(OUTCOME_FORMS[step])
        OUTCOME_STEPS[step](current_user, need_id, **form.outcome_values())
    except (Conflict, ValidationFailed) as refusal:
        db.session.rollback()
        flash(_refusal_message(refusal), "danger" if isinstance(refusal, ValidationFailed) else "warning")
        return make_response(detail(need_id), refusal.status)
    flash(_(OUTCOME_DONE[step]), "success")
    return redirect(url_for("needs.detail", need_id=need_id))


def _read(form_class: type[OutcomeForm]) -> OutcomeForm:
    # CSRFProtect has checked the POST already; the form checks only the values.
    form = form_class(formdata=request.form, meta={"csrf": False})
    if not form.validate():
        errors = {name: [str(m) for m in found] for name, found in form.errors.items() if found}
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors=errors)
    return form


def _refusal_message(error: DomainError) -> str:
    """One message per refusal (`DomainError.shown`)."""
    return error.shown()
