"""Weaker matches in Chromium: a short plain-language problem finds one need by its words; the page
counts that one and shows, under their own heading, the semantically nearest needs that did not make
the cut (market/search/services.py, `_weaker`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.data import person
from tests.browser.support import main, shoot
from tests.factories import APPROVED, Factory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("synced")]

NEEDS = (
    ("注塑件脱模后翘曲变形严重", "PP外壳注塑后翘曲变形，尺寸超差，希望优化模具冷却和保压工艺。"),
    ("塑料外壳冷却后尺寸不稳", "ABS外壳出模冷却后收缩不均，装配间隙忽大忽小，想找成型工艺方面的专家。"),
    ("薄壁件成型后弯曲", "手机中框薄壁件成型后弯曲，良率低，希望改进模具和工艺参数。"),
    ("冷库压缩机能耗太高", "冷库压缩机夜间能耗高，电费贵，希望做节能改造。"),
)


def test_a_short_problem_shows_weaker_matches_apart_from_the_results(
    page: Page, app: Flask, make: Factory
) -> None:
    owner = person(make, "enterprise", "周经理")
    earlier = datetime.now(UTC) - timedelta(days=2)
    for title, description in NEEDS:
        make.need(owner, status=APPROVED, title=title, description=description, approved_at=earlier)
    synced = app.test_cli_runner().invoke(args=["index", "sync"])
    assert synced.exit_code == 0, synced.output

    page.goto("/needs/")
    box = page.locator("input[name=q]")
    box.fill("注塑件翘曲")
    box.press("Enter")
    expect(main(page)).to_contain_text("共 1 条")
    weaker = page.get_by_test_id("weaker-results")
    expect(weaker).to_be_visible()
    expect(weaker.locator("#weaker-heading")).to_have_text("以下结果与搜索内容相关度较低，仅供参考")
    # The same problem in other words, which the counted set (a shared term or the closest meaning) missed.
    expect(weaker).to_contain_text("塑料外壳冷却后尺寸不稳")
    counted = page.get_by_test_id("need-card").filter(has_text="注塑件脱模后翘曲变形严重")
    expect(counted).to_have_count(1)
    expect(weaker.get_by_test_id("need-card").filter(has_text="注塑件脱模后翘曲变形严重")).to_have_count(0)
    expect(weaker.get_by_test_id("need-card").first).to_be_visible()
    shoot(page, "search-weaker-matches")

    # Another sort lists the counted results only.
    page.get_by_test_id("sort-newest").click()
    expect(page.get_by_test_id("weaker-results")).to_have_count(0)
