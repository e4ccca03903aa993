"""Helpers the browser walks share: screenshots, logging in and out through the real forms."""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOC_SHOTS = ROOT / "docs" / "screenshots"
HAN = re.compile(r"[\u4e00-\u9fff]")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Han characters and CJK punctuation

# Set KC_DOC_SCREENSHOTS=1 to refresh the committed copies in docs/screenshots/ (1280x800 viewport).
_UPDATE_DOCS = os.environ.get("KC_DOC_SCREENSHOTS") == "1"


def shoot(page: Page, name: str, *, doc: bool = False) -> Path:
    """A full-page PNG under test-artifacts/screenshots/; with doc=True also the docs copy (viewport)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    if doc and _UPDATE_DOCS:
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        view = ARTIFACTS / f"{name}.viewport.png"
        page.screenshot(path=str(view), full_page=False, animations="disabled", caret="hide")
        repack_png(view, DOC_SHOTS / f"{name}.png")
    return path


def repack_png(source: Path, target: Path) -> None:
    """The same pixels with zlib at level 9: Chromium writes its PNGs fast rather than small."""
    blob = source.read_bytes()
    chunks: list[tuple[bytes, bytes]] = []
    pixels = b""
    pos = 8
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos : pos + 4])
        kind, body = blob[pos + 4 : pos + 8], blob[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IDAT":
            if not pixels:
                chunks.append((kind, b""))  # where the image data goes
            pixels += body
        else:
            chunks.append((kind, body))
    packed = zlib.compress(zlib.decompress(pixels), 9)
    out = [blob[:8]]
    for kind, body in chunks:
        body = packed if kind == b"IDAT" else body
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
    target.write_bytes(b"".join(out))


def nav(page: Page) -> Locator:
    return page.locator("nav.navbar")


def main(page: Page) -> Locator:
    return page.locator("main")


def flash(page: Page) -> Locator:
    return page.locator("main .alert").first


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """From wherever the page is: the navbar's 登录 link, then the login form."""
    nav(page).get_by_role("link", name="登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    main(page).get_by_role("button", name="登录").click()
    expect(page.locator(".alert-success")).to_contain_text("欢迎回来")
    styled(page)


def styled(page: Page) -> None:
    """Wait for the page's stylesheets after a navigation by click. Its text can be found as soon as
    the HTML is parsed, before the stylesheets have loaded, and boxes measured then are the unstyled
    page's: seen under full runs as a 通过 link 24 px tall beside a styled 31 px 退回 button."""
    page.wait_for_load_state("load")


def log_out(page: Page) -> None:
    nav(page).get_by_role("button", name="退出").click()
    expect(nav(page).get_by_role("link", name="登录")).to_be_visible()


def status_badge(page: Page) -> Locator:
    """The posting's status badge in or beside the page's title (not the ones in its review history)."""
    return (
        main(page)
        .locator("h1 + div > span.badge, h1 > span.badge")
        .filter(has_text=re.compile("草稿|待审核|已公开|已退回|已撤回|已关闭"))
    )


def verify_address(page: Page, app: Any, email: str) -> None:
    """Open the address-check link mailed to `email` at registration (read from its outbox row), then
    come back to the page the walk was on: an unverified account may not submit, order or answer."""
    from sqlalchemy import select

    from market.db import db
    from market.mail.models import EmailOutbox

    with app.app_context():
        query = select(EmailOutbox.message_params).where(
            EmailOutbox.to == email, EmailOutbox.message_key == "account.verify_email"
        )
        params = db.session.scalars(query.order_by(EmailOutbox.id.desc())).first()
    assert params, f"no verification mail to {email}"
    back = page.url
    page.goto(f"/auth/verify/{params['token']}")
    expect(flash(page)).to_have_text(f"邮箱 {email} 已验证。")
    page.goto(back)


def searchable(page: Page, label: str) -> Locator:
    """The <select> behind a searchable picker (static/js/pickers.js): the form posts its options."""
    target = page.locator("label", has_text=label).first.get_attribute("for") or ""
    # Tom Select points the label at its own search box, named after the select.
    return page.locator(f"select[id='{target.removesuffix('-ts-control')}']")


def pick(page: Page, label: str, *names: str, clear: bool = False) -> None:
    """Choose options of a searchable picker the way a person does: type part of the name, click it
    (after removing what was chosen, with Backspace, when `clear`)."""
    combobox = page.get_by_role("combobox", name=label)
    control = combobox.locator("xpath=..")  # Tom Select's .ts-control
    control.click()
    if clear:
        while control.locator(".item").count():
            page.keyboard.press("Backspace")
    for name in names:
        combobox.fill(name)
        page.locator(".ts-dropdown .option", has_text=name).first.click()
    page.keyboard.press("Escape")
