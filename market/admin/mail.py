"""Admin: the e-mail outbox (/admin/mail). What was or would be sent, each row's state, attempts and
last error, and a preview of the mail as its recipient would read it (market.mail.compose).

With no SMTP_URL (the embedded default) nothing leaves the building: this page is where the demo's mail
can be read. A dead row can be queued again (audited)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from market.admin import access, audit
from market.db import db
from market.errors import NotFound
from market.i18n import N_
from market.i18n import gettext as _
from market.mail import compose, models, preferences, sender
from market.mail.models import EmailOutbox
from market.pagination import arg, paginate

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail")

STATE_LABELS = {
    models.QUEUED: N_("待发送"),
    models.SENT: N_("已发送"),
    models.DEAD: N_("已放弃"),
    models.DIGEST: N_("等待每日汇总"),
    models.DIGESTED: N_("已并入汇总"),
    models.CANCELLED: N_("已关闭此类邮件，不发送"),
}


def _row(mail_id: int) -> EmailOutbox:
    access.require_admin(current_user)
    row = db.session.get(EmailOutbox, mail_id)
    if row is None:
        raise NotFound(_("邮件不存在。"))
    return row


@bp.route("")
@login_required
def outbox() -> str:
    access.require_admin(current_user)
    query = select(EmailOutbox).options(selectinload(EmailOutbox.user)).order_by(EmailOutbox.id.desc())
    state = arg("state", 12)
    if state in models.STATES:
        query = query.where(EmailOutbox.state == state)
    smtp_url = current_app.config.get("SMTP_URL")
    return render_template(
        "admin/mail.html",
        page=paginate(query),
        state=state,
        states=models.STATES,
        state_labels=STATE_LABELS,
        kind_labels=preferences.KIND_LABELS,
        smtp=sender.server().describe() if smtp_url else "",
    )


@bp.route("/<int:mail_id>")
@login_required
def preview(mail_id: int) -> str:
    row = _row(mail_id)
    mail = compose.render(row, redact=True)
    return render_template("admin/mail_preview.html", row=row, mail=mail, state_labels=STATE_LABELS)


@bp.route("/<int:mail_id>/html")
@login_required
def preview_html(mail_id: int) -> Response:
    """The HTML part on its own, as the recipient's mail program would show it."""
    mail = compose.render(_row(mail_id), redact=True)
    return Response(mail.html or "", mimetype="text/html")


@bp.route("/<int:mail_id>/retry", methods=["POST"])
@login_required
def retry(mail_id: int) -> Response:
    row = _row(mail_id)
    if row.state not in (models.DEAD, models.QUEUED):
        flash(_("只有待发送或已放弃的邮件可以重新发送。"), "warning")
    else:
        sender.requeue(row)
        audit.record(current_user, "mail.retry", f"mail #{row.id} → {row.to}")
        flash(_("邮件已重新排队。"), "success")
    return redirect(url_for("admin_mail.preview", mail_id=mail_id))  # type: ignore[return-value]
