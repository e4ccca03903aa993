"""Request bodies that carry files (multipart/form-data): their text fields are checked like a JSON body
(unknown fields and NUL are a 400), their files are read up to one byte beyond the attachment limit."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from market.api.bodies import check_shape
from market.api.errors import BadRequest
from market.attachments.files import Upload
from market.attachments.services import max_bytes, max_mb
from market.errors import ValidationFailed
from market.i18n import gettext as _

JSON = dict[str, Any]
MULTIPART = "multipart/form-data"
BINARY: JSON = {"type": "string", "format": "binary"}


def is_multipart() -> bool:
    return request.mimetype == MULTIPART


def multipart_schema(fields: JSON, files: dict[str, str]) -> JSON:
    """The multipart schema of a body: its text fields (a JSON body's properties) and its file parts
    (name -> description; a part named with [] in `files` may be sent more than once)."""
    properties = {name: {"type": "string", **_described(schema)} for name, schema in fields.items()}
    for name, description in files.items():
        properties[name] = {**BINARY, "description": description}
    return {"type": "object", "additionalProperties": False, "properties": properties}


def _described(schema: JSON) -> JSON:
    return {key: schema[key] for key in ("description", "maxLength", "minLength") if key in schema}


def multipart_body(schema: JSON, file_fields: tuple[str, ...]) -> tuple[JSON, dict[str, list[Upload]]]:
    """The text fields (checked against `schema`'s properties) and the files of a multipart request."""
    if not is_multipart():
        raise BadRequest(_("请求体必须是 multipart/form-data。"))
    try:
        form, sent = request.form, request.files
    except RequestEntityTooLarge:
        message = _("文件过大：每个附件不能超过 {mb} MB。", mb=max_mb())
        raise ValidationFailed(message, field_errors={file_fields[0]: [message]}) from None
    strays = {name: [_("未知字段。")] for name in sent if name not in file_fields}
    if strays:
        raise BadRequest(_("请求体字段类型不正确。"), field_errors=strays)
    payload: JSON = {name: form.get(name, "") for name in form}
    check_shape(payload, schema)
    files = {
        name: [Upload(f.filename or "", f.stream.read(max_bytes() + 1)) for f in sent.getlist(name)]
        for name in file_fields
    }
    return payload, files
