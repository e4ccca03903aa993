"""认领单位 pages: a broker invites a contact by e-mail; the contact registers through the mailed link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market.auth import sessions
from market.broker import claims
from market.db import db
from market.errors import ValidationFailed
from market.i18n import gettext as _


def register(bp: Blueprint) -> None:
    """Add the invitation form and the claim link to the broker blueprint."""

    def invite_page(organisation_id: int, error: ValidationFailed | None = None) -> str:
        org = claims.organisation_to_claim(current_user, organisation_id)
        return render_template(
            "broker/claim_invite.html",
            org=org,
            has_members=claims.has_members(org),
            invitations=claims.pending_invitations(org),
            error=error,
            email=request.form.get("email", "") if error is not None else "",
            back=_safe_back(),
        )

    @bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
    @login_required
    def claim_invite(organisation_id: int) -> str | Response | tuple[str, int]:
        if request.method == "GET":
            return invite_page(organisation_id)
        try:
            claim = claims.invite(current_user, organisation_id, request.form.get("email", ""))
        except ValidationFailed as error:
            db.session.rollback()
            return invite_page(organisation_id, error), 422
        flash(_("已向 {email} 发送认领邀请，链接 7 天内有效。", email=claim.email), "success")
        return redirect(url_for("broker.claim_invite", organisation_id=organisation_id, back=_safe_back()))

    @bp.route("/claim/<token>", methods=["GET", "POST"])
    def claim(token: str) -> str | Response | tuple[str, int]:
        if request.method == "GET":
            try:
                record = claims.claim_record(token)
            except ValidationFailed as error:
                return render_template("broker/claim_accept.html", record=None, error=error), 422
            return render_template("broker/claim_accept.html", record=record, error=None, name="")
        try:
            user = claims.accept(token, request.form.get("name", ""), request.form.get("password", ""))
        except ValidationFailed as error:
            db.session.rollback()
            try:
                record = claims.claim_record(token)
            except ValidationFailed as bad_link:
                return render_template("broker/claim_accept.html", record=None, error=bad_link), 422
            name = request.form.get("name", "")
            return render_template("broker/claim_accept.html", record=record, error=error, name=name), 422
        sessions.start_session(user, remember=False)
        flash(
            _("注册成功，您已成为“{name}”的成员。", name=user.organisation.name if user.organisation else ""),
            "success",
        )
        return redirect(url_for("main.dashboard"))


def _safe_back() -> str:
    target = request.values.get("back", "")
    return target if target.startswith("/") and not target.startswith("//") else ""
