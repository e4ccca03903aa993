"""An admin makes a user a broker for two provinces; that user then reviews postings from those provinces."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, log_out, main, nav, shoot
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_admin_makes_a_user_broker_who_then_sees_the_review_queue(page: Page, make: Factory) -> None:
    admin = person(make, "admin", "林管理员")
    newcomer = person(make, "enterprise", "郑新人")
    owner = person(make, "enterprise", "陈经理")
    make.need(owner, status="pending", province="33", title="宁波港集装箱吊具远程监测")
    make.need(owner, status="pending", province="44", title="广州地铁隧道渗漏水监测")
    newcomer_email = email_of(make, newcomer)

    page.goto("/")
    log_in(page, email_of(make, admin))
    expect(main(page)).to_contain_text("管理员：全部地区")
    expect(page.get_by_test_id("review-item")).to_have_count(2)
    nav(page).get_by_role("link", name="系统管理", exact=True).click()
    expect(page.get_by_role("heading", name="系统管理")).to_be_visible()
    expect(main(page).locator(".nav-tabs .nav-link.active")).to_have_text("用户与角色")
    rows = page.get_by_test_id("user-row")
    expect(rows).to_have_count(3)
    shoot(page, "admin-users", doc=True)

    page.get_by_placeholder("邮箱或姓名").fill("郑新人")
    main(page).get_by_role("button", name="搜索").click()
    expect(rows).to_have_count(1)
    row = rows.filter(has_text=newcomer_email)
    expect(row.locator("select[name=role]")).to_have_value("enterprise")
    row.locator("select[name=role]").select_option(label="经纪人（科协）")
    row.locator("select[name=regions]").select_option(label=["江苏省", "浙江省"])
    expect(row.locator("input[name=active]")).to_be_checked()
    row.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text(f"用户 {newcomer_email} 已更新。")
    row = rows.filter(has_text=newcomer_email)
    expect(row.locator("select[name=role]")).to_have_value("broker")
    selected = row.locator("select[name=regions] option:checked")
    expect(selected).to_have_text(["江苏省", "浙江省"])

    log_out(page)
    log_in(page, newcomer_email)
    expect(page.get_by_role("heading", name="审核队列")).to_be_visible()
    expect(main(page)).to_contain_text("江苏省")
    expect(main(page)).to_contain_text("浙江省")
    expect(nav(page).get_by_role("link", name="审核")).to_be_visible()
    expect(nav(page).get_by_role("link", name="我的需求")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="系统管理", exact=True)).to_have_count(0)
    items = page.get_by_test_id("review-item")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("宁波港集装箱吊具远程监测")
