"""A visitor browses needs, providers and services, and switches the interface to English and back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import SECRET, english_market, marketplace
from tests.browser.support import CJK, main, nav, shoot
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_visitor_browses_needs_providers_and_services(page: Page, make: Factory) -> None:
    market = marketplace(make)

    page.goto("/")
    expect(page).to_have_title("科创对接")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("企业出题，科技答题")
    expect(page.locator(".kc-stats")).to_contain_text("26 条公开需求")
    expect(page.locator(".kc-stats")).to_contain_text("3 位专家与机构")  # the draft expert is not counted
    expect(page.get_by_test_id("need-card")).to_have_count(6)
    expect(page.get_by_test_id("provider-card")).to_have_count(3)
    shoot(page, "home", doc=True)

    # Needs: filter by field, then page through the results.
    nav(page).get_by_role("link", name="技术需求").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("技术需求")
    expect(page.get_by_text("共 26 条")).to_be_visible()
    page.locator("select[name=field]").select_option(label="新能源汽车与动力电池")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"field=ev"))
    expect(page.locator("select[name=field]")).to_have_value("ev")
    cards = page.get_by_test_id("need-card")
    expect(cards).to_have_count(20)
    expect(page.get_by_text("共 23 条")).to_be_visible()
    # The most recently approved first.
    expect(cards.first).to_contain_text("冬季低温下电动物流车续航下降（第1批）")
    expect(cards.filter(has_text="芒果")).to_have_count(0)
    for card in cards.all()[:3]:
        expect(card).to_contain_text("新能源汽车与动力电池")
    shoot(page, "needs-list", doc=True)

    page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).to_have_url(re.compile(r"field=ev"))  # the filter survives paging
    expect(cards).to_have_count(3)
    expect(page.locator(".pagination .page-item.active")).to_have_text("2")

    # A need's public page: facts and description, never the confidential details.
    cards.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/needs/{market.ev_needs[20]}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("（第3批）")
    facts = page.locator("dl.kc-facts")
    expect(facts).to_contain_text("新能源汽车与动力电池")
    expect(facts).to_contain_text("江苏省")
    expect(facts).to_contain_text("40–120 万元")
    expect(main(page)).to_contain_text("该需求的保密细节仅对受邀并接单的服务方可见。")
    expect(main(page)).not_to_contain_text(SECRET)
    expect(page.get_by_test_id("confidential")).to_have_count(0)
    for action in ("修改", "提交审核", "撤回", "查看推荐服务方"):
        expect(main(page).get_by_text(action, exact=True)).to_have_count(0)
    shoot(page, "need-detail", doc=True)

    # Providers: filter by kind, then open an expert's profile.
    nav(page).get_by_role("link", name="专家与机构").click()
    providers = page.get_by_test_id("provider-card")
    expect(providers).to_have_count(3)
    expect(providers.filter(has_text="王草稿")).to_have_count(0)
    page.locator("select[name=kind]").select_option(label="学会")
    page.get_by_role("button", name="筛选").click()
    expect(providers).to_have_count(1)
    expect(providers.first).to_contain_text("江苏省汽车工程学会")
    page.locator("select[name=kind]").select_option(label="专家")
    page.get_by_role("button", name="筛选").click()
    expect(providers).to_have_count(2)
    providers.get_by_role("link", name="李明华").click()
    expect(page).to_have_url(re.compile(rf"/providers/{market.experts[0]}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("李明华")
    expect(main(page)).to_contain_text("东南大学能源与环境学院")
    expect(main(page)).to_contain_text("新能源汽车与动力电池")
    expect(main(page)).to_contain_text("新能源与储能")
    expect(page.get_by_test_id("achievement")).to_have_count(2)
    expect(page.get_by_test_id("service-item")).to_have_count(2)
    expect(main(page).get_by_text("可接单", exact=True)).to_be_visible()
    shoot(page, "provider-profile", doc=True)

    # The services menu, filtered by category, links back to the provider.
    nav(page).get_by_role("link", name="服务清单").click()
    services = page.get_by_test_id("service-item")
    expect(services).to_have_count(3)
    page.locator("select[name=category]").select_option(label="咨询论证")
    page.get_by_role("button", name="筛选").click()
    expect(services).to_have_count(3)  # the factory files every service under 咨询论证
    page.locator("select[name=category]").select_option(label="检验检测")
    page.get_by_role("button", name="筛选").click()
    expect(services).to_have_count(0)
    expect(main(page)).to_contain_text("暂无服务。")
    page.locator("select[name=category]").select_option(label="全部类别")
    page.locator("input[name=q]").fill("技术诊断")
    page.get_by_role("button", name="筛选").click()
    expect(services).to_have_count(1)
    shoot(page, "services")
    services.get_by_role("link", name="江苏省汽车工程学会").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("江苏省汽车工程学会")

    # Language: English and back, staying on the same page.
    nav(page).get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/providers/{market.society}$"))
    expect(nav(page).get_by_test_id("lang-switch")).to_have_text("中文")
    page.locator("a.navbar-brand").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shoot(page, "home-en", doc=True)
    nav(page).get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(nav(page).get_by_test_id("lang-switch")).to_have_text("English")
    expect(nav(page).get_by_role("link", name="技术需求")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("企业出题，科技答题")


def test_english_pages_have_no_chinese_interface_text(page: Page, site: str, make: Factory) -> None:
    """The data is in English too, so any Chinese on the English pages is untranslated interface text."""
    english_market(make)
    page.goto("/")
    nav(page).get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    left: dict[str, list[str]] = {}

    def collect() -> None:
        lines = {line.strip() for line in page.locator("body").inner_text().splitlines()}
        # The switch back is labelled 中文 on purpose: it names the language it switches to.
        chinese = sorted(line for line in lines if CJK.search(line) and line != "中文")
        if chinese:
            left[page.url.removeprefix(site)] = chinese[:10]

    collect()
    for link, card in (("needs", "need-card"), ("providers", "provider-card"), ("services", None)):
        nav(page).locator(f".navbar-nav a[href^='/{link}']").click()
        collect()
        if card:
            page.get_by_test_id(card).first.get_by_role("link").first.click()
            collect()
    assert not left, f"English pages still show Chinese interface text: {left}"
