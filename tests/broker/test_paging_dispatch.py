"""派单 and the order page's rough edges (issue 18, item 8): a refused dispatch keeps the page and the
broker's choices with one message; 合同类型 starts from the need; 确认交付 asks for a confirmation."""

from __future__ import annotations

import re

import pytest

from market.db import db
from market.orders.models import Order
from tests.orders.world import DEAL, World


def _once(page: str) -> dict[str, str]:
    found = re.search(r'name="once" value="([^"]+)"', page)
    return {"once": found.group(1)} if found else {}


def _selected(page: str) -> set[int]:
    """Providers ticked (checkboxes) or selected (the searchable list) on a dispatch page."""
    ticked = re.findall(r'name="provider_ids" value="(\d+)"[^>]*checked', page)
    chosen = re.findall(r'<option value="(\d+)" selected', page)
    return {int(i) for i in ticked + chosen}


def _orders(world: World) -> int:
    with world.app.app_context():
        return db.session.query(Order).count()


def test_nothing_ticked_keeps_the_dispatch_page_with_one_message(world: World) -> None:
    client = world.client("broker_in")
    url = f"/orders/dispatch/{world.need}"
    first = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"message": "请尽快评估可行性", **_once(first)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and response.location is None
    assert 'data-testid="dispatch-form"' in page and "派单：" in page  # the same page, not another one
    assert page.count("请至少选择一个服务方。") == 1
    assert "请尽快评估可行性" in page  # what was typed stays
    assert _orders(world) == 0
    # the corrected submit (same form key) goes through
    done = client.post(url, data={"provider_ids": [str(world.provider_id)], "message": "再派", **_once(page)})
    assert done.status_code == 302 and _orders(world) == 1


def test_a_refused_pick_keeps_every_choice(world: World) -> None:
    world.order("ordered")  # the provider is already engaged on the need: dispatching again is refused
    client = world.client("broker_in")
    url = f"/orders/dispatch/{world.need}"
    first = client.get(url).get_data(as_text=True)
    picks = [str(world.provider_id), str(world.other_provider_id)]
    response = client.post(url, data={"provider_ids": picks, "message": "两家都看看", **_once(first)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and 'data-testid="dispatch-form"' in page
    assert {world.provider_id, world.other_provider_id} <= _selected(page)
    assert "两家都看看" in page and _orders(world) == 1


def test_dispatch_page_has_a_searchable_provider_list(world: World) -> None:
    page = world.client("broker_in").get(f"/orders/dispatch/{world.need}").get_data(as_text=True)
    select = re.search(r"<select[^>]*id=\"provider_ids\"[^>]*>", page)
    assert select and "data-searchable" in select.group(0) and "multiple" in select.group(0)
    assert "vendor/tom-select/tom-select.complete.min.js" in page and "js/pickers.js" in page
    assert "<script>" not in page  # no inline script (CSP)


@pytest.mark.parametrize(
    ("mode", "expected"), [("service", "service"), ("consult", "consult"), ("joint", "develop")]
)
def test_contract_type_defaults_to_the_needs_cooperation_mode(world: World, mode: str, expected: str) -> None:
    need = world.make.need(world.owner, status="approved", cooperation_mode=mode, title="合同类型默认值测试")
    order = world.order("negotiating", need=need)
    page = world.client("owner").get(f"/orders/{order}").get_data(as_text=True)
    form = page.split('data-testid="sign-form"')[1].split("</form>")[0]
    assert re.findall(r'<option value="(\w+)" selected', form) == [expected]


def test_refused_sign_keeps_the_picked_contract_type(world: World) -> None:
    need = world.make.need(world.owner, status="approved", cooperation_mode="service", title="签约保留选择")
    order = world.order("negotiating", need=need)
    response = world.client("owner").post(
        f"/orders/{order}/act/sign", data={**DEAL, "contract_type": "license", "value_wan": "0"}
    )
    form = response.get_data(as_text=True).split('data-testid="sign-form"')[1].split("</form>")[0]
    assert response.status_code == 422 and re.findall(r'<option value="(\w+)" selected', form) == ["license"]


def test_deliver_needs_the_confirmation_box(world: World) -> None:
    order = world.order("signed")
    provider = world.client("provider")
    page = provider.get(f"/orders/{order}").get_data(as_text=True)
    form = page.split('data-testid="deliver-form"')[1].split("</form>")[0]
    assert 'name="confirmed"' in form and "required" in form and "我确认已交付" in form
    refused = provider.post(f"/orders/{order}/act/deliver")
    assert refused.status_code == 422 and world.status(order) == "signed"
    assert refused.get_data(as_text=True).count("请勾选“我确认已交付”后再提交。") == 1
    assert provider.post(f"/orders/{order}/act/deliver", data={"confirmed": "y"}).status_code == 302
    assert world.status(order) == "delivered"


def test_reason_forms_keep_the_button_on_one_line(world: World) -> None:
    order = world.order("ordered")
    page = world.client("provider").get(f"/orders/{order}").get_data(as_text=True)
    form = page.split('data-testid="decline-form"')[1].split("</form>")[0]
    button = re.search(r"<button[^>]*>", form)
    assert button and "text-nowrap" in button.group(0) and "flex-shrink-0" in button.group(0)


def test_picker_files_are_served(world: World) -> None:
    client = world.client("anonymous")
    for path, kind in (
        ("/static/vendor/tom-select/tom-select.complete.min.js", "javascript"),
        ("/static/vendor/tom-select/tom-select.bootstrap5.min.css", "css"),
        ("/static/js/pickers.js", "javascript"),
    ):
        response = client.get(path)
        assert response.status_code == 200 and kind in response.content_type, path
    pickers = client.get("/static/js/pickers.js").get_data(as_text=True)
    assert "select[data-searchable]" in pickers


def test_provider_fields_and_admin_regions_are_searchable(world: World) -> None:
    form = world.client("provider").get("/me/profile/edit").get_data(as_text=True)
    assert re.search(
        r'<select[^>]*data-searchable[^>]*name="fields"|<select[^>]*name="fields"[^>]*data-searchable', form
    )
    admin = world.client("admin").get("/admin/users").get_data(as_text=True)
    assert re.search(r'<select name="regions" multiple[^>]*data-searchable', admin)
    assert "js/pickers.js" in form and "js/pickers.js" in admin
