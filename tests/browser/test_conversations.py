"""An accepted order in Chromium: the expert shares a phone number, opens the order's conversation from the
order page and sends a message with a drawing; the enterprise sees the unread badge in the navigation,
the expert's phone (and not the WeChat id kept private) on the order page, and reads the message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.data import email_of
from tests.browser.support import flash, log_in, main, nav, shoot
from tests.factories import Factory
from tests.orders.world import build_world

pytestmark = pytest.mark.browser

PHONE, WECHAT = "138-0013-8000", "li_minghua_88"
MESSAGE = "样机已寄出，附测试台图纸，请查收。"


def test_expert_and_enterprise_talk_about_an_accepted_order(
    open_page: OpenPage, make: Factory, tmp_path: Path
) -> None:
    world = build_world(make.app, make)
    order = world.order("accepted")
    drawing = tmp_path / "测试台图纸.pdf"
    drawing.write_bytes(b"%PDF-1.7 test rig drawing")

    expert = open_page()
    expert.goto("/")
    log_in(expert, email_of(make, world.provider))
    expert.goto("/me/contact")
    expert.get_by_label("手机 / 电话").fill(PHONE)
    expert.get_by_label("微信号", exact=True).fill(WECHAT)
    expert.get_by_label("接单后向对方显示我的电话").check()
    main(expert).get_by_role("button", name="保存").click()
    expect(flash(expert)).to_contain_text("联系方式已保存")
    expert.goto(f"/orders/{order}")
    main(expert).get_by_test_id("conversation-link").click()
    expert.get_by_label("写消息").fill(MESSAGE)
    expert.locator("input[type=file]").set_input_files(str(drawing))
    main(expert).get_by_role("button", name="发送").click()
    expect(flash(expert)).to_contain_text("消息已发送")
    expect(expert.get_by_test_id("message-body")).to_have_text(MESSAGE)

    owner = open_page()
    owner.goto("/")
    log_in(owner, email_of(make, world.owner))
    expect(nav(owner).get_by_test_id("nav-messages-unread")).to_have_text("1")
    owner.goto(f"/orders/{order}")
    contacts = owner.get_by_test_id("contacts")
    expect(contacts).to_contain_text(PHONE)
    expect(contacts).not_to_contain_text(WECHAT)
    expect(owner.get_by_test_id("conversation-unread")).to_have_text("1")
    main(owner).get_by_test_id("conversation-link").click()
    expect(owner.get_by_test_id("message-body")).to_have_text(MESSAGE)
    expect(owner.get_by_test_id("message-file")).to_have_text("测试台图纸.pdf")
    shoot(owner, "conversation-thread")
    expect(nav(owner).get_by_test_id("nav-messages-unread")).to_have_count(0)
    with owner.expect_download() as download:
        owner.get_by_test_id("message-file").click()
    assert download.value.suggested_filename == "测试台图纸.pdf"
    owner.goto(f"/orders/{order}")
    shoot(owner, "conversation-order-contacts")
    assert re.search(r"/orders/\d+$", owner.url)
