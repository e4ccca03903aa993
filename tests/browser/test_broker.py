"""A broker works the review queue of their region: returns one need with a reason, approves another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import email_of, person, rename_organisation, shape_provider
from tests.browser.support import flash, log_in, log_out, main, nav, shoot, status_badge
from tests.factories import Factory

pytestmark = pytest.mark.browser

RETURNED = "冬季低温下电动物流车续航下降"
APPROVED = "电池极片涂布厚度不均"
REASON = "请补充目标续航指标和测试工况，并删除描述中的客户名称。"


def pending_need(make: Factory, owner: int, title: str, description: str, *, province: str = "32") -> int:
    return make.need(
        owner,
        status="pending",
        title=title,
        description=description,
        province=province,
        submitted_at=datetime.now(UTC) - timedelta(minutes=30),
    )


def review_queue(make: Factory) -> tuple[int, int, int]:
    """Pending: two needs and an expert in 江苏, a need in 广东. Returns owner, approvable need, broker."""
    owner = person(make, "enterprise", "陈经理")
    rename_organisation(make, owner, "苏州速达新能源物流有限公司")
    pending_need(make, owner, RETURNED, "零下二十度时整车续航下降约百分之四十，希望找到电池热管理方案。")
    approvable = pending_need(make, owner, APPROVED, "涂布边缘厚度偏差超过百分之三，希望优化模头和工艺参数。")
    pending_need(
        make, owner, "广州地铁隧道渗漏水监测", "隧道渗漏点多、巡检靠人工，希望实现自动监测。", province="44"
    )
    expert = make.provider_id_of(person(make, "provider", "李明华"))
    shape_provider(
        make,
        expert,
        status="pending",
        submitted_at=datetime.now(UTC) - timedelta(minutes=5),
        name="李明华",
        title="教授",
        expertise="长期从事动力电池热管理、低温自加热与电池包结构安全研究。",
    )
    return owner, approvable, person(make, "broker", "吴经纪", regions=("32",))


def test_broker_returns_one_need_approves_another_and_both_sides_see_it(
    page: Page, site: str, make: Factory
) -> None:
    owner, approved_id, broker = review_queue(make)

    page.goto("/")
    log_in(page, email_of(make, broker))
    expect(page.get_by_role("heading", name="审核队列")).to_be_visible()  # a broker's dashboard is the queue
    expect(main(page)).to_contain_text("负责地区：江苏省")
    items = page.get_by_test_id("review-item")
    expect(items).to_have_count(3)  # two needs and a provider in 江苏; 广东's need is not theirs
    expect(items.filter(has_text="广州地铁")).to_have_count(0)
    expect(items.filter(has_text="李明华")).to_contain_text("专家")
    shoot(page, "review-queue", doc=True)

    # Returning needs a reason.
    to_return = items.filter(has_text=RETURNED)
    to_return.get_by_role("button", name="退回").click()
    expect(page.locator(".alert-danger")).to_have_text("退回时必须填写原因。")
    expect(items).to_have_count(3)
    to_return.get_by_placeholder("退回原因（必填）").fill(REASON)
    to_return.get_by_role("button", name="退回").click()
    expect(flash(page)).to_have_text("已退回，并通知发布方修改。")
    expect(items).to_have_count(2)
    expect(items.filter(has_text=RETURNED)).to_have_count(0)

    items.filter(has_text=APPROVED).get_by_test_id("open-review").click()
    page.get_by_role("button", name="通过并公开").click()
    expect(flash(page)).to_have_text("已审核通过并公开。")
    expect(main(page)).to_contain_text("没有待审核的需求。")
    expect(items).to_have_count(1)

    # A visitor now finds the approved need, and only that one.
    log_out(page)
    nav(page).get_by_role("link", name="技术需求").click()
    cards = page.get_by_test_id("need-card")
    expect(cards).to_have_count(1)
    cards.get_by_role("link", name=APPROVED).click()
    expect(page).to_have_url(f"{site}/needs/{approved_id}")
    expect(status_badge(page)).to_have_text("已公开")
    expect(page.get_by_test_id("confidential")).to_have_count(0)

    # The owner sees the returned need with the broker's reason.
    log_in(page, email_of(make, owner))
    expect(page.get_by_role("heading", name="我的需求")).to_be_visible()
    main(page).get_by_role("link", name="已退回", exact=True).click()
    rows = main(page).locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=RETURNED).click()
    expect(status_badge(page)).to_have_text("已退回")
    expect(main(page).locator(".alert-danger")).to_have_text(f"退回原因：{REASON}")
    expect(main(page).locator("ul.small li").last).to_contain_text(REASON)
    expect(main(page).get_by_role("link", name="修改")).to_be_visible()
    expect(main(page).get_by_role("button", name="提交审核")).to_be_visible()


def test_review_buttons_keep_their_labels_on_one_line(page: Page, make: Factory) -> None:
    """The reason box must not squeeze the 退回 button until its label breaks into one character a line."""
    _owner, _approvable, broker = review_queue(make)
    page.goto("/")
    log_in(page, email_of(make, broker))
    item = page.get_by_test_id("review-item").first
    approve = item.get_by_test_id("open-review").bounding_box()
    send_back = item.get_by_role("button", name="退回").bounding_box()
    assert approve is not None and send_back is not None
    assert send_back["height"] <= approve["height"] + 2, (
        f"退回 wraps: {send_back['height']:.0f}px tall beside 通过's {approve['height']:.0f}px"
    )


def test_review_page_shows_confidential_details_and_files_with_both_decisions(
    page: Page, make: Factory, watches: dict[int, Any]
) -> None:
    """The queue sends a need with confidential details and files to its review page, which shows them."""
    import hashlib

    from market.attachments.models import NeedAttachment
    from market.db import db

    owner, approvable, broker = review_queue(make)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with make.app.app_context():
        db.session.add(
            NeedAttachment(
                need_id=approvable,
                uploaded_by=owner,
                filename="涂布厚度检测报告.pdf",
                kind="pdf",
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                confidential=True,
                data=pdf,
            )
        )
        db.session.commit()

    page.goto("/")
    log_in(page, email_of(make, broker))
    item = page.get_by_test_id("review-item").filter(has_text=APPROVED)
    expect(item.get_by_role("button", name="通过", exact=True)).to_have_count(0)  # not blind from the queue
    item.get_by_role("link", name="查看保密细节和附件后审核").click()
    expect(page.get_by_role("heading", name=f"审核：{APPROVED}")).to_be_visible()
    expect(page.get_by_test_id("review-confidential")).to_contain_text("XK-21")
    expect(page.get_by_test_id("review-attachment")).to_contain_text("涂布厚度检测报告.pdf")
    expect(page.get_by_test_id("review-organisation")).to_contain_text("苏州速达新能源物流有限公司")
    shoot(page, "review-need", doc=True)

    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_test_id("review-error")).to_have_text("请填写退回原因。")
    expect(page.get_by_test_id("review-confidential")).to_be_visible()  # still the whole page
    # The refusal is answered 422 (Chromium logs that status as a console error): expected here only.
    watch = watches[id(page)]
    watch.problems[:] = [p for p in watch.problems if not ("/return" in p and "422" in p)]
    page.get_by_test_id("review-actions").scroll_into_view_if_needed()
    shoot(page, "review-return-error", doc=True)

    page.get_by_role("button", name="通过并公开").click()
    expect(flash(page)).to_have_text("已审核通过并公开。")
    expect(page.get_by_test_id("review-item").filter(has_text=APPROVED)).to_have_count(0)
