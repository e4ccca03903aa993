"""Upload, download and delete a need's attachments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from market.attachments import services
from market.attachments.files import as_download
from market.db import db
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.needs import services as needs
from market.needs.models import Need

bp = Blueprint("attachments", __name__)


@bp.app_template_global("need_attachments")
def need_attachments(need: Need) -> services.Section:
    """The need page's files (templates/attachments/_section.html): the need page itself does not know
    about attachments, which build on needs."""
    return services.section(current_user, need)


def _back_to(need_id: int) -> Response:
    return redirect(url_for("needs.detail", need_id=need_id) + "#attachments")


@bp.route("/needs/<int:need_id>/attachments", methods=["POST"])
@login_required
def upload(need_id: int) -> Response:
    need = needs.get_visible_need(current_user, need_id)
    try:
        upload = request.files.get("file")
        confidential = request.form.get("public") != "y"
    except RequestEntityTooLarge:
        flash(_("文件过大：每个附件不能超过 {mb} MB。", mb=services.max_mb()), "danger")
        return _back_to(need.id)
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件。"), "danger")
        return _back_to(need.id)
    data = upload.stream.read(services.max_bytes() + 1)  # one byte over is enough to refuse
    try:
        attachment = services.add_attachment(
            current_user, need, upload.filename, data, confidential=confidential
        )
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back_to(need.id)
    flash(_("已上传附件 {name}。", name=attachment.filename), "success")
    return _back_to(need.id)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    attachment = services.downloadable(current_user, attachment_id)
    return as_download(attachment.data, attachment.kind, attachment.filename, attachment.sha256)


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete(attachment_id: int) -> Response:
    need = services.remove_attachment(current_user, attachment_id)
    flash(_("附件已删除。"), "success")
    return _back_to(need.id)
