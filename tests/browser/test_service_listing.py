"""In a real browser (issue 12, point 7): deleting an ordered service offers 下架 instead of a 500.

(Chromium itself merges a fast double click on a submit button into one request, so double submits
are tested over HTTP in tests/security/test_idempotency.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from market.auth.models import User
from market.db import commit, db
from market.orders import services as orders
from market.providers.models import ServiceItem
from tests.browser.data import email_of, person
from tests.browser.support import flash, log_in, main
from tests.factories import APPROVED, Factory

pytestmark = pytest.mark.browser


def test_an_ordered_service_is_taken_off_the_menu_instead_of_deleted(
    page: Page, site: str, make: Factory, dialogs: list[str]
) -> None:
    expert = person(make, "provider", "孙立新")
    provider = make.provider_id_of(expert)
    make.set_provider_status(provider, APPROVED)
    service = make.service(provider, title="冷链包装保温性能检测")
    buyer = person(make, "enterprise", "王晓燕")
    with make.app.app_context():
        orders.order_service(db.session.get_one(User, buyer), db.session.get_one(ServiceItem, service))
        commit()

    page.goto("/")
    log_in(page, email_of(make, expert))
    page.goto("/me/profile")
    item = main(page).get_by_test_id("service-item")
    item.get_by_role("button", name="删除").click()
    expect(flash(page)).to_contain_text("已有订单引用该服务，不能删除；可以下架")
    item.get_by_role("button", name="下架").click()
    expect(flash(page)).to_contain_text("服务已下架")
    expect(item).to_contain_text("已下架")
    assert make.get(ServiceItem, service).active is False
    item.get_by_role("button", name="重新上架").click()
    expect(flash(page)).to_contain_text("服务已重新上架")
    expect(item.get_by_role("button", name="下架")).to_be_visible()
    assert dialogs == ["确定删除该服务？", "下架后不再展示，也不接受新的点单；已有订单不受影响。确定？"]
