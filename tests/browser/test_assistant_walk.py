"""需求凝练 in Chromium: an enterprise writes a vague need, takes the suggested field and two of the
experts' terms, and sees the count of providers who could help change."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from market.auth.models import User
from market.db import db
from tests.assistant.conftest import VAGUE_TEXT, VAGUE_TITLE, build_market
from tests.browser.support import log_in, shoot
from tests.factories import Factory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("synced")]  # an index of its own


def _count(page: Page) -> int:
    found = re.search(r"约有 (\d+) 个", page.get_by_test_id("assistant-providers").inner_text())
    assert found, page.get_by_test_id("assistant-providers").inner_text()
    return int(found.group(1))


def _settled(page: Page, after: int) -> int:
    """Wait for an answer newer than `after` (the panel counts them) and return its number."""
    panel = page.locator("#need-assistant")
    expect(panel).to_have_attribute("data-state", "ready")
    page.wait_for_function(
        "after => Number(document.getElementById('need-assistant').dataset.sequence || 0) > after", arg=after
    )
    expect(panel).to_have_attribute("data-state", "ready")
    return int(panel.get_attribute("data-sequence") or 0)


def test_a_vague_need_is_sharpened_with_the_assistant(
    page: Page, site: str, app: Flask, make: Factory
) -> None:
    market = build_market(make)
    with app.app_context():
        email = db.session.get(User, market.owner).email
    page.goto("/")
    log_in(page, email)
    page.goto("/needs/new")
    panel = page.locator("#need-assistant")
    expect(panel.get_by_role("button", name=re.compile("检查我的需求"))).to_be_hidden()  # the no-JS way

    page.get_by_label("需求标题").fill(VAGUE_TITLE)
    page.get_by_label("需求描述").press_sequentially(VAGUE_TEXT[:20])
    page.get_by_label("需求描述").fill(VAGUE_TEXT)
    seen = _settled(page, 0)
    expect(page.get_by_test_id("assistant-field")).to_contain_text("新材料")
    checklist = page.get_by_test_id("assistant-checklist")
    expect(checklist.locator("li[data-done=no]")).to_have_count(5)
    expect(page.get_by_test_id("assistant-similar")).to_contain_text("注塑外壳翘曲变形装配困难")
    expect(page.get_by_test_id("assistant-similar")).to_contain_text("已解决")
    before = _count(page)
    shoot(page, "assistant-vague-need", doc=True)

    # The suggested field, with one click.
    page.get_by_test_id("assistant-use-field").click()
    expect(page.get_by_label("技术领域")).to_have_value("materials")
    seen = _settled(page, seen)

    # Two of the experts' terms, one click each: they go into the description.
    terms = page.get_by_test_id("assistant-terms").get_by_role("button")
    expect(terms.first).to_be_visible()
    chosen = [terms.nth(0).get_attribute("data-term"), terms.nth(1).get_attribute("data-term")]
    terms.nth(0).click()
    page.get_by_test_id("assistant-terms").locator(f"button[data-term='{chosen[1]}']").click()
    description = page.get_by_label("需求描述")
    expect(description).to_have_value(re.compile("相关技术：" + "、".join(chosen) + "$"))
    seen = _settled(page, seen)
    after = _count(page)
    assert after != before, (before, after)
    expect(page.get_by_test_id("assistant-terms")).not_to_contain_text(chosen[0])
    shoot(page, "assistant-sharpened-need")
