"""Capacity-aware dispatch in Chromium (issue 18, item 4): a broker opens the 派单 page where one
provider is at capacity and once declined this enterprise; the suggestions put the other first with
the reason, both marks show before anything is sent, and "send to the top 2" skips the full one."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from market.capacity.models import ProviderCapacity
from market.db import commit, db
from market.matching import engine, indexing
from market.orders.models import Order
from market.providers.models import Provider
from tests.browser.data import email_of
from tests.browser.support import flash, log_in, shoot
from tests.factories import Factory
from tests.orders.world import build_world

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("synced")
def test_capacity_aware_dispatch_with_a_conflict_flag(page: Page, app: Flask, make: Factory) -> None:
    world = build_world(app, make)
    busy = make.need(world.owner, status="approved", title="电池包保温结构优化")
    world.order("accepted", need=busy)  # in progress: 1 of 1
    earlier = make.need(world.owner, status="approved", title="电机控制器散热")
    world.order("declined", need=earlier)  # declined this enterprise before
    with app.app_context():
        db.session.add(ProviderCapacity(provider_id=world.provider_id, max_concurrent=1))
        # The two profiles differ only in the name, which carries the factory's running number: the
        # engine's order of the two then depended on how many users earlier tests had made (the
        # spread reason below was missing in one full run). With the same name the two profiles score
        # the same and keep the order they were indexed in, the full provider first.
        for provider_id in (world.provider_id, world.other_provider_id):
            db.session.get_one(Provider, provider_id).name = "热管理专家"
        commit()
        indexing.rebuild(engine.PROVIDERS)

    page.goto("/")
    log_in(page, email_of(make, world.broker_in))
    page.goto(f"/orders/dispatch/{world.need}")
    matches = page.get_by_test_id("dispatch-match")
    expect(matches).to_have_count(2)
    first, second = matches.nth(0), matches.nth(1)
    expect(first).to_have_attribute("data-provider", str(world.other_provider_id))
    expect(first.get_by_test_id("spread-reason")).to_contain_text("对方已满额")
    expect(second.get_by_test_id("at-capacity")).to_have_text("已满额")
    expect(second.get_by_test_id("conflict-declined")).to_have_text("冲突：曾拒绝该企业 1 次")
    expect(second.get_by_test_id("load")).to_contain_text("在办 1/1")
    shoot(page, "capacity-dispatch", doc=True)

    # The same page in English shows the same marks.
    page.goto(f"/orders/dispatch/{world.need}?lang=en")
    expect(page.get_by_test_id("dispatch-match").nth(1).get_by_test_id("at-capacity")).to_have_text(
        "At capacity"
    )
    shoot(page, "capacity-dispatch-en")
    page.goto(f"/orders/dispatch/{world.need}?lang=zh")

    top = page.get_by_test_id("dispatch-top-form")
    top.get_by_label("发给前几名").fill("2")
    top.get_by_role("button", name="发给前 N 名").click()
    expect(flash(page)).to_have_text("已派单。")
    with app.app_context():
        sent = set(db.session.scalars(select(Order.provider_id).where(Order.origin == "dispatched")))
    assert sent == {world.other_provider_id}
