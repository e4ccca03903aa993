"""The review page (`/broker/review/<kind>/<id>`): parse, call one service, render. The queue links
here; a need with confidential details or attachments is approved here, not from the queue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.broker import review
from market.db import db
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.text import REASON_MAX


def register(bp: Blueprint) -> None:
    """Add the review page and its two actions to the broker blueprint."""

    def render(kind: str, posting_id: int, error: ValidationFailed | None = None) -> str:
        return render_template(
            "broker/review.html",
            review=review.page(current_user, kind, posting_id),
            error=error,
            reason=request.form.get("reason", "") if error is not None else "",
            reason_max=REASON_MAX,
        )

    @bp.route("/review/<kind>/<int:posting_id>")
    @login_required
    def review_page(kind: str, posting_id: int) -> str:
        return render(kind, posting_id)

    @bp.route("/review/<kind>/<int:posting_id>/approve", methods=["POST"])
    @login_required
    def review_approve(kind: str, posting_id: int) -> Response:
        review.approve(current_user, kind, posting_id)
        flash(_("已审核通过并公开。"), "success")
        return redirect(url_for("moderation.queue"))

    @bp.route("/review/<kind>/<int:posting_id>/return", methods=["POST"])
    @login_required
    def review_return(kind: str, posting_id: int) -> Response | tuple[str, int]:
        try:
            review.send_back(current_user, kind, posting_id, request.form.get("reason", ""))
        except ValidationFailed as error:
            # The reason is fixed on this page: it is shown again with the message next to the box.
            db.session.rollback()
            return render(kind, posting_id, error), 422
        flash(_("已退回，并通知发布方修改。"), "info")
        return redirect(url_for("moderation.queue"))
