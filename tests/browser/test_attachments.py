"""An enterprise attaches files to its draft need in the browser: a refused file, then a real PDF it
downloads back; another enterprise never sees the confidential file."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import email_of
from tests.browser.support import flash, log_in, log_out, main, shoot
from tests.factories import Factory

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_owner_attaches_a_pdf_after_a_refused_file_and_others_cannot_see_it(
    page: Page, site: str, make: Factory, tmp_path: Path, dialogs: list[str]
) -> None:
    owner = make.user("enterprise")
    need = make.need(owner, status="draft", title="注塑件翘曲变形")
    fake = tmp_path / "检测报告.pdf"
    fake.write_bytes(b"MZ\x90\x00 an executable, renamed")
    real = tmp_path / "模具图纸.pdf"
    real.write_bytes(PDF)

    page.goto("/")
    log_in(page, email_of(make, owner))
    page.goto(f"/needs/{need}")
    form = page.get_by_test_id("attachment-form")
    form.get_by_label("选择文件").set_input_files(str(fake))
    form.get_by_role("button", name="上传附件").click()
    expect(flash(page)).to_contain_text("扩展名与内容不符")
    expect(page.get_by_test_id("attachment")).to_have_count(0)

    page.get_by_test_id("attachment-form").get_by_label("选择文件").set_input_files(str(real))
    page.get_by_test_id("attachment-form").get_by_role("button", name="上传附件").click()
    expect(flash(page)).to_have_text("已上传附件 模具图纸.pdf。")
    item = page.get_by_test_id("attachment")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("保密")
    shoot(page, "need-attachments")
    with page.expect_download() as download_info:
        item.get_by_role("link", name="模具图纸.pdf").click()
    download = download_info.value
    href = item.get_by_role("link", name="模具图纸.pdf").get_attribute("href")
    assert download.suggested_filename == "模具图纸.pdf"
    assert Path(download.path()).read_bytes() == PDF

    log_out(page)
    other = make.user("enterprise")
    log_in(page, email_of(make, other))
    # With the other enterprise's cookies: the file and the draft's page answer 404, as if absent.
    assert page.request.get(f"{site}{href}").status == 404
    assert page.request.get(f"{site}/needs/{need}").status == 404
    expect(main(page)).not_to_contain_text("模具图纸.pdf")
    assert dialogs == []
