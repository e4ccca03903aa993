"""At phone width (390px) the pages fit the screen and the collapsed menu opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.browser.data import approved_need, person, shape_provider
from tests.browser.support import main, nav, shoot, styled
from tests.factories import Factory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_phone_layout_fits_and_menu_opens(open_page: OpenPage, make: Factory) -> None:
    owner = make.user("enterprise")
    for hours, title in enumerate(
        ("冬季低温下电动物流车续航下降", "冷链运输中芒果腐损率高", "电池极片涂布厚度不均")
    ):
        approved_need(make, owner, title, field_code="ev", hours_ago=hours, budget_min=50, budget_max=200)
    expert = make.provider_id_of(person(make, "provider", "李明华"))
    shape_provider(
        make,
        expert,
        name="李明华",
        title="教授",
        affiliation="东南大学能源与环境学院",
        expertise="长期从事动力电池热管理、低温自加热与电池包结构安全研究。",
    )

    page = open_page(PHONE)
    page.goto("/")
    links = nav(page).locator(".navbar-nav")
    expect(links).to_be_hidden()
    nav(page).get_by_role("button", name="菜单").click()  # Bootstrap's collapse, from the bundled script
    expect(links.get_by_role("link", name="技术需求")).to_be_visible()
    expect(nav(page).get_by_test_id("lang-switch")).to_be_visible()
    expect(page.get_by_test_id("need-card")).to_have_count(3)
    assert page_width(page) <= PHONE["width"], "the home page scrolls sideways on a phone"
    shoot(page, "mobile-home")

    links.get_by_role("link", name="技术需求").click()
    expect(page.get_by_test_id("need-card")).to_have_count(3)
    styled(page)
    assert page_width(page) <= PHONE["width"], "the needs list scrolls sideways on a phone"
    page.get_by_test_id("need-card").first.get_by_role("link").click()
    expect(main(page).locator("dl.kc-facts")).to_contain_text("50–200 万元")
    styled(page)
    assert page_width(page) <= PHONE["width"], "a need's page scrolls sideways on a phone"
    shoot(page, "mobile-need-detail")
