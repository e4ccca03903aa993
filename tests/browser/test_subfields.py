"""An enterprise posts an injection-moulding need under 智能制造 → 注塑成型, picking the sub-field in the
searchable picker by typing part of its name (the picker offers only the chosen field's sub-fields); the
need's page and the list filter show it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, main, pick, searchable, shoot
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_enterprise_picks_a_sub_field_for_an_injection_moulding_need(page: Page, make: Factory) -> None:
    owner = person(make, "enterprise", "吴厂长")
    page.goto("/")
    log_in(page, email_of(make, owner))
    page.goto("/needs/new")
    page.get_by_label("需求标题").fill("汽车内饰注塑件缩痕翘曲")
    page.get_by_label("需求描述").fill(
        "我司汽车内饰注塑件壁厚不均，出现缩痕和翘曲，良品率只有八成，希望优化模具与工艺参数。"
    )
    # the sub-field list follows the field: only the chosen field's group is offered
    subfields = searchable(page, "细分领域（选填）")
    expect(subfields.locator("optgroup")).to_have_count(20)
    page.get_by_label("技术领域").select_option(label="新材料")
    expect(subfields.locator("optgroup")).to_have_count(1)
    expect(subfields.locator("option[value='materials-polymer']")).to_have_count(1)
    page.get_by_label("技术领域").select_option(label="智能制造与机器人")
    expect(subfields.locator("option[value='materials-polymer']")).to_have_count(0)
    expect(subfields.locator("optgroup")).to_have_count(1)
    pick(page, "细分领域（选填）", "注塑")
    expect(searchable(page, "细分领域（选填）")).to_have_value("manufacturing-injection")
    page.get_by_label("省份").select_option(label="江苏省")
    page.get_by_label("截止日期").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_label("合作方式").select_option(label="技术开发")
    shoot(page, "need-form-subfield")
    main(page).get_by_role("button", name="保存").click()
    expect(flash(page)).to_be_visible()
    expect(page.get_by_test_id("need-field")).to_have_text("智能制造与机器人 / 注塑成型")
