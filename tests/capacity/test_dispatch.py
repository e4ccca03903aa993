"""The 派单 page before submitting: load, capacity marks and conflict flags; "send to the top N"
skips a provider at capacity unless the broker includes it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from market.auth.models import Organisation
from market.capacity.models import ProviderCapacity
from market.db import commit, db
from market.matching import engine, indexing
from market.needs.models import Need
from market.orders.models import Order
from market.providers.models import Provider
from tests.orders.world import World


def _once(page: str) -> dict[str, str]:
    found = re.search(r'name="once" value="([^"]+)"', page)
    return {"once": found.group(1)} if found else {}


def _option(page: str, provider_id: int) -> str:
    found = re.search(rf'<option value="{provider_id}"[^>]*>([^<]*)</option>', page)
    assert found, provider_id
    return found.group(1)


def _fill(world: World, limit: int = 1) -> None:
    """The first provider is busy on another need and takes at most `limit` engagements."""
    other = world.make.need(world.owner, status="approved", title="另一个需求：电池包保温结构")
    world.order("accepted", need=other)
    with world.app.app_context():
        db.session.add(ProviderCapacity(provider_id=world.provider_id, max_concurrent=limit))
        commit()


def test_conflicts_are_flagged_before_submitting(world: World) -> None:
    with world.app.app_context():
        need = db.session.get(Need, world.need)
        org = db.session.get(Organisation, need.organisation_id)
        db.session.get(Provider, world.other_provider_id).affiliation = org.name  # works for the enterprise
        commit()
    earlier = world.make.need(world.owner, status="approved", title="较早的需求：电机控制器散热")
    world.order("declined", need=earlier)  # the provider declined this enterprise before
    world.order("ordered")  # and is already invited to this need
    page = world.client("broker_in").get(f"/orders/dispatch/{world.need}").get_data(as_text=True)
    mine = _option(page, world.provider_id)
    assert "冲突：曾拒绝该企业 1 次" in mine and "冲突：已在办本需求" in mine and "同一单位" not in mine
    other = _option(page, world.other_provider_id)
    assert "冲突：同一单位" in other and "已在办" not in other and "曾拒绝" not in other


def test_the_invite_page_shows_load_and_conflicts(world: World) -> None:
    _fill(world)
    page = (
        world.client("owner")
        .get(f"/orders/new/invite/{world.need}/{world.provider_id}")
        .get_data(as_text=True)
    )
    standing = page.split('data-testid="standing"')[1].split("</div>")[0]
    assert "已满额" in standing and "在办 1/1" in standing and "应答率 100%" in standing


@pytest.fixture
def indexed(world: World, app: Flask, synced: None) -> World:
    with app.app_context():
        indexing.rebuild(engine.PROVIDERS)
    return world


def _order(world: World) -> tuple[str, list[int]]:
    page = world.client("broker_in").get(f"/orders/dispatch/{world.need}").get_data(as_text=True)
    return page, [int(i) for i in re.findall(r'data-provider="(\d+)" data-testid="dispatch-match"', page)]


def test_suggestions_put_a_provider_with_room_first_and_say_why(
    world: World, app: Flask, synced: None
) -> None:
    # The two providers' profiles read alike; the first one's a little closer, so the engine puts it
    # first (without this their tie could fall either way and nothing would move).
    with app.app_context():
        provider = db.session.get_one(Provider, world.provider_id)
        provider.expertise += "专注冬季低温工况下动力电池热管理与续航。"
        commit()
        indexing.rebuild(engine.PROVIDERS)
    assert _order(world)[1] == [world.provider_id, world.other_provider_id]
    _fill(world)
    page = world.client("broker_in").get(f"/orders/dispatch/{world.need}").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'data-provider="(\d+)" data-testid="dispatch-match"', page)]
    assert order == [world.other_provider_id, world.provider_id]
    first, second = page.split('data-testid="dispatch-match"')[1:3]
    assert "上移" in first and "对方已满额" in first
    assert 'data-testid="at-capacity"' in second and "已满额（在办 1/1）" in second


def _top(world: World, n: int, **extra: str) -> tuple[int, set[int]]:
    client = world.client("broker_in")
    url = f"/orders/dispatch/{world.need}"
    first = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"top_n": str(n), "message": "请评估", **extra, **_once(first)})
    with world.app.app_context():
        sent = db.session.scalars(
            select(Order.provider_id).where(Order.need_id == world.need, Order.origin == "dispatched")
        )
        return response.status_code, set(sent)


def test_send_to_top_n_skips_a_provider_at_capacity(indexed: World) -> None:
    _fill(indexed)
    status, sent = _top(indexed, 2)
    assert status == 302 and sent == {indexed.other_provider_id}


def test_send_to_top_n_includes_providers_at_capacity_when_asked(indexed: World) -> None:
    _fill(indexed)
    status, sent = _top(indexed, 2, include_full="y")
    assert status == 302 and sent == {indexed.provider_id, indexed.other_provider_id}


def test_send_to_top_n_with_nobody_left_says_why_on_the_same_page(indexed: World) -> None:
    _fill(indexed)
    with indexed.app.app_context():
        db.session.add(ProviderCapacity(provider_id=indexed.other_provider_id, away_from=date.today()))
        commit()
    client = indexed.client("broker_in")
    url = f"/orders/dispatch/{indexed.need}"
    first = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"top_n": "2", "message": "请评估", **_once(first)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="dispatch-top-form"' in page
    assert page.count("推荐名单中没有可派的服务方") == 1
    with indexed.app.app_context():
        assert db.session.scalar(select(Order.id).where(Order.origin == "dispatched")) is None


def test_the_match_page_shows_load_and_marks_the_invite_button(indexed: World) -> None:
    _fill(indexed)
    page = indexed.client("owner").get(f"/needs/{indexed.need}/matches").get_data(as_text=True)
    cards = {
        int(re.search(r'href="/providers/(\d+)"', card).group(1)): card
        for card in page.split('data-testid="provider-match"')[1:]
    }
    full, free = cards[indexed.provider_id], cards[indexed.other_provider_id]
    assert 'data-testid="at-capacity"' in full and "在办 1/1" in full and 'data-testid="invite-full"' in full
    assert "在办 0" in free and 'data-testid="invite-full"' not in free and 'data-testid="invite"' in free


def _api_top(world: World, body: object) -> tuple[int, dict, set[int]]:
    """POST /api/v1/needs/<id>/dispatch/top as the region's broker; the status, answer and orders sent."""
    from market.auth import services as auth
    from market.auth.models import User

    with world.app.app_context():
        secret, _record = auth.create_api_token(db.session.get(User, world.user_id("broker_in")), "t")
        db.session.commit()
    response = world.app.test_client().post(
        f"/api/v1/needs/{world.need}/dispatch/top", json=body, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    with world.app.app_context():
        sent = db.session.scalars(
            select(Order.provider_id).where(Order.need_id == world.need, Order.origin == "dispatched")
        )
        return response.status_code, response.get_json(), set(sent)


def test_the_api_sends_to_the_top_n_skipping_a_provider_at_capacity(indexed: World) -> None:
    _fill(indexed)
    status, answer, sent = _api_top(indexed, {"top_n": 2, "message": "请评估"})
    assert status == 201 and sent == {indexed.other_provider_id}
    assert [(o["provider"]["id"], o["status"]) for o in answer["items"]] == [
        (indexed.other_provider_id, "dispatched")
    ]
    # asked to include it, the provider at capacity gets the need too (the other one is engaged now)
    status, answer, sent = _api_top(indexed, {"top_n": 2, "include_full": True})
    assert status == 201 and sent == {indexed.provider_id, indexed.other_provider_id}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"top_n": 0}, 422),
        ({"top_n": 11}, 422),
        ({}, 422),
        ({"top_n": "two"}, 400),
        ({"top_n": 2, "x": 1}, 400),
    ],
)
def test_the_api_top_n_refuses_bad_input_with_json(world: World, body: object, status: int) -> None:
    code, answer, sent = _api_top(world, body)
    assert code == status and answer.get("error") and sent == set()


def test_the_api_top_n_with_nobody_left_is_422_and_sends_nothing(indexed: World) -> None:
    _fill(indexed)
    with indexed.app.app_context():
        db.session.add(ProviderCapacity(provider_id=indexed.other_provider_id, away_from=date.today()))
        commit()
    status, answer, sent = _api_top(indexed, {"top_n": 2})
    assert status == 422 and "推荐名单中没有可派的服务方" in answer["fields"]["top_n"][0] and sent == set()
