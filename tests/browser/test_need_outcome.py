"""In Chromium: the owner marks a need 已解决 through its signed order with the page's form, and the
need leaves the public list (issue 14, point 4)."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from market.auth.models import User
from market.db import db
from tests.browser.support import flash, log_in, log_out, shoot
from tests.orders.world import build_world

TITLE = "冬季低温下电动物流车续航下降"


def test_the_owner_marks_a_need_solved_and_it_leaves_the_public_list(
    app: Flask,
    make,
    page: Page,
    site: str,  # type: ignore[no-untyped-def]
) -> None:
    world = build_world(app, make)
    order_id = world.order("signed")
    with app.app_context():
        email = db.session.get_one(User, world.owner).email
    page.goto(site)
    log_in(page, email)
    page.goto(f"{site}/needs/{world.need}")
    page.get_by_text("标记为已解决", exact=True).click()
    form = page.get_by_test_id("solve-form")
    form.locator("select[name=order_id]").select_option(str(order_id))
    form.locator("textarea[name=reason]").fill("方案已在产线落地，问题解决。")
    shoot(page, "need-solve-form")
    form.get_by_role("button", name="确认已解决").click()
    expect(flash(page)).to_contain_text("已标记为已解决")
    expect(page.get_by_test_id("need-outcome")).to_contain_text(f"#{order_id}")
    expect(page.get_by_test_id("reopen-form")).to_be_attached()
    shoot(page, "need-solved")
    log_out(page)
    page.goto(f"{site}/needs/")
    expect(page.get_by_text(TITLE)).to_have_count(0)
