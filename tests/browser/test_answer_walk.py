"""科技答题 from end to end in Chromium (issue 14): a new expert finds a public need through the public
needs list, answers it with an attachment; the enterprise opens the file and shortlists the answer; they
exchange messages; the answer becomes an order, the expert accepts (接单), the deal is signed and
delivered; the enterprise marks the need 已解决 and it disappears from the public list and search, while
the expert can still read it (read-only). Screenshots in Chinese: docs/screenshots/answer-walk-*.png.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import approved_need, email_of, person, rename_organisation, shape_provider
from tests.browser.support import flash, log_in, log_out, main, nav, shoot
from tests.factories import APPROVED, Factory

pytestmark = pytest.mark.browser

TITLE = "高寒地区冷藏车门封条低温开裂"
WORD = "封条"  # distinctive: no other need says it
DESCRIPTION = "零下三十度时冷藏车门封条变硬开裂，车厢漏冷严重，希望找到耐低温密封材料或结构改进方案。"
EXPERT = "周志远"
APPROACH = "改用低温硅橡胶与三元乙丙复合密封条，并在门框加装自限温加热带，先做台架冻融循环验证。"
ACHIEVEMENT = "耐寒密封材料在高铁车门上的应用"
PDF = b"%PDF-1.7\n% answer: test plan for the door seal\n"
ASKED = "请问台架验证需要我们提供几套门框样件？"
REPLIED = "两套即可，一套做冻融循环，一套做开关门疲劳。"


def cast(make: Factory) -> tuple[int, int, int]:
    """An enterprise with the public need (and two others); a new, approved expert with one achievement."""
    owner = person(make, "enterprise", "陈经理")
    rename_organisation(make, owner, "哈尔滨北极星冷链物流有限公司")
    need = approved_need(make, owner, TITLE, field_code="ev", hours_ago=2, description=DESCRIPTION)
    approved_need(make, owner, "冷库地坪冻胀开裂", field_code="ev", hours_ago=5)
    approved_need(make, owner, "电动叉车低温续航不足", field_code="ev", hours_ago=9)
    expert_user = person(make, "provider", EXPERT)
    expert = make.provider_id_of(expert_user)
    shape_provider(
        make,
        expert,
        name=EXPERT,
        title="研究员",
        affiliation="哈尔滨工业大学材料学院",
        expertise="长期从事橡胶密封材料低温性能与轨道交通车门密封研究。",
    )
    make.set_provider_status(expert, APPROVED)
    make.achievement(expert, title=ACHIEVEMENT)
    return owner, expert_user, need


def test_a_new_expert_answers_a_need_through_to_a_solved_deal(page: Page, site: str, make: Factory) -> None:
    owner, expert_user, need = cast(make)
    owner_email, expert_email = email_of(make, owner), email_of(make, expert_user)

    # 1. The expert finds the need in the public needs list by a word of its title, and opens it.
    page.goto("/")
    log_in(page, expert_email)
    nav(page).get_by_role("link", name="技术需求").click()
    expect(page.get_by_test_id("need-card").filter(has_text=TITLE)).to_have_count(1)  # in the list
    search = page.get_by_test_id("search-form")
    search.locator("input[name=q]").fill(WORD)
    search.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"[?&]q="))
    card = page.get_by_test_id("need-card").filter(has_text=TITLE)
    expect(card).to_have_count(1)  # and found by a word of its title
    shoot(page, "answer-walk-1-search", doc=True)
    card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)

    # 2. It answers (答题) with an achievement as evidence and a PDF.
    page.get_by_test_id("answer-button").locator("summary").click()
    form = page.get_by_test_id("proposal-form")
    form.get_by_label("技术方案").fill(APPROACH)
    form.get_by_label(re.compile(ACHIEVEMENT)).check()
    form.get_by_label("周期").fill("3 个月")
    form.get_by_label("报价下限（万元）").fill("20")
    form.get_by_label("报价上限（万元）").fill("35")
    form.get_by_test_id("proposal-form-files").set_input_files(
        {"name": "台架验证方案.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="提交答题方案").scroll_into_view_if_needed()
    shoot(page, "answer-walk-2-answer-form", doc=True)
    form.get_by_role("button", name="提交答题方案").click()
    expect(flash(page)).to_have_text("答题方案已提交。")
    mine = page.get_by_test_id("my-proposal")
    expect(mine).to_contain_text(APPROACH)
    expect(mine.get_by_test_id("answer-file")).to_have_text("台架验证方案.pdf")
    expect(mine).to_contain_text("已提交")
    log_out(page)

    # 3. The enterprise reads the answer with its file and shortlists it, then asks a question.
    log_in(page, owner_email)
    page.goto(f"/needs/{need}#proposals")
    answer = page.get_by_test_id("proposal").filter(has_text=EXPERT)
    expect(answer).to_contain_text(APPROACH)
    expect(answer).to_contain_text(f"《{ACHIEVEMENT}》")
    with page.expect_download() as download:
        answer.get_by_test_id("answer-file").click()
    assert download.value.suggested_filename == "台架验证方案.pdf"
    assert download.value.path().read_bytes() == PDF
    answer.get_by_role("button", name="入围").click()
    expect(flash(page)).to_have_text("方案已入围。")
    answer = page.get_by_test_id("proposal").filter(has_text=EXPERT)
    expect(answer.locator("[data-state]")).to_have_text("入围")
    shoot(page, "answer-walk-3-shortlisted", doc=True)
    answer.get_by_test_id("conversation-link").click()
    page.get_by_label("写消息").fill(ASKED)
    page.get_by_role("button", name="发送").click()
    expect(flash(page)).to_have_text("消息已发送。")
    log_out(page)

    # 4. The expert sees the unread message in the navigation and replies.
    log_in(page, expert_email)
    expect(nav(page).get_by_test_id("nav-messages-unread")).to_have_text("1")
    nav(page).get_by_test_id("nav-messages").click()
    main(page).get_by_role("link", name=re.compile(TITLE)).first.click()
    expect(page.get_by_test_id("message-body")).to_have_text(ASKED)
    page.get_by_label("写消息").fill(REPLIED)
    page.get_by_role("button", name="发送").click()
    expect(flash(page)).to_have_text("消息已发送。")
    expect(page.get_by_test_id("message-body")).to_have_count(2)
    shoot(page, "answer-walk-4-messages", doc=True)
    log_out(page)

    # 5. The enterprise reads the reply and turns the answer into an order.
    log_in(page, owner_email)
    page.goto(f"/needs/{need}#proposals")
    answer = page.get_by_test_id("proposal").filter(has_text=EXPERT)
    expect(answer.get_by_test_id("conversation-unread")).to_have_text("1")
    answer.get_by_role("button", name="转为订单").click()
    expect(flash(page)).to_have_text("已转为订单，等待服务方接单。")
    order_link = page.get_by_test_id("need-orders").get_by_role("link").first
    expect(order_link).to_contain_text(EXPERT)
    order_url = order_link.get_attribute("href")
    assert order_url
    log_out(page)

    # 6. The expert accepts (接单).
    log_in(page, expert_email)
    page.goto(order_url)
    page.get_by_test_id("order-actions").get_by_role("button", name="接单", exact=True).click()
    expect(flash(page)).to_have_text("已接单。")
    expect(page.get_by_test_id("order-status")).to_have_text("已接单")
    log_out(page)

    # 7. The enterprise negotiates and signs with the contract value.
    log_in(page, owner_email)
    page.goto(order_url)
    page.get_by_test_id("order-actions").get_by_role("button", name="开始洽谈", exact=True).click()
    expect(flash(page)).to_have_text("已开始洽谈。")
    sign = page.get_by_test_id("sign-form")
    sign.get_by_label("合同类型").select_option(label="技术开发")
    sign.get_by_label("合同金额（万元）").fill("32")
    sign.get_by_label("签约日期").fill(date.today().isoformat())
    sign.get_by_role("button", name="确认签约").click()
    expect(flash(page)).to_have_text("已签约。")
    expect(page.get_by_test_id("deal")).to_contain_text("技术开发 · 32")
    shoot(page, "answer-walk-5-signed", doc=True)
    log_out(page)

    # 8. The expert confirms delivery.
    log_in(page, expert_email)
    page.goto(order_url)
    page.get_by_test_id("deliver-form").get_by_label("我确认已交付").check()
    page.get_by_test_id("order-actions").get_by_role("button", name="确认交付", exact=True).click()
    expect(page.get_by_test_id("order-status")).to_have_text("已交付")
    log_out(page)

    # 9. The enterprise marks the need 已解决 through this order.
    log_in(page, owner_email)
    page.goto(f"/needs/{need}")
    page.get_by_text("标记为已解决", exact=True).click()
    solve = page.get_by_test_id("solve-form")
    solve.locator("select[name=order_id]").select_option(order_url.rstrip("/").rsplit("/", 1)[-1])
    solve.locator("textarea[name=reason]").fill("新密封条在零下三十度冻融循环中无开裂，问题解决。")
    solve.get_by_role("button", name="确认已解决").click()
    expect(flash(page)).to_contain_text("已标记为已解决")
    expect(page.get_by_test_id("need-outcome")).to_be_visible()
    shoot(page, "answer-walk-6-solved", doc=True)
    log_out(page)

    # 10. The need is gone from the public list and search; the expert still reads it, read-only.
    page.goto("/needs/")
    expect(page.get_by_test_id("need-card")).to_have_count(2)
    expect(main(page)).not_to_contain_text(TITLE)
    page.goto(f"/needs/?q={WORD}")
    expect(page.get_by_test_id("need-card").filter(has_text=TITLE)).to_have_count(0)
    expect(main(page)).not_to_contain_text(TITLE)
    shoot(page, "answer-walk-7-gone-from-search", doc=True)
    log_in(page, expert_email)
    page.goto(f"/needs/{need}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_test_id("my-proposal")).to_contain_text("已转为订单")
    expect(page.get_by_test_id("answer-read-only")).to_be_visible()
    expect(page.get_by_test_id("proposal-edit-form")).to_have_count(0)
    page.get_by_test_id("my-proposal").scroll_into_view_if_needed()
    shoot(page, "answer-walk-8-expert-history", doc=True)
