"""The broker's review queue (审核): parse, call one moderation service, render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.db import db
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.moderation import services

bp = Blueprint("moderation", __name__, url_prefix="/review")


@bp.route("/")
@login_required
def queue() -> str:
    needs = services.review_queue(current_user, ["need"])
    return render_template(
        "moderation/queue.html",
        needs=needs,
        providers=services.review_queue(current_user, ["provider"]),
        # Needs with confidential details or attachments: approved on their review page, not here.
        hidden=services.hidden_parts(needs),
    )


@bp.route("/<kind>/<int:posting_id>/approve", methods=["POST"])
@login_required
def approve(kind: str, posting_id: int) -> Response:
    services.approve(current_user, kind, posting_id)
    flash(_("已审核通过并公开。"), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/<kind>/<int:posting_id>/return", methods=["POST"])
@login_required
def send_back(kind: str, posting_id: int) -> Response:
    try:
        services.send_back(current_user, kind, posting_id, request.form.get("reason", ""))
    except ValidationFailed as error:
        # A missing reason is fixed on the queue page itself: the form is right there.
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("moderation.queue"))
    flash(_("已退回，并通知发布方修改。"), "info")
    return redirect(url_for("moderation.queue"))
