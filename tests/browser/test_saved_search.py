"""Saved searches in Chromium: a provider describes a problem in plain words in the needs search, narrows it
with a facet and a sort, saves it; a broker approves a new matching need; the daily alert job runs; the
provider sees the alert among their notifications and follows it to the search's results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, log_out, main, nav, shoot
from tests.factories import APPROVED, Factory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("synced")]  # an index updated at each commit

PROBLEM = "注塑出来的塑料外壳冷却后总是翘曲变形，装配不上，怎么解决"
NEW_NEED = "薄壁注塑外壳冷却后翘曲变形"


def _market(make: Factory) -> tuple[int, int, int]:
    """Public needs about warping in two fields and one about cold stores; a pending need about warping.
    Returns the pending need, the broker and the provider who searches."""
    owner = person(make, "enterprise", "周经理")
    earlier = datetime.now(UTC) - timedelta(days=3)
    for title, description, field_code in (
        (
            "注塑件脱模后翘曲变形严重",
            "PP外壳注塑后翘曲变形，尺寸超差，希望优化模具冷却和保压工艺。",
            "materials",
        ),
        ("保险杠注塑翘曲变形", "汽车保险杠注塑后翘曲变形，影响装配间隙。", "ev"),
        ("冷库压缩机能耗太高", "冷库压缩机夜间能耗高，电费贵，希望做节能改造。", "energy"),
    ):
        make.need(
            owner,
            status=APPROVED,
            title=title,
            description=description,
            field_code=field_code,
            approved_at=earlier,
        )
    pending = make.need(
        owner,
        status="pending",
        title=NEW_NEED,
        description="ABS薄壁外壳冷却后翘曲变形，装配困难，希望找到模流分析和工艺优化方面的专家。",
        field_code="materials",
    )
    seeker = person(make, "provider", "王工")
    make.set_provider_status(make.provider_id_of(seeker), APPROVED)
    return pending, person(make, "broker", "吴经纪", regions=("32",)), seeker


def test_save_a_search_and_receive_its_alert(page: Page, app: Flask, make: Factory) -> None:
    pending, broker, seeker = _market(make)
    # The factory writes rows directly: bring the test's index up to date as `market index sync` does.
    synced = app.test_cli_runner().invoke(args=["index", "sync"])
    assert synced.exit_code == 0, synced.output
    page.goto("/")
    log_in(page, email_of(make, seeker))

    # A plain-language problem in the needs search finds the warping needs, not the cold store.
    page.goto("/needs/")
    box = page.locator("input[name=q]")
    box.fill(PROBLEM)
    box.press("Enter")
    cards = page.get_by_test_id("need-card")
    expect(cards.filter(has_text="注塑件脱模后翘曲变形严重")).to_have_count(1)
    expect(cards.filter(has_text="保险杠注塑翘曲变形")).to_have_count(1)
    expect(cards.filter(has_text="冷库")).to_have_count(0)

    # Refine: the field facet 新材料, then sort by 最新.
    page.get_by_test_id("facet-field").get_by_test_id("facet-value").filter(has_text="新材料").click()
    expect(page).to_have_url(re.compile(r"field=materials"))
    expect(cards).to_have_count(1)
    page.get_by_test_id("sort-newest").click()
    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(page.get_by_test_id("sort-current")).to_have_text("最新")

    # Save it under a name of one's own.
    save = page.get_by_test_id("save-search")
    save.get_by_text("保存搜索").click()
    save.get_by_label("名称").fill("注塑翘曲（新材料）")
    shoot(page, "save-search")
    save.get_by_test_id("save-search-submit").click()
    expect(flash(page)).to_contain_text("已保存搜索“注塑翘曲（新材料）”")
    expect(page).to_have_url(re.compile(r"/needs/\?.*field=materials"))
    page.goto("/me/searches")
    saved = page.get_by_test_id("saved-search")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("注塑翘曲（新材料）")
    expect(saved).to_contain_text("领域：新材料")
    expect(saved).to_contain_text("排序：最新")
    expect(saved).to_contain_text("尚未提醒")
    log_out(page)

    # A broker approves the new matching need.
    log_in(page, email_of(make, broker))
    page.goto("/review/")
    page.get_by_test_id("review-item").filter(has_text=NEW_NEED).get_by_test_id("open-review").click()
    page.get_by_role("button", name="通过并公开").click()  # on the need's review page
    expect(flash(page)).to_have_text("已审核通过并公开。")
    log_out(page)

    # The daily alert job (cron: market searches alert).
    result = app.test_cli_runner().invoke(args=["searches", "alert"])
    assert result.exit_code == 0 and "1 alerted (1 postings)" in result.output, result.output
    again = app.test_cli_runner().invoke(args=["searches", "alert"])
    assert "0 alerted" in again.output and "1 already alerted today" in again.output

    # The provider sees the alert and follows it to the search's results.
    log_in(page, email_of(make, seeker))
    nav(page).get_by_test_id("nav-orders").click()
    main(page).get_by_role("link", name="通知").click()
    notice = page.get_by_test_id("notification").filter(has_text="注塑翘曲（新材料）")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(f"您保存的搜索“注塑翘曲（新材料）”有 1 条新结果，如“{NEW_NEED}”")
    shoot(page, "search-alert", doc=True)
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/needs/\?.*field=materials.*sort=newest"))
    expect(cards.first).to_contain_text(NEW_NEED)
    expect(main(page)).not_to_contain_text("冷库")
    assert pending


NOTHING = "钛合金叶片激光熔覆修复xq"  # no posting reads like this


def test_ask_a_broker_when_a_search_finds_nothing(page: Page, make: Factory) -> None:
    enterprise = person(make, "enterprise", "周经理")  # its organisation is in province 32
    broker = person(make, "broker", "吴经纪", regions=("32",))
    page.goto("/")
    log_in(page, email_of(make, enterprise))
    page.goto("/providers/")
    box = page.locator("input[name=q]")
    box.fill(NOTHING)
    box.press("Enter")
    page.get_by_test_id("ask-broker").get_by_role("button", name="请经纪人帮忙").click()
    expect(flash(page)).to_contain_text("已通知本地区的技术经理人，他们会尽快与你联系。")
    log_out(page)

    log_in(page, email_of(make, broker))
    nav(page).get_by_test_id("nav-orders").click()
    main(page).get_by_role("link", name="通知").click()
    notice = page.get_by_test_id("notification").filter(has_text=NOTHING)
    expect(notice).to_contain_text(f"的 周经理 搜索“{NOTHING}”没有找到合适的结果，请经纪人帮忙对接")
    notice.get_by_role("link").click()  # to the provider search for the query
    expect(page).to_have_url(re.compile(r"/providers/\?q="))
    expect(page.locator("input[name=q]")).to_have_value(NOTHING)
