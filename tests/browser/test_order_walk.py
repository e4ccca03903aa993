"""One need from posting to a rated, delivered deal: enterprise, broker and provider click through the pages.

The enterprise posts and submits a need; the broker of its province approves it and dispatches (派单) it
to an approved expert; the expert sees it in the inbox, accepts (接单) and only then sees the secret,
adds a follow-up; the enterprise negotiates and signs (签约); the expert delivers; the enterprise rates
it (评单); a visitor sees the rating on the expert's public page; the broker reads the audit log.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.data import email_of, person, rename_organisation, shape_provider
from tests.browser.support import flash, log_in, log_out, main, nav, pick, searchable, shoot, status_badge
from tests.factories import Factory

pytestmark = pytest.mark.browser

TITLE = "冷藏车厢温度波动导致疫苗运输损耗"
DESCRIPTION = "冷藏车开门装卸时车厢温度波动超过五摄氏度，希望找到快速回温和温度均匀性的改进方案。"
SECRET = "现用冷机型号 TK-380，主要客户为省疾控中心。"
EXPERT = "李明华"
NOTE = "已与企业电话沟通，约定下周到现场测试车厢温场。"
REVIEW = "方案落地快，车厢温度波动降到两摄氏度以内，团队响应及时。"


def cast(make: Factory) -> tuple[int, int, int, int]:
    """An enterprise user in 江苏, an approved expert in 新能源汽车, and a broker for 江苏."""
    owner = person(make, "enterprise", "陈经理")
    rename_organisation(make, owner, "苏州速达冷链物流有限公司")
    expert_user = person(make, "provider", EXPERT)
    expert = make.provider_id_of(expert_user)
    shape_provider(
        make,
        expert,
        name=EXPERT,
        title="教授",
        affiliation="东南大学能源与环境学院",
        expertise="长期从事冷链装备热管理与车厢温场均匀性研究。",
    )
    broker = person(make, "broker", "吴经纪", regions=("32",))
    return owner, expert_user, expert, broker


def open_order(page: Page) -> None:
    """From anywhere: 我的订单 in the navbar, then the (only) order in the inbox."""
    nav(page).get_by_test_id("nav-orders").click()
    expect(page.get_by_role("heading", name="我的订单")).to_be_visible()
    page.get_by_test_id("order-row").get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def order_status(page: Page) -> Locator:
    return page.get_by_test_id("order-status")


def act(page: Page, button: str, done: str, state: str) -> None:
    page.get_by_test_id("order-actions").get_by_role("button", name=button, exact=True).click()
    expect(flash(page)).to_have_text(done)
    expect(order_status(page)).to_have_text(state)


def test_one_need_goes_from_posting_to_a_rated_delivered_deal(page: Page, site: str, make: Factory) -> None:
    owner, expert_user, expert, broker = cast(make)
    owner_email, expert_email, broker_email = (email_of(make, u) for u in (owner, expert_user, broker))

    # 1. The enterprise posts the need and submits it for review.
    page.goto("/")
    log_in(page, owner_email)
    nav(page).get_by_role("link", name="我的需求").click()
    main(page).get_by_role("link", name="发布需求").click()
    expect(page.get_by_role("heading", name="发布技术需求")).to_be_visible()
    page.get_by_label("需求标题").fill(TITLE)
    page.get_by_label("需求描述").fill(DESCRIPTION)
    page.get_by_label("技术领域").select_option("ev")
    page.get_by_label("省份").select_option(label="江苏省")
    page.get_by_label("城市").select_option(label="苏州市")
    page.get_by_label("预算下限（万元）").fill("30")
    page.get_by_label("预算上限（万元）").fill("80")
    page.get_by_label("截止日期").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_label("合作方式").select_option(label="技术开发")
    page.get_by_label("保密细节（仅受邀并接单的服务方可见）").fill(SECRET)
    page.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("需求已保存为草稿。确认无误后请提交审核。")
    main(page).get_by_role("button", name="提交审核").click()
    expect(flash(page)).to_have_text("已提交审核，科协审核通过后公开。")
    expect(status_badge(page)).to_have_text("待审核")
    log_out(page)

    # 2. The broker approves it in the review queue, then dispatches it to the expert from the need page.
    log_in(page, broker_email)
    nav(page).get_by_role("link", name="审核", exact=True).click()
    item = page.get_by_test_id("review-item").filter(has_text=TITLE)
    item.get_by_test_id("open-review").click()  # approved on its review page (it has confidential details)
    page.get_by_role("button", name="通过并公开").click()
    expect(flash(page)).to_have_text("已审核通过并公开。")
    nav(page).get_by_role("link", name="技术需求").click()
    page.get_by_test_id("need-card").get_by_role("link", name=TITLE).click()
    expect(status_badge(page)).to_have_text("已公开")
    expect(page.get_by_test_id("confidential")).to_have_text(SECRET)  # a broker of the province sees it
    page.get_by_test_id("dispatch").click()
    expect(page.get_by_role("heading", name=f"派单：{TITLE}")).to_be_visible()
    choices = searchable(page, "选择服务方（可多选）")
    expect(choices.locator(f"option[value='{expert}']")).to_contain_text(f"{EXPERT} · 专家 · 江苏省")
    pick(page, "选择服务方（可多选）", EXPERT)
    page.get_by_test_id("dispatch-form").get_by_label("派单说明").fill(
        "该企业急需冷藏车厢温控方案，请尽快评估。"
    )
    main(page).get_by_role("button", name="派单").click()
    expect(flash(page)).to_have_text("已派单。")
    orders = page.get_by_test_id("need-orders").locator("li")
    expect(orders).to_have_count(1)
    expect(orders).to_contain_text(f"{EXPERT} · 派单")
    expect(orders).to_contain_text("待接单（派单）")
    log_out(page)

    # 3. The expert finds it in the inbox, unread; the secret stays hidden until 接单.
    log_in(page, expert_email)
    expect(nav(page).get_by_test_id("nav-unread")).to_have_text("1")
    nav(page).get_by_test_id("nav-orders").click()
    row = page.get_by_test_id("order-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("苏州速达冷链物流有限公司")
    expect(row).to_contain_text("待接单（派单）")
    expect(row.get_by_test_id("unread")).to_have_text("1")
    shoot(page, "order-inbox")
    row.get_by_role("link", name=re.compile(TITLE)).click()
    expect(order_status(page)).to_have_text("待接单（派单）")
    expect(main(page)).to_contain_text("吴经纪")  # 派单经纪人
    expect(main(page)).not_to_contain_text(SECRET)
    expect(nav(page).get_by_test_id("nav-unread")).to_have_count(0)  # opening it marked it read
    main(page).locator("dl").get_by_role("link", name=TITLE).click()
    expect(status_badge(page)).to_have_text("已公开")
    expect(page.get_by_test_id("confidential")).to_have_count(0)
    expect(main(page)).not_to_contain_text(SECRET)

    open_order(page)
    act(page, "接单", "已接单。", "已接单")
    main(page).locator("dl").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("confidential")).to_have_text(SECRET)

    open_order(page)
    next_visit = (date.today() + timedelta(days=7)).isoformat()
    page.get_by_label("添加跟进记录").fill(NOTE)
    page.get_by_label("下次跟进日期").fill(next_visit)
    page.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("跟进记录已添加。")
    note = page.get_by_test_id("follow-ups").locator("li").filter(has_text=NOTE)
    expect(note).to_contain_text(EXPERT)
    expect(note).to_contain_text(f"下次跟进：{next_visit}")
    log_out(page)

    # 4. The enterprise moves it to negotiating and signs.
    log_in(page, owner_email)
    open_order(page)
    expect(order_status(page)).to_have_text("已接单")
    expect(page.get_by_test_id("follow-ups")).to_contain_text(NOTE)
    act(page, "开始洽谈", "已开始洽谈。", "洽谈中")
    sign = page.get_by_test_id("sign-form")
    sign.get_by_label("合同类型").select_option(label="技术开发")
    sign.get_by_label("合同金额（万元）").fill("68.5")
    signed_on = date.today().isoformat()
    sign.get_by_label("签约日期").fill(signed_on)
    sign.get_by_role("button", name="确认签约").click()
    expect(flash(page)).to_have_text("已签约。")
    expect(order_status(page)).to_have_text("已签约")
    expect(page.get_by_test_id("deal")).to_contain_text("技术开发 · 68.5")
    expect(page.get_by_test_id("deal")).to_contain_text(signed_on)
    shoot(page, "order-signed")
    log_out(page)

    # 5. The expert confirms delivery; the enterprise rates it.
    log_in(page, expert_email)
    open_order(page)
    page.get_by_test_id("deliver-form").get_by_label("我确认已交付").check()
    act(page, "确认交付", "已确认交付。", "已交付")
    expect(page.get_by_test_id("order-actions")).to_contain_text("当前没有你可以执行的操作。")
    log_out(page)

    log_in(page, owner_email)
    open_order(page)
    review = page.get_by_test_id("review-form")
    review.get_by_label("★★★★★", exact=True).check()
    review.get_by_label("评价内容").fill(REVIEW)
    review.get_by_role("button", name="提交评价").click()
    expect(flash(page)).to_have_text("已评单。")
    expect(order_status(page)).to_have_text("已评价")
    expect(page.get_by_test_id("review")).to_contain_text(REVIEW)
    log_out(page)

    # 6. A visitor sees the rating and the review on the expert's public page.
    nav(page).get_by_role("link", name="专家与机构").click()
    card = page.get_by_test_id("provider-card").filter(has_text=EXPERT)
    card.get_by_role("link", name=EXPERT).first.click()
    expect(page).to_have_url(f"{site}/providers/{expert}")
    expect(page.get_by_test_id("rating")).to_have_text("★ 5.0")
    expect(main(page)).to_contain_text("（1 条评价）")
    expect(page.get_by_test_id("provider-review")).to_contain_text("★★★★★")
    expect(page.get_by_test_id("provider-review")).to_contain_text(REVIEW)
    shoot(page, "provider-rated")

    # 7. The broker reads the audit log: every step, in order.
    log_in(page, broker_email)
    open_order(page)
    main(page).get_by_role("link", name="查看审计记录").click()
    expect(page.get_by_role("heading", name="审计记录")).to_be_visible()
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(6)
    steps = [
        ("吴经纪", "经纪人", "创建", "—", "待接单（派单）"),
        (EXPERT, "服务方", "接单", "待接单（派单）", "已接单"),
        ("陈经理", "企业方", "开始洽谈", "已接单", "洽谈中"),
        ("陈经理", "企业方", "签约", "洽谈中", "已签约"),
        (EXPERT, "服务方", "确认交付", "已签约", "已交付"),
        ("陈经理", "企业方", "评单", "已交付", "已评价"),
    ]
    for i, (actor, party, action, before, after) in enumerate(steps):
        expect(rows.nth(i).locator("td").nth(1)).to_have_text(actor)
        expect(rows.nth(i).locator("td").nth(2)).to_have_text(party)
        expect(rows.nth(i).locator("td").nth(3)).to_have_text(action)
        expect(rows.nth(i).locator("td").nth(4)).to_have_text(before)
        expect(rows.nth(i).locator("td").nth(5)).to_have_text(after)
