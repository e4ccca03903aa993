"""Attaching, listing, downloading and removing a need's files; the rules live in market.permissions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import func, select

from market import permissions
from market.attachments.files import clean_filename, kind_of
from market.attachments.models import NeedAttachment
from market.db import db
from market.errors import Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.ids import row_id

if TYPE_CHECKING:
    from market.needs.models import Need


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def max_mb() -> str:
    return f"{max_bytes() / 2**20:.3g}"


def max_per_need() -> int:
    return int(current_app.config["ATTACHMENTS_PER_NEED"])


def visible_attachments(actor: Any, need: Need) -> list[NeedAttachment]:
    rows = db.session.scalars(
        select(NeedAttachment).where(NeedAttachment.need_id == need.id).order_by(NeedAttachment.id)
    )
    return [row for row in rows if permissions.can_download_attachment(actor, row)]


@dataclass(frozen=True)
class Section:
    """The attachments part of a need's page, as one reader sees it."""

    files: list[NeedAttachment]
    can_attach: bool
    max_mb: str
    max_count: int


def section(actor: Any, need: Need) -> Section:
    return Section(
        files=visible_attachments(actor, need),
        can_attach=permissions.can_attach_to_need(actor, need, confidential=True),
        max_mb=max_mb(),
        max_count=max_per_need(),
    )


def add_attachment(
    actor: Any, need: Need, filename: str, data: bytes, *, confidential: bool
) -> NeedAttachment:
    if not permissions.can_attach_to_need(actor, need, confidential):
        raise Forbidden(_("只有发布企业可以上传附件；公开附件只能在需求可修改（草稿、退回、撤回）时添加。"))
    name = clean_filename(filename)
    if not name:
        raise ValidationFailed(_("请选择要上传的文件。"))
    if not data:
        raise ValidationFailed(_("文件是空的。"))
    if len(data) > max_bytes():
        raise ValidationFailed(_("文件过大：每个附件不能超过 {mb} MB。", mb=max_mb()))
    kind = kind_of(name, data)
    count = db.session.scalar(select(func.count()).where(NeedAttachment.need_id == need.id)) or 0
    if count >= max_per_need():
        raise ValidationFailed(_("每个需求最多 {n} 个附件，请先删除不需要的附件。", n=max_per_need()))
    attachment = NeedAttachment(
        need_id=need.id,
        uploaded_by=actor.id,
        filename=name,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        confidential=confidential,
        data=data,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def _get(attachment_id: int) -> NeedAttachment:
    attachment = db.session.get(NeedAttachment, attachment_id) if row_id(attachment_id) else None
    if attachment is None:
        raise NotFound(_("附件不存在或你无权查看。"))
    return attachment


def downloadable(actor: Any, attachment_id: int) -> NeedAttachment:
    attachment = _get(attachment_id)
    # Not Forbidden: whether a confidential file exists is itself not for others to learn.
    if not permissions.can_download_attachment(actor, attachment):
        raise NotFound(_("附件不存在或你无权查看。"))
    return attachment


def remove_attachment(actor: Any, attachment_id: int) -> Need:
    attachment = downloadable(actor, attachment_id)
    if not permissions.can_remove_attachment(actor, attachment):
        raise Forbidden(_("只有发布企业可以删除附件；公开附件只能在需求可修改时删除。"))
    need = attachment.need
    db.session.delete(attachment)
    db.session.flush()
    return need


# ---- the same checks for files elsewhere (an answer's files, a message's file) ---------------------------


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the attachment rules, ready to be stored."""

    filename: str
    kind: str
    size: int
    sha256: str
    data: bytes


def checked_upload(filename: str, data: bytes, field: str = "file") -> CheckedFile:
    """The rules of a need's attachments (a name, not empty, ATTACHMENT_MAX_BYTES, an allowed type by
    name and content) for any other upload; a refusal is a 422 naming `field`."""

    def invalid(message: str) -> ValidationFailed:
        return ValidationFailed(message, field_errors={field: [message]})

    name = clean_filename(filename)
    if not name:
        raise invalid(_("请选择要上传的文件。"))
    if not data:
        raise invalid(_("文件是空的。"))
    if len(data) > max_bytes():
        raise invalid(_("文件过大：每个附件不能超过 {mb} MB。", mb=max_mb()))
    try:
        kind = kind_of(name, data)
    except ValidationFailed as error:
        raise invalid(error.message) from None
    return CheckedFile(name, kind, len(data), hashlib.sha256(data).hexdigest(), data)
