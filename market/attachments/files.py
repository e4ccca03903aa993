"""Which files may be attached: an allow-list checked on the name AND the bytes.

The extension a browser or a user claims is not trusted: a renamed executable or HTML page is
refused because its content does not start the way the named type must. Downloads are always
served with the type from this table and as an attachment, never rendered inline.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import send_file
from werkzeug.wrappers import Response

from market.errors import ValidationFailed
from market.i18n import gettext as _

MAX_FILENAME = 120


@dataclass(frozen=True)
class FileType:
    label: str
    mimetype: str
    magic: tuple[bytes, ...]
    zip_part: str = ""  # Office Open XML: a zip that must contain this folder


TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", (b"%PDF-",)),
    "png": FileType("PNG", "image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("JPEG", "image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("JPEG", "image/jpeg", (b"\xff\xd8\xff",)),
    "docx": FileType(
        "Word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
        "word/",
    ),
    "xlsx": FileType(
        "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",), "xl/"
    ),
    "pptx": FileType(
        "PowerPoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
        "ppt/",
    ),
    "dwg": FileType("AutoCAD DWG", "image/vnd.dwg", (b"AC10",)),
}


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name as given and (at most one byte more than allowed of) its bytes."""

    filename: str
    data: bytes


ALLOWED_TEXT = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG, JPEG, DWG"


def clean_filename(name: str) -> str:
    """The name to show and download under: no folders, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    if len(name) > MAX_FILENAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 5 else name
        name = name[:MAX_FILENAME]
    return name


def kind_of(filename: str, data: bytes) -> str:
    """The allowed type of this upload, or ValidationFailed saying why not."""
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    file_type = TYPES.get(suffix)
    if file_type is None:
        raise ValidationFailed(_("不支持该文件类型，只能上传 {allowed}。", allowed=ALLOWED_TEXT))
    wrong_zip = file_type.zip_part and not _zip_has(data, file_type.zip_part)
    if not data.startswith(file_type.magic) or wrong_zip:
        raise ValidationFailed(
            _("文件内容不是有效的 {label} 文件（扩展名与内容不符）。", label=file_type.label)
        )
    return suffix


def _zip_has(data: bytes, folder: str) -> bool:
    # Only the central directory is read: nothing is decompressed, so zip bombs cost nothing here.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.startswith(folder) for name in archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False


def as_download(data: bytes, kind: str, filename: str, sha256: str, *, generic: bool = False) -> Response:
    """A stored file as a download: never rendered inline, whatever the file claims to be, with the
    type from the allow-list (or application/octet-stream when `generic`, as the API documents every
    download), and kept off shared caches (the files are confidential)."""
    response = send_file(
        io.BytesIO(data),
        mimetype="application/octet-stream" if generic else TYPES[kind].mimetype,
        as_attachment=True,
        download_name=filename,
        etag=sha256,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
