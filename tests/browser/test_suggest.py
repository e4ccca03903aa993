"""Suggestions as you type in Chromium: the search boxes are ARIA comboboxes driven by the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import Factory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("synced")]  # a suggestion store of its own


def _needs(make: Factory) -> dict[str, int]:
    owner = make.user("enterprise")
    return {
        "warping": make.need(
            owner,
            status="approved",
            title="注塑件翘曲变形严重",
            description="聚丙烯注塑件冷却后翘曲变形，装配困难，希望优化模具冷却。",
            field_code="materials",
        ),
        "sludge": make.need(
            owner,
            status="approved",
            title="污水处理厂污泥减量",
            description="市政污水处理厂剩余污泥产量大，寻求污泥减量与资源化技术。",
            field_code="environment",
        ),
        "draft": make.need(owner, title="草稿里的翘曲问题不公开"),
    }


def test_typing_arrow_keys_and_enter_in_the_needs_search(page: Page, make: Factory) -> None:
    needs = _needs(make)
    page.goto("/needs/")
    box = page.locator("input[name=q]")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.click()
    box.press_sequentially("翘")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_text(["翘曲", "注塑件翘曲变形严重"])  # the draft's title is not public

    # Down, down, up: the highlighted option follows, announced through aria-activedescendant.
    box.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"-1$"))
    box.press("ArrowUp")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")

    # Escape closes the list without changing what was typed; ArrowDown opens it again.
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("翘")
    box.press("ArrowDown")
    expect(listbox).to_be_visible()

    # Enter on a term searches for it.
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/needs/\?.*q=%E7%BF%98%E6%9B%B2"))
    expect(page.locator("input[name=q]")).to_have_value("翘曲")
    assert needs["draft"]


def test_a_title_from_the_home_search_opens_the_posting(page: Page, make: Factory) -> None:
    needs = _needs(make)
    page.goto("/")
    box = page.get_by_test_id("home-search-needs").locator("input[name=q]")
    box.click()
    box.press_sequentially("污泥")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.filter(has_text="污水处理厂污泥减量")).to_have_count(1)
    count = options.count()
    titles = [i for i in range(count) if options.nth(i).get_attribute("data-type") == "title"]
    for _ in range(titles[0] + 1):
        box.press("ArrowDown")
    expect(options.nth(titles[0])).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/needs/{needs['sludge']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("污水处理厂污泥减量")


def test_field_names_on_the_providers_search(page: Page, make: Factory) -> None:
    page.goto("/providers/")
    box = page.locator("input[name=q]")
    box.click()
    box.press_sequentially("新能")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_have_text("新能源与储能")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/providers/\?field=energy$"))
