"""The navigation fits one line on a 1366 px laptop for every role in both languages, long names are
shortened with an ellipsis (the full name on hover), and the home page gives each role its starting
points, on a laptop and at phone width (390 px) together with a need and its match page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from market.auth.models import User
from market.db import commit, db
from market.needs.models import Need
from market.orders import services as orders
from market.providers.models import Provider
from tests.browser.conftest import OpenPage
from tests.browser.data import approved_need, email_of, person, shape_provider
from tests.browser.support import log_in, main, nav, shoot, styled
from tests.factories import PASSWORD, Factory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("synced")]  # the match page reads an index

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# A name as long as the demo's contacts: it must not push the navigation onto a second line.
LONG_NAME = "苏州工业园区纳米新材料科技有限公司联系人王建国"

# What lays the navbar out: the top of every link and button in it, and the bar's own height.
NAV_BOXES = """() => {
  const bar = document.querySelector('nav.navbar');
  const items = [...bar.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item, .kc-nav-end > *')];
  return {height: bar.getBoundingClientRect().height,
          tops: items.map(e => Math.round(e.getBoundingClientRect().top)),
          tallest: Math.max(...items.map(e => e.getBoundingClientRect().height)),
          room: bar.querySelector('.kc-nav-end').getBoundingClientRect().left
                - bar.querySelector('.navbar-nav').getBoundingClientRect().right,
          right: Math.max(...items.map(e => e.getBoundingClientRect().right)),
          width: document.documentElement.clientWidth};
}"""


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def assert_one_line(page: Page, label: str) -> None:
    boxes: dict[str, Any] = page.evaluate(NAV_BOXES)
    tops = boxes["tops"]
    # Items of one row differ by a few pixels (the brand's logo is taller than a link); a second row
    # starts at least a link's height (about 40 px) lower.
    assert max(tops) - min(tops) <= 12, f"{label}: the navigation wraps ({tops})"
    assert boxes["tallest"] <= 44, f"{label}: a link's words wrap ({boxes['tallest']} px)"
    assert boxes["height"] <= 64, f"{label}: the navigation is {boxes['height']} px tall"
    assert boxes["right"] <= boxes["width"], f"{label}: the navigation runs off the screen"


def switch_language(page: Page, lang: str) -> None:
    nav(page).get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    styled(page)


def test_the_navigation_fits_one_line_at_1366_for_every_role(open_page: OpenPage, make: Factory) -> None:
    users = {role: person(make, role, LONG_NAME) for role in ("enterprise", "provider", "broker", "admin")}
    for role, user in users.items():
        page = open_page(LAPTOP)
        page.goto("/")
        log_in(page, email_of(make, user))
        page.goto("/")
        account = nav(page).get_by_test_id("nav-account")
        expect(account).to_have_attribute("title", LONG_NAME)  # the full name on hover
        assert_one_line(page, f"{role}, Chinese")
        if role in ("broker", "admin"):
            shoot(page, f"nav-1366-{role}-zh", doc=role == "admin")
        switch_language(page, "en")
        assert_one_line(page, f"{role}, English")
        if role in ("broker", "admin"):
            shoot(page, f"nav-1366-{role}-en", doc=role == "admin")


def sign_in(page: Page, email: str) -> None:
    """The login form itself: at phone width its navbar link is inside the folded menu."""
    page.goto("/auth/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    main(page).get_by_role("button", name="登录").click()
    expect(page.locator(".alert-success")).to_contain_text("欢迎回来")
    styled(page)


def fits(page: Page, what: str) -> None:
    styled(page)
    assert page_width(page) <= PHONE["width"], f"{what} scrolls sideways on a phone"


def invite(app: Flask, owner: int, need: int, provider: int) -> int:
    with app.app_context():
        enterprise, posted = db.session.get_one(User, owner), db.session.get_one(Need, need)
        order = orders.invite(enterprise, posted, db.session.get_one(Provider, provider))
        commit()
        return int(order.id)


def test_each_role_starts_from_its_own_home_page(open_page: OpenPage, app: Flask, make: Factory) -> None:
    owner = person(make, "enterprise", "周海燕")
    need = approved_need(make, owner, "冬季低温下电动物流车续航下降", field_code="ev", hours_ago=2)
    make.need(owner, title="电池极片涂布厚度不均")  # a draft
    expert = person(make, "provider", "李明华")
    shape_provider(make, make.provider_id_of(expert), name="李明华", title="教授", affiliation="东南大学")
    order = invite(app, owner, need, make.provider_id_of(expert))
    broker = person(make, "broker", "吴经纪", regions=("32",))
    make.need(owner, status="pending", title="冷链运输中芒果腐损率高")
    synced = app.test_cli_runner().invoke(args=["index", "sync"])  # the match page reads the index
    assert synced.exit_code == 0, synced.output

    # A visitor on a phone: search both ways, and 发布需求 leads to the login first.
    page = open_page(PHONE)
    page.goto("/")
    expect(page.get_by_test_id("home-search-needs")).to_be_visible()
    expect(page.get_by_test_id("home-search-providers")).to_be_visible()
    expect(page.get_by_test_id("home-start")).to_have_count(0)
    fits(page, "the visitor's home page")
    shoot(page, "home-visitor-390", doc=True)
    providers = page.get_by_test_id("home-search-providers")
    providers.locator("input[name=q]").fill("李明华")
    providers.get_by_role("button", name="找专家").click()
    expect(page).to_have_url(re.compile(r"/providers/\?q="))
    expect(page.get_by_test_id("provider-card").filter(has_text="李明华")).to_have_count(1)
    page.goto("/")
    page.get_by_test_id("home-actions").get_by_role("link", name="发布需求").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    # The enterprise on a phone: its needs by state, its open order; then the need and its match page.
    sign_in(page, email_of(make, owner))
    page.goto("/")
    mine = page.get_by_test_id("home-my-needs")
    expect(mine.get_by_test_id("need-count-approved")).to_contain_text("1")
    expect(mine.get_by_test_id("need-count-draft")).to_contain_text("1")
    expect(page.get_by_test_id("home-order")).to_have_text(re.compile(rf"#{order} "))
    expect(page.get_by_test_id("home-actions").get_by_role("link", name="发布需求")).to_have_attribute(
        "href", "/needs/new"
    )
    fits(page, "the enterprise's home page")
    shoot(page, "home-enterprise-390", doc=True)
    page.goto("/?lang=en")
    expect(page.get_by_test_id("home-start")).to_contain_text("My open items")
    fits(page, "the English home page")
    shoot(page, "home-enterprise-390-en")
    page.goto("/")
    mine.get_by_role("link", name="冬季低温下电动物流车续航下降").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("冬季低温下电动物流车续航下降")
    fits(page, "a need's page")
    shoot(page, "need-390")
    page.goto(f"/needs/{need}/matches")
    expect(main(page)).to_contain_text("李明华")
    fits(page, "the match page")
    shoot(page, "matches-390")

    # The provider on a laptop: the invitation waiting for an answer, one click from the home page.
    page = open_page(LAPTOP)
    page.goto("/")
    log_in(page, email_of(make, expert))
    page.goto("/")
    expect(page.get_by_test_id("home-waiting")).to_contain_text("1")
    expect(page.get_by_test_id("home-actions").get_by_role("link", name="发布需求")).to_have_count(0)
    shoot(page, "home-provider")
    page.get_by_test_id("home-order").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order}$"))

    # The broker: the review queue of their region, one click away.
    page = open_page(LAPTOP)
    page.goto("/")
    log_in(page, email_of(make, broker))
    page.goto("/")
    expect(page.get_by_test_id("home-to-review")).to_contain_text("1")
    shoot(page, "home-broker")
    page.get_by_test_id("home-to-review").click()
    expect(page.get_by_test_id("review-item")).to_have_count(1)
