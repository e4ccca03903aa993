"""The assistant's pages: the suggestions the need form's script asks for (JSON), the same as a page
for a browser without JavaScript, the review page's panels (template globals) and the brokers' links
between needs. Parse, call one service, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.assistant import duplicate_marks, duplicates, serialize, services
from market.assistant.forms import AssistForm
from market.assistant.services import Assistance, Draft
from market.errors import ValidationFailed
from market.extensions import limiter
from market.i18n import gettext as _
from market.needs.models import Need

bp = Blueprint("assistant", __name__, url_prefix="/assistant")


def _draft() -> Draft:
    # CSRFProtect has checked the POST already (the form's own token travels with it); the form checks sizes.
    form = AssistForm(formdata=request.form, meta={"csrf": False})
    if not form.validate():
        errors = {name: [str(m) for m in found] for name, found in form.errors.items() if found}
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors=errors)
    return Draft(**form.draft_values())


def rate_limit() -> str:
    """The type-ahead limit of the search boxes (SUGGEST_RATE_LIMIT): the panel asks after each pause."""
    return str(current_app.config.get("SUGGEST_RATE_LIMIT", "600 per minute"))


@bp.route("/need.json", methods=["POST"])
@login_required
@limiter.limit(rate_limit)
def suggestions() -> Response:
    """For static/js/assistant.js: the form's fields in, the suggestions out."""
    return jsonify(serialize.assistance(services.assist(current_user, _draft())))


@bp.route("/need", methods=["POST"])
@login_required
def suggestions_page() -> str:
    """The same suggestions as a page: the need form's 检查 button posts here without JavaScript."""
    draft = _draft()
    return render_template("assistant/page.html", result=services.assist(current_user, draft), draft=draft)


@bp.app_template_global("need_assistance")
def need_assistance(need: Need) -> Assistance:
    """The assistant's view of a need under review (the review page's panel)."""
    draft = Draft(
        title=need.title,
        description=need.description,
        field_code=need.field_code,
        has_budget=need.budget_min is not None or need.budget_max is not None,
        has_deadline=need.deadline is not None,
        need_id=need.id,
    )
    return services.assist(current_user, draft)


@bp.app_template_global("need_duplicates")
def need_duplicates(need: Need) -> list[duplicates.Duplicate]:
    return duplicates.near_duplicates(current_user, need)


@bp.app_template_global("submitted_duplicates")
def submitted_duplicates(need: Need) -> list[duplicates.Duplicate]:
    return duplicates.on_submit(current_user, need)


@bp.app_template_global("need_links")
def need_links(need: Need) -> list[Any]:
    return duplicates.links(current_user, need)


def _back(need_id: int) -> Response:
    target = request.form.get("back", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("needs.detail", need_id=need_id)
    return redirect(target)


def _number(name: str) -> int:
    value = request.form.get(name, "")
    if not (value.isascii() and value.isdecimal()) or len(value) > 10:
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors={name: [_("请选择一条需求。")]})
    return int(value)


@bp.route("/needs/<int:need_id>/link", methods=["POST"])
@login_required
def link(need_id: int) -> Response:
    duplicates.link(current_user, need_id, _number("other_id"), request.form.get("kind", "")[:20])
    flash(_("已关联这两条需求。"), "success")
    return _back(need_id)


@bp.route("/needs/<int:need_id>/merge", methods=["POST"])
@login_required
def merge(need_id: int) -> Response:
    duplicates.merge(current_user, need_id, _number("other_id"))
    flash(_("已合并：重复的需求已关闭，并通知了发布方。"), "success")
    return _back(need_id)


@bp.route("/links/<int:link_id>/delete", methods=["POST"])
@login_required
def unlink(link_id: int) -> Response:
    need_id = _number("need_id")
    duplicates.unlink(current_user, link_id)
    flash(_("已取消关联。"), "info")
    return _back(need_id)


@bp.app_template_global("queue_duplicate_marks")
def queue_duplicate_marks(needs: list[Need]) -> dict[int, int]:
    """可能重复 per row of the review queue, from stored vectors only (nothing is encoded for the queue).
    A template global, so the queue (market/moderation) does not import the assistant, which reads orders."""
    return duplicate_marks.queue_marks(current_user, needs)
