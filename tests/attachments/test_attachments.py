"""Need attachments: who may upload, see and delete them; size, count and type limits; nothing
half-written when an upload is refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from market.attachments.files import clean_filename
from market.attachments.models import NeedAttachment
from market.db import db
from tests.orders.world import ROLES, World, build_world

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)


def _upload(client: FlaskClient, need: int, name: str, data: bytes, public: bool = False):  # type: ignore[no-untyped-def]
    form = {"file": (io.BytesIO(data), name)}
    if public:
        form["public"] = "y"  # type: ignore[assignment]
    return client.post(f"/needs/{need}/attachments", data=form, content_type="multipart/form-data")


def _rows(app: Flask) -> list[tuple[str, int, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(NeedAttachment).order_by(NeedAttachment.id))
        return [(row.filename, row.size, row.confidential) for row in rows]


def _draft(world: World) -> int:
    return int(world.make.need(world.owner, status="draft"))


def test_owner_uploads_and_downloads_exactly_what_was_sent(app: Flask, world: World) -> None:
    owner = world.client("owner")
    response = _upload(owner, world.need, "低温测试报告.pdf", PDF)
    assert response.status_code == 302 and response.location.endswith("#attachments")
    page = owner.get(f"/needs/{world.need}").get_data(as_text=True)
    assert "已上传附件 低温测试报告.pdf" in page and "低温测试报告.pdf" in page
    assert _rows(app) == [("低温测试报告.pdf", len(PDF), True)]
    with app.app_context():
        attachment_id = db.session.scalar(select(NeedAttachment.id))
    download = owner.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "不支持该文件类型"),
        ("report.pdf", b"MZ\x90\x00 an executable renamed", "扩展名与内容不符"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "扩展名与内容不符"),
        ("table.xlsx", _office("word/"), "扩展名与内容不符"),  # a Word file named .xlsx
        ("table.xlsx", b"PK\x03\x04 not really a zip", "扩展名与内容不符"),
        ("empty.pdf", b"", "文件是空的"),
        ("noext", PDF, "不支持该文件类型"),
    ],
)
def test_wrong_types_are_refused_with_a_reason_and_nothing_stored(
    app: Flask, world: World, name: str, data: bytes, message: str
) -> None:
    owner = world.client("owner")
    response = _upload(owner, world.need, name, data)
    assert response.status_code == 302
    assert message in owner.get(f"/needs/{world.need}").get_data(as_text=True)
    assert _rows(app) == []


def test_office_and_image_files_are_accepted(app: Flask, world: World) -> None:
    owner = world.client("owner")
    for name, data in [
        ("方案.docx", _office("word/")),
        ("数据.xlsx", _office("xl/")),
        ("汇报.pptx", _office("ppt/")),
        ("照片.PNG", PNG),
        ("图纸.dwg", b"AC1032" + b"\x00" * 32),
    ]:
        assert _upload(owner, world.need, name, data).status_code == 302
    assert [row[0] for row in _rows(app)] == ["方案.docx", "数据.xlsx", "汇报.pptx", "照片.PNG", "图纸.dwg"]


def test_size_limit_and_count_limit(app: Flask, world: World) -> None:
    owner = world.client("owner")
    app.config.update(ATTACHMENT_MAX_BYTES=1000, ATTACHMENTS_PER_NEED=2)
    try:
        _upload(owner, world.need, "big.pdf", PDF + b"0" * 1000)
        assert "每个附件不能超过" in owner.get(f"/needs/{world.need}").get_data(as_text=True)
        assert _rows(app) == []
        for n in range(2):
            _upload(owner, world.need, f"r{n}.pdf", PDF)
        _upload(owner, world.need, "r3.pdf", PDF)
        assert "最多 2 个附件" in owner.get(f"/needs/{world.need}").get_data(as_text=True)
        assert [row[0] for row in _rows(app)] == ["r0.pdf", "r1.pdf"]
    finally:
        app.config.update(ATTACHMENT_MAX_BYTES=8 * 1024 * 1024, ATTACHMENTS_PER_NEED=10)


def test_request_over_the_body_limit_gets_a_message_not_a_500(app: Flask, world: World) -> None:
    owner = world.client("owner")
    huge = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = _upload(owner, world.need, "huge.pdf", huge)
    assert response.status_code in (302, 413)
    page = owner.get(f"/needs/{world.need}").get_data(as_text=True) if response.status_code == 302 else ""
    assert "过大" in (page or response.get_data(as_text=True))
    assert _rows(app) == []


def test_filenames_lose_folders_and_control_characters() -> None:
    assert clean_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_filename("C:\\Users\\张三\\图纸.dwg") == "图纸.dwg"
    assert clean_filename("a\x00b\nc.pdf") == "abc.pdf"
    assert clean_filename(".hidden.pdf") == "hidden.pdf"
    long = clean_filename("长" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")


# Who sees which file on an approved need with an accepted order for `provider`:
CONFIDENTIAL_READERS = {"owner", "provider", "broker_in", "admin"}
PUBLIC_READERS = set(ROLES) - {"anonymous"}  # downloads need an account, like orders do


def test_download_follows_the_confidential_rules_for_every_role(app: Flask, world: World) -> None:
    draft = _draft(world)
    owner = world.client("owner")
    _upload(owner, draft, "公开说明.pdf", PDF, public=True)
    _upload(owner, draft, "保密图纸.pdf", PDF)
    with app.app_context():
        from market.needs.models import Need

        db.session.get(Need, draft).status = "approved"  # reviewed with its public file
        db.session.commit()
    world.need = draft
    world.order("accepted")  # the invited provider engaged: sees confidential details and files
    with app.app_context():
        ids = dict(db.session.execute(select(NeedAttachment.filename, NeedAttachment.id)).all())
    for role in ROLES:
        client = world.client(role)
        public = client.get(f"/attachments/{ids['公开说明.pdf']}")
        secret = client.get(f"/attachments/{ids['保密图纸.pdf']}")
        page = client.get(f"/needs/{draft}").get_data(as_text=True)
        if role == "anonymous":
            assert public.status_code == 302 and secret.status_code == 302  # to the login page
        else:
            assert public.status_code == 200, role
            assert secret.status_code == (200 if role in CONFIDENTIAL_READERS else 404), role
        assert ("保密图纸.pdf" in page) == (role in CONFIDENTIAL_READERS), role
        assert "公开说明.pdf" in page, role


def test_public_files_change_only_while_editable_confidential_until_closed(app: Flask, world: World) -> None:
    owner = world.client("owner")
    _upload(owner, world.need, "公开.pdf", PDF, public=True)  # approved: would skip the review
    assert _rows(app) == []
    _upload(owner, world.need, "保密.pdf", PDF)
    assert _rows(app) == [("保密.pdf", len(PDF), True)]
    with app.app_context():
        attachment_id = db.session.scalar(select(NeedAttachment.id))
    for role in ("other_enterprise", "provider", "broker_in", "admin"):
        assert world.client(role).post(f"/attachments/{attachment_id}/delete").status_code in (403, 404)
        assert _upload(world.client(role), world.need, "x.pdf", PDF).status_code in (403, 404)
    assert len(_rows(app)) == 1
    assert owner.post(f"/attachments/{attachment_id}/delete").status_code == 302
    assert _rows(app) == []


def test_deleting_a_need_deletes_its_files(app: Flask, world: World) -> None:
    draft = _draft(world)
    _upload(world.client("owner"), draft, "a.pdf", PDF)
    with app.app_context():
        from market.needs.models import Need

        db.session.delete(db.session.get(Need, draft))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(NeedAttachment)) == 0
