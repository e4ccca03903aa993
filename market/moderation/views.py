"""The broker's review queue (审核)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market import permissions
from market.db import db
from market.errors import Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.moderation import services
from market.needs.models import Need
from market.providers.models import Provider

bp = Blueprint("moderation", __name__, url_prefix="/review")

KINDS: dict[str, type[Need] | type[Provider]] = {"need": Need, "provider": Provider}


def _require_reviewer() -> None:
    if not permissions.can_review(current_user):
        raise Forbidden(_("只有科协经纪人和管理员可以审核。"))


@bp.route("/")
@login_required
def queue() -> str:
    _require_reviewer()
    return render_template(
        "moderation/queue.html",
        needs=services.pending_in_scope(Need, current_user),
        providers=services.pending_in_scope(Provider, current_user),
    )


def _posting(kind: str, posting_id: int) -> Need | Provider:
    model = KINDS.get(kind)
    posting = db.session.get(model, posting_id) if model else None
    if posting is None:
        raise NotFound(_("内容不存在。"))
    return posting


def _allowed(posting: Need | Provider) -> bool:
    if isinstance(posting, Need):
        return permissions.can_review_need(current_user, posting)
    return permissions.can_review_provider(current_user, posting)


@bp.route("/<kind>/<int:posting_id>/approve", methods=["POST"])
@login_required
def approve(kind: str, posting_id: int) -> Response:
    _require_reviewer()
    posting = _posting(kind, posting_id)
    services.approve(current_user, posting, _allowed(posting))
    flash(_("已审核通过并公开。"), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/<kind>/<int:posting_id>/return", methods=["POST"])
@login_required
def send_back(kind: str, posting_id: int) -> Response:
    _require_reviewer()
    posting = _posting(kind, posting_id)
    try:
        services.send_back(current_user, posting, request.form.get("reason", ""), _allowed(posting))
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("moderation.queue"))
    flash(_("已退回，并通知发布方修改。"), "info")
    return redirect(url_for("moderation.queue"))
