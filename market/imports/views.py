"""Bulk import and export pages for brokers and admins (数据导入导出)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from market.db import db
from market.errors import Forbidden, NotFound
from market.i18n import gettext as _
from market.imports import batches, export
from market.imports.columns import COLUMNS, KINDS, RECORD_LABELS
from market.imports.models import ImportBatch
from market.imports.reading import FileRejected
from market.security import events as security

bp = Blueprint("imports", __name__, url_prefix="/imports")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KIND_LABELS = {"needs": "技术需求", "providers": "服务方（含成果与服务）"}


def _require_importer() -> None:
    if not batches.can_import(current_user):
        raise Forbidden(_("只有经纪人和管理员可以批量导入导出。"))


def _check(kind: str, fmt: str = "csv") -> None:
    if kind not in KINDS or fmt not in FORMATS:
        raise NotFound(_("页面或资源不存在。"))


def _index(status: int = 200, error: str = "", kind: str = "") -> tuple[str, int]:
    recent = db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.actor_id == current_user.id)
        .order_by(ImportBatch.id.desc())
        .limit(10)
    )
    return render_template(
        "imports/index.html",
        kinds=KINDS,
        kind_labels=KIND_LABELS,
        columns=COLUMNS,
        recent=list(recent),
        error=error,
        error_kind=kind,
    ), status


@bp.route("/")
@login_required
def index() -> tuple[str, int]:
    _require_importer()
    return _index()


@bp.route("/template/<kind>.<fmt>")
@login_required
def template(kind: str, fmt: str) -> Response:
    _require_importer()
    _check(kind, fmt)
    return _download(kind, fmt, [export.hint_row(kind)], f"{kind}-template")


@bp.route("/export/<kind>.<fmt>")
@login_required
def export_file(kind: str, fmt: str) -> Response:
    _require_importer()
    _check(kind, fmt)
    rows = list(export.ROWS[kind](current_user))
    security.record(security.EXPORT, kind=kind, format=fmt, rows=len(rows))
    return _download(kind, fmt, rows, f"{kind}-export")


def _download(kind: str, fmt: str, rows: list[export.DataRow], name: str) -> Response:
    header = export.headers(kind)
    body = export.to_csv(header, rows) if fmt == "csv" else export.to_xlsx(header, rows, kind)
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/<kind>", methods=["POST"])
@login_required
def upload(kind: str) -> Response | tuple[str, int]:
    _require_importer()
    _check(kind)
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _index(413, _("文件过大：上传文件不能超过 10 MB。"), kind)
    if upload is None or not upload.filename:
        return _index(422, _("请选择要上传的文件。"), kind)
    try:
        batch = batches.create_batch(
            current_user, kind, upload.filename, upload.read(), publish=request.form.get("publish") == "y"
        )
    except FileRejected as error:
        return _index(422, error.message, kind)
    return redirect(url_for("imports.batch", batch_id=batch.id))


@bp.route("/batch/<int:batch_id>")
@login_required
def batch(batch_id: int) -> str:
    _require_importer()
    found = batches.get_batch(current_user, batch_id)
    preview = batches.batch_preview(found)
    return render_template(
        "imports/batch.html",
        batch=found,
        kind_labels=KIND_LABELS,
        record_labels=RECORD_LABELS,
        counts=batches.record_counts(found),
        preview=preview,
        organisations=batches.preview_organisations(found, current_user, preview),
        errors=batches.batch_errors(found),
        columns=COLUMNS[found.kind],
    )


@bp.route("/batch/<int:batch_id>/step", methods=["POST"])
@login_required
def step(batch_id: int) -> Response:
    _require_importer()
    found = batches.get_batch(current_user, batch_id)
    batches.validate_step(found, current_user)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            status=found.status,
            processed=found.processed_rows,
            total=found.total_rows,
            errors=found.error_count,
        )
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.route("/batch/<int:batch_id>/commit", methods=["POST"])
@login_required
def commit(batch_id: int) -> Response:
    _require_importer()
    found = batches.get_batch(current_user, batch_id)
    result = batches.commit_batch(found, current_user)
    flash(
        _(
            "导入完成：{needs} 条需求、{providers} 个服务方、{achievements} 项成果、{services} 项服务。",
            **result.as_dict(),
        ),
        "success",
    )
    return redirect(url_for("imports.batch", batch_id=batch_id))


BATCH_STATUS_LABELS = {
    "validating": "校验中",
    "ready": "可导入",
    "invalid": "有错误",
    "committing": "导入中",
    "committed": "已导入",
}


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {"import_status": lambda status: _(BATCH_STATUS_LABELS.get(status, status))}
