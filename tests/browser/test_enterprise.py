"""An enterprise registers, writes a need (after a failed try), submits, withdraws, edits and resubmits."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.data import email_of
from tests.browser.support import HAN, flash, log_in, main, nav, shoot, status_badge, verify_address
from tests.factories import PASSWORD, Factory

pytestmark = pytest.mark.browser

DESCRIPTION = (
    "我司从海南向北方运输芒果，途中腐损率约百分之十五，希望找到保鲜和温控方案，把腐损率降到百分之五以内。"
)
SUMMARY = "水果冷链保鲜与温控技术需求"
CONFIDENTIAL = "现有冷库温度设定 8℃，承运方为某物流公司。"


def register_enterprise(page: Page) -> None:
    page.goto("/")
    nav(page).get_by_role("link", name="注册").click()
    expect(page.get_by_role("heading", name="注册账号")).to_be_visible()
    page.get_by_label("我是").select_option("enterprise")
    expect(page.locator("[data-show-when-role=provider]")).to_be_hidden()  # app.js hides the provider kind
    page.get_by_label("姓名").fill("周海燕")
    page.get_by_label("邮箱").fill("zhou@nanfang-fruit.example.com")
    page.get_by_label("企业 / 机构名称").fill("海南南方鲜果供应链有限公司")
    page.get_by_label("所在省份").select_option(label="海南省")
    page.get_by_label("密码（至少 10 位，含字母和数字）").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    main(page).get_by_role("button", name="注册").click()


def test_enterprise_registers_and_takes_a_need_through_its_life_cycle(
    page: Page, site: str, dialogs: list[str], app: Flask
) -> None:
    register_enterprise(page)
    expect(flash(page)).to_have_text("注册成功。")
    expect(page.get_by_role("heading", name="我的需求")).to_be_visible()
    expect(main(page)).to_contain_text("还没有需求。")
    expect(nav(page).get_by_role("link", name="周海燕")).to_be_visible()
    verify_address(page, app, "zhou@nanfang-fruit.example.com")  # before it may submit (docs/accounts.md)

    # A first try with an empty title and a budget range upside down.
    main(page).get_by_role("link", name="发布需求").click()
    expect(page.get_by_role("heading", name="发布技术需求")).to_be_visible()
    deadline = (date.today() + timedelta(days=90)).isoformat()
    page.get_by_label("需求描述").fill(DESCRIPTION)
    page.get_by_label("技术领域").select_option(label="现代农业与食品")
    page.get_by_label("省份").select_option(label="海南省")
    city = page.get_by_label("城市")
    expect(city.locator("option[value='3205']")).to_be_hidden()  # app.js offers only Hainan's cities
    city.select_option(label="三亚市")
    page.get_by_label("预算下限（万元）").fill("80")
    page.get_by_label("预算上限（万元）").fill("20")
    page.get_by_label("截止日期").fill(deadline)
    page.get_by_label("合作方式").select_option(label="联合攻关")
    page.get_by_label("公开摘要").fill(SUMMARY)
    page.get_by_label("保密细节（仅受邀并接单的服务方可见）").fill(CONFIDENTIAL)
    page.get_by_label("揭榜挂帅：允许任何合格服务方提交方案").check()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="发布技术需求")).to_be_visible()
    title = page.get_by_label("需求标题")
    expect(title).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(
        title.locator("xpath=following-sibling::div[contains(@class, 'invalid-feedback')]")
    ).not_to_be_empty()
    budget_max = page.get_by_label("预算上限（万元）")
    expect(budget_max).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(main(page).locator(".invalid-feedback")).to_contain_text(["预算上限不能低于下限。"])
    expect(main(page).locator(".is-invalid")).to_have_count(2)
    # Nothing typed is lost.
    expect(page.get_by_label("需求描述")).to_have_value(DESCRIPTION)
    expect(page.get_by_label("技术领域")).to_have_value("agri")
    expect(page.get_by_label("省份")).to_have_value("46")
    expect(city).to_have_value("4602")
    expect(page.get_by_label("预算下限（万元）")).to_have_value("80")
    expect(budget_max).to_have_value("20")
    expect(page.get_by_label("截止日期")).to_have_value(deadline)
    expect(page.get_by_label("合作方式")).to_have_value("joint")
    expect(page.get_by_label("公开摘要")).to_have_value(SUMMARY)
    expect(page.get_by_label("保密细节（仅受邀并接单的服务方可见）")).to_have_value(CONFIDENTIAL)
    expect(page.get_by_label("揭榜挂帅：允许任何合格服务方提交方案")).to_be_checked()
    shoot(page, "need-form-errors", doc=True)

    # Fixed and saved as a draft.
    title.fill("冷链运输中芒果腐损率高")
    budget_max.fill("150")
    page.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("需求已保存为草稿。确认无误后请提交审核。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("冷链运输中芒果腐损率高")
    expect(page.get_by_role("heading", level=1)).to_contain_text("揭榜挂帅")
    expect(status_badge(page)).to_have_text("草稿")
    facts = page.locator("dl.kc-facts")
    for text in (
        "海南南方鲜果供应链有限公司",
        "现代农业与食品",
        "海南省 三亚市",
        "联合攻关",
        "80–150 万元",
        deadline,
    ):
        expect(facts).to_contain_text(text)
    expect(page.get_by_test_id("confidential")).to_have_text(CONFIDENTIAL)  # the owner sees its own secret

    main(page).get_by_role("button", name="提交审核").click()
    expect(flash(page)).to_have_text("已提交审核，科协审核通过后公开。")
    expect(status_badge(page)).to_have_text("待审核")
    expect(main(page).get_by_role("link", name="修改")).to_have_count(0)

    main(page).get_by_role("button", name="撤回").click()
    expect(flash(page)).to_have_text("需求已撤回，可修改后重新提交。")
    expect(status_badge(page)).to_have_text("已撤回")
    assert dialogs == ["确定撤回该需求？"]

    main(page).get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", name="修改需求")).to_be_visible()
    expect(page.get_by_label("需求标题")).to_have_value("冷链运输中芒果腐损率高")
    expect(page.get_by_label("城市")).to_have_value("4602")
    page.get_by_label("需求标题").fill("海南芒果冷链运输腐损率高")
    page.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("修改已保存。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("海南芒果冷链运输腐损率高")

    main(page).get_by_role("button", name="提交审核").click()
    expect(status_badge(page)).to_have_text("待审核")
    history = main(page).locator("ul.small li")
    expect(history).to_have_count(3)  # submit, withdraw, submit
    expect(history.last).to_contain_text("待审核")

    nav(page).get_by_role("link", name="我的需求").click()
    main(page).get_by_role("link", name="待审核", exact=True).click()
    rows = main(page).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("海南芒果冷链运输腐损率高")


def test_need_form_messages_are_in_chinese(page: Page, make: Factory) -> None:
    """Every validation message on the Chinese need form is Chinese, the built-in 'required' ones too."""
    page.goto("/")
    log_in(page, email_of(make, make.user("enterprise")))
    nav(page).get_by_role("link", name="我的需求").click()
    main(page).get_by_role("link", name="发布需求").click()
    page.get_by_role("button", name="保存").click()
    messages = main(page).locator(".invalid-feedback")
    expect(messages.first).to_be_visible()
    not_chinese = [text for text in messages.all_inner_texts() if not HAN.search(text)]
    assert not not_chinese, f"validation messages not in Chinese: {not_chinese}"
