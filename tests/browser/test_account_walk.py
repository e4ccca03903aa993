"""Accounts people manage themselves, in Chromium: forgot password → the mailed link (read from the test
SMTP server) → new password → log in; verify a new e-mail address; change the mail preferences; a
self-registered account is asked to verify its address before it may submit."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, main, nav, shoot
from tests.factories import PASSWORD, Factory
from tests.smtp import SmtpServer

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Fresh-horse7-battery"


def _mailed_path(smtp_server: SmtpServer, to: str, count: int = 1) -> str:
    """The page link of the newest mail to `to` (the site's address in the mail is the configured one)."""
    mails = smtp_server.wait_for(count, to=to)
    assert len(mails) >= count, f"no mail to {to}"
    mail = mails[-1]
    assert mail["To"] == to
    links = [link for link in smtp_server.links(mail) if "/auth/" in link]
    assert links, smtp_server.text(mail)
    parts = urlsplit(links[0])
    return parts.path


def test_forgot_password_new_password_and_log_in(
    page: Page, site: str, make: Factory, smtp_server: SmtpServer
) -> None:
    user = person(make, "enterprise", "周海燕")
    email = email_of(make, user)
    page.goto("/auth/login")
    main(page).get_by_role("link", name="忘记密码？").click()
    expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
    page.get_by_label("注册时使用的邮箱").fill(email)
    shoot(page, "account-forgot", doc=True)
    main(page).get_by_role("button", name="发送重置邮件").click()
    expect(flash(page)).to_have_text(
        "如果该邮箱已注册，我们已发送一封重置密码的邮件，请在 1 小时内打开其中的链接。"
    )
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    [mail] = smtp_server.wait_for(1, to=email)
    assert "重置密码" in smtp_server.text(mail)
    page.goto(_mailed_path(smtp_server, email))
    expect(page.get_by_role("heading", name="重置密码")).to_be_visible()
    page.get_by_label("新密码（至少 10 位，含字母和数字）").fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    shoot(page, "account-reset", doc=True)
    main(page).get_by_role("button", name="设置新密码").click()
    expect(flash(page)).to_have_text("密码已重置，所有设备上的登录均已退出，请用新密码登录。")

    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    main(page).get_by_role("button", name="登录").click()
    expect(flash(page)).to_have_text("邮箱或密码错误。")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(NEW_PASSWORD)
    main(page).get_by_role("button", name="登录").click()
    expect(flash(page)).to_have_text("欢迎回来，周海燕。")


def test_verify_a_new_address_and_choose_mail_preferences(
    page: Page, site: str, make: Factory, smtp_server: SmtpServer
) -> None:
    user = person(make, "enterprise", "陈经理")
    page.goto("/")
    log_in(page, email_of(make, user))
    nav(page).get_by_role("link", name="陈经理").click()  # the name in the navigation opens the account
    expect(page.get_by_role("heading", name="我的账号")).to_be_visible()

    form = page.get_by_test_id("account-form")
    form.get_by_label("手机 / 电话").fill("+86 138-0013-8000")
    form.get_by_label("微信号", exact=True).fill("chen_jingli")
    form.get_by_label("接单后向对方显示我的微信号").check()
    form.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("账号信息已保存。")
    expect(form.get_by_label("微信号", exact=True)).to_have_value("chen_jingli")

    email_form = page.get_by_test_id("email-form")
    email_form.get_by_label("新邮箱").fill("chen@new-battery.example.com")
    email_form.get_by_label("当前密码").fill(PASSWORD)
    email_form.get_by_role("button", name="更改邮箱").click()
    expect(flash(page)).to_have_text(
        "验证邮件已发到 chen@new-battery.example.com：打开其中的链接后，账号邮箱才会更改。"
    )
    expect(page.get_by_test_id("pending-email")).to_contain_text("chen@new-battery.example.com")
    shoot(page, "account-page", doc=True)

    page.goto(_mailed_path(smtp_server, "chen@new-battery.example.com"))
    expect(flash(page)).to_have_text("邮箱 chen@new-battery.example.com 已验证。")
    expect(page.get_by_test_id("account-email")).to_have_text("chen@new-battery.example.com")
    expect(page.get_by_test_id("email-status")).to_have_text("已验证")
    expect(page.get_by_test_id("pending-email")).to_have_count(0)

    main(page).get_by_test_id("mail-preferences-link").click()
    expect(page.get_by_role("heading", name="邮件通知设置")).to_be_visible()
    row = page.locator("tr[data-kind=postings]")
    row.locator("input[type=radio]").last.check()
    page.get_by_test_id("save-preferences").click()
    expect(flash(page)).to_have_text("邮件通知设置已保存。")
    expect(page.locator("tr[data-kind=postings] input[type=radio]").last).to_be_checked()
    shoot(page, "account-mail-preferences", doc=True)


def test_a_new_account_verifies_its_address_before_it_submits(
    page: Page, site: str, app: Flask, smtp_server: SmtpServer
) -> None:
    page.goto("/")
    nav(page).get_by_role("link", name="注册").click()
    page.get_by_label("我是").select_option("enterprise")
    page.get_by_label("姓名").fill("王晓明")
    page.get_by_label("邮箱").fill("wang@ruifeng.example.com")
    page.get_by_label("企业 / 机构名称").fill("苏州瑞锋新能源科技有限公司")
    page.get_by_label("所在省份").select_option(label="江苏省")
    page.get_by_label("密码（至少 10 位，含字母和数字）").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    main(page).get_by_role("button", name="注册").click()
    expect(flash(page)).to_have_text("注册成功。")
    banner = page.get_by_test_id("unverified-banner")
    expect(banner).to_contain_text("您的邮箱 wang@ruifeng.example.com 尚未验证")
    shoot(page, "account-unverified", doc=True)

    page.goto(_mailed_path(smtp_server, "wang@ruifeng.example.com"))
    expect(flash(page)).to_have_text("邮箱 wang@ruifeng.example.com 已验证。")
    expect(page.get_by_test_id("unverified-banner")).to_have_count(0)
    expect(page.get_by_test_id("email-status")).to_have_text("已验证")
