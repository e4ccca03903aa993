"""A user creates a personal API token, sees it exactly once, and revokes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Playwright, expect

from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, main, nav
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_api_token_is_shown_once_works_and_is_revoked(
    page: Page, site: str, make: Factory, playwright: Playwright
) -> None:
    page.goto("/")
    log_in(page, email_of(make, person(make, "enterprise", "陈经理")))
    nav(page).get_by_role("link", name="陈经理").click()  # the account page, which links to the tokens
    main(page).get_by_role("link", name="API 令牌").click()
    expect(page.get_by_role("heading", name="账号与 API 令牌")).to_be_visible()
    expect(main(page)).to_contain_text("还没有令牌。")

    page.get_by_label("令牌名称").fill("ERP 对接")
    main(page).get_by_role("button", name="创建令牌").click()
    expect(flash(page)).to_have_text("令牌已创建，只显示这一次，请妥善保存。")
    shown = page.get_by_test_id("new-token")
    expect(shown).to_have_text(re.compile(r"^kc_[\w-]{20,}$"))
    token = shown.inner_text()
    row = main(page).locator("tbody tr").filter(has_text="ERP 对接")
    expect(row.locator("code")).to_have_text(f"{token[:10]}…")

    api = playwright.request.new_context(base_url=site)  # no cookies: the token alone
    try:
        bearer = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/v1/me", headers=bearer).status == 200

        # Coming back to the page: the token is listed by its prefix only, never shown again.
        nav(page).get_by_role("link", name="陈经理").click()
        main(page).get_by_role("link", name="API 令牌").click()
        expect(page.get_by_test_id("new-token")).to_have_count(0)
        assert token not in page.content()
        expect(row).to_have_count(1)

        row.get_by_role("button", name="吊销").click()
        expect(flash(page)).to_have_text("令牌已吊销。")
        expect(row.locator(".badge")).to_have_text("已吊销")
        expect(row.get_by_role("button", name="吊销")).to_have_count(0)
        assert api.get("/api/v1/me", headers=bearer).status == 401
    finally:
        api.dispose()
