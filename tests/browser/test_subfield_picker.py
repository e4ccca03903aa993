"""A provider's 细分领域 picker follows its 技术领域 (issue 18, item 3): only the chosen fields' sub-fields
are offered, the list changes as fields are picked or removed, and a sub-field of a removed field is
dropped before saving. Without JavaScript the select lists every sub-field, grouped by field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from market.db import db
from market.providers.models import Provider
from market.reference import services as reference
from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, main, pick, searchable, shoot
from tests.factories import Factory

pytestmark = pytest.mark.browser

FIELDS = "技术领域（最多 3 个）"
SUBFIELDS = "细分领域（选填"
EV, MATERIALS = "ev", "materials"


@pytest.fixture
def no_script_page(browser: Browser, site: str) -> Iterator[Page]:
    """A zh-CN page with JavaScript turned off: what a client without script gets."""
    context = browser.new_context(base_url=site, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _names(app: Flask, field: str) -> tuple[str, list[str]]:
    """A field's name and its active sub-fields' codes, in the picker's order."""
    with app.app_context():
        return reference.field_name(field, "zh"), [s.code for s in reference.subfield_choices(field)]


def _offered(page: Page) -> list[str]:
    """The sub-field codes Tom Select offers in its dropdown (what a person can click)."""
    # By keyboard, as a click right after leaving the fields picker can land while that box still
    # changes height: focus opens the list, ArrowDown opens it if focus did not (else moves in it).
    combobox = page.get_by_role("combobox", name=SUBFIELDS)
    combobox.focus()
    combobox.press("ArrowDown")
    options = page.locator("#subfields-ts-dropdown .option")  # Tom Select's list for select#subfields
    expect(options.first).to_be_visible()
    codes = options.evaluate_all("os => os.map(o => o.dataset.value)")
    page.keyboard.press("Escape")
    return list(codes)


def test_provider_picks_sub_fields_of_the_chosen_fields_only(page: Page, make: Factory, app: Flask) -> None:
    owner = person(make, "provider", "钱工")  # the factory's profile has one field: ev
    provider_id = make.provider_id_of(owner)
    ev_name, ev_subs = _names(app, EV)
    materials_name, materials_subs = _names(app, MATERIALS)
    assert ev_subs and materials_subs
    page.goto("/")
    log_in(page, email_of(make, owner))
    page.goto("/me/profile/edit")
    subfields = searchable(page, SUBFIELDS)

    # ev chosen: its sub-fields only, in the picker and in the select behind it
    assert sorted(_offered(page)) == sorted(ev_subs)
    expect(subfields.locator("optgroup")).to_have_count(1)
    expect(subfields.locator("optgroup")).to_have_attribute("label", ev_name)
    pick(page, SUBFIELDS, _subfield_name(app, ev_subs[0]))
    expect(subfields).to_have_values([ev_subs[0]])

    # a second field adds its group; the chosen ev sub-field stays
    pick(page, FIELDS, materials_name)
    assert sorted(_offered(page)) == sorted(
        ev_subs[1:] + materials_subs
    )  # the chosen one is not offered again
    expect(subfields.locator("optgroup")).to_have_count(2)
    pick(page, SUBFIELDS, _subfield_name(app, materials_subs[0]))
    expect(subfields).to_have_values([ev_subs[0], materials_subs[0]])

    # removing ev takes its sub-fields away, the chosen one included
    page.locator("#fields-ts-control").locator("xpath=..").locator(
        ".item[data-value='ev'] .remove"
    ).click()  # its ×
    expect(searchable(page, FIELDS)).to_have_values([MATERIALS])
    assert sorted(_offered(page)) == sorted(materials_subs[1:])
    expect(subfields.locator("optgroup")).to_have_count(1)
    expect(subfields).to_have_values([materials_subs[0]])
    shoot(page, "provider-subfield-picker")

    page.get_by_label("专长与能力介绍").fill(
        "长期从事高分子材料改性与注塑件成型缺陷分析，服务过多家汽车零部件企业。"
    )
    main(page).get_by_role("button", name="保存", exact=True).click()
    expect(flash(page)).to_have_text("资料已保存。提交审核通过后公开。")
    with app.app_context():
        provider = db.session.get_one(Provider, provider_id)
        assert provider.field_codes == [MATERIALS]
        assert provider.subfield_codes == [materials_subs[0]]


def test_without_javascript_every_sub_field_is_listed_by_field(
    no_script_page: Page, make: Factory, app: Flask
) -> None:
    page = no_script_page
    owner = person(make, "provider", "孙工")
    page.goto("/")
    log_in(page, email_of(make, owner))
    page.goto("/me/profile/edit")
    subfields = page.locator("select#subfields")
    with app.app_context():
        fields = {sub.field_code for sub in reference.subfield_choices()}
        count = len(reference.subfield_choices())
    expect(subfields.locator("optgroup")).to_have_count(len(fields))
    expect(subfields.locator("option")).to_have_count(count)


def _subfield_name(app: Flask, code: str) -> str:
    with app.app_context():
        return reference.subfield_name(code, "zh")
