"""Saved search pages: save from a list page, 我的搜索 (/me/searches) to open, rename and delete them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.errors import Conflict, ValidationFailed
from market.i18n import gettext as _
from market.saved_searches import services
from market.saved_searches.forms import RenameForm, SaveSearchForm, posted_filters

bp = Blueprint("saved_searches", __name__)
SAVE_PREFIX = "saved"


def _problem(error: ValidationFailed | Conflict) -> str:
    return error.shown()  # what is wrong with each field, without the form-level line repeating it


@bp.route("/me/searches")
@login_required
def index() -> str:
    return render_template(
        "saved_searches/index.html",
        searches=services.my_searches(current_user),
        limit=services.limit(),
        can_follow=services.can_follow_recommended(current_user),
        following=services.following_recommended(current_user),
        list_url=services.list_url,
        describe=services.describe,
        kind_labels=services.KIND_LABELS,
    )


@bp.route("/me/searches", methods=["POST"])
@login_required
def save() -> Response:
    form = SaveSearchForm(prefix=SAVE_PREFIX)  # "saved-q" …: the list page's own q and sort stay unique
    kind = str(form.kind.data or "")
    back = url_for(services.LIST_ENDPOINTS.get(kind, "saved_searches.index"))
    if not form.validate_on_submit():
        flash(_("无法保存搜索：提交的数据未通过校验。"), "danger")
        return redirect(back)
    try:
        saved, new = services.save(current_user, form.terms(posted_filters(kind, request.form)))
    except (ValidationFailed, Conflict) as error:
        flash(_("无法保存搜索：{problem}", problem=_problem(error)), "danger")
        return redirect(back)
    if new:
        flash(_("已保存搜索“{name}”。有新的匹配结果时会通知你（每天最多一次）。", name=saved.name), "success")
    else:
        flash(_("这个搜索已经保存过了（“{name}”）。", name=saved.name), "info")
    return redirect(services.list_url(saved))


@bp.route("/me/searches/follow-recommended", methods=["POST"])
@login_required
def follow_recommended() -> Response:
    try:
        _saved, new = services.follow_recommended(current_user)
    except (ValidationFailed, Conflict) as error:
        flash(_problem(error), "danger")
        return redirect(url_for("saved_searches.index"))
    if new:
        flash(_("已关注推荐需求：有新的推荐需求时会通知你（每天最多一次）。"), "success")
    return redirect(url_for("saved_searches.index"))


@bp.route("/me/searches/<int:search_id>", endpoint="open")
@login_required
def open_search(search_id: int) -> Response:
    """The list page with the saved search's results now (the alert notices link here)."""
    return redirect(services.list_url(services.get_own(current_user, search_id)))


@bp.route("/me/searches/<int:search_id>/rename", methods=["POST"])
@login_required
def rename(search_id: int) -> Response:
    services.get_own(current_user, search_id)  # 404 before the form is read
    form = RenameForm()
    if not form.validate_on_submit():
        problems = [m for messages in form.errors.values() for m in messages]
        flash(_("无法重命名：{problem}", problem="；".join(str(m) for m in problems)), "danger")
        return redirect(url_for("saved_searches.index"))
    try:
        saved = services.rename(current_user, search_id, str(form.name.data or ""))
    except ValidationFailed as error:
        flash(_problem(error), "danger")
        return redirect(url_for("saved_searches.index"))
    flash(_("已重命名为“{name}”。", name=saved.name), "success")
    return redirect(url_for("saved_searches.index"))


@bp.route("/me/searches/<int:search_id>/delete", methods=["POST"])
@login_required
def delete(search_id: int) -> Response:
    saved = services.get_own(current_user, search_id)
    name = saved.name
    services.delete(current_user, search_id)
    flash(_("已删除搜索“{name}”。", name=name), "success")
    return redirect(url_for("saved_searches.index"))
