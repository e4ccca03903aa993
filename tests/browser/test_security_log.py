"""An admin finds a failed login in the security log (系统管理 → 安全日志) and narrows it with the filters."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import email_of, person
from tests.browser.support import log_in, log_out, main, nav, shoot
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_admin_finds_a_failed_login_in_the_security_log(page: Page, make: Factory) -> None:
    admin = email_of(make, person(make, "admin", "林管理员"))
    owner = email_of(make, person(make, "enterprise", "陈经理"))

    page.goto("/auth/login")
    page.get_by_label("邮箱").fill(owner)
    page.get_by_label("密码").fill("Wrong-passw0rd-1")
    main(page).get_by_role("button", name="登录").click()
    expect(main(page).locator(".alert")).to_contain_text("邮箱或密码错误")
    log_in(page, owner)
    log_out(page)
    log_in(page, admin)
    nav(page).get_by_role("link", name="系统管理", exact=True).click()
    main(page).locator(".nav-tabs").get_by_role("link", name="安全日志").click()
    expect(main(page).locator(".nav-tabs .nav-link.active")).to_have_text("安全日志")
    rows = page.get_by_test_id("security-event")
    expect(rows.first).to_contain_text("登录成功")  # newest first: the admin's own login
    expect(rows.filter(has_text="登录失败")).to_have_count(1)
    expect(rows.filter(has_text="退出登录")).to_have_count(1)
    shoot(page, "admin-security-log")

    main(page).get_by_label("事件").select_option(label="登录失败")
    main(page).get_by_label("账号（邮箱）").fill(owner)
    main(page).get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("密码错误")
    expect(rows.first).to_contain_text(owner)
    expect(main(page).get_by_label("事件")).to_have_value("login.failed")
