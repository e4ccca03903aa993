"""Board sections are capped, every "另有 N 条" links to the full list, and the full lists page and
keep their filters (issue 18, item 1)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from market.auth.models import User
from market.db import db, utcnow
from market.needs.models import Need
from tests.orders.world import World

NEED_IDS = re.compile(r'data-testid="list-need" data-need="(\d+)"')


def _needs(
    world: World, count: int, *, province: str = "32", field_code: str = "ev", days_ago: int = 30
) -> list[int]:
    """`count` approved needs of the world's owner, approved `days_ago` days ago, in one transaction;
    each a minute newer than the one before."""

    def work() -> list[int]:
        owner = db.session.get(User, world.owner)
        start = utcnow() - timedelta(days=days_ago)
        rows = [
            Need(
                organisation_id=owner.organisation_id,
                author_id=owner.id,
                title=f"分页测试需求 {i:03d}",
                description="用于检验工作台分页的需求。",
                field_code=field_code,
                province=province,
                cooperation_mode="develop",
                confidential_details="",
                deadline=(start + timedelta(days=90)).date(),
                status="approved",
                approved_at=start + timedelta(minutes=i),
                created_at=start + timedelta(minutes=i),
                updated_at=start + timedelta(minutes=i),
            )
            for i in range(count)
        ]
        db.session.add_all(rows)
        db.session.flush()
        return [n.id for n in rows]

    return world.run(work)  # type: ignore[no-any-return]


def _links(page: str, testid: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'<a href="([^"]+)" data-testid="{testid}"', page)]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_board_column_is_capped_and_more_links_to_the_filtered_full_list(world: World) -> None:
    ev = _needs(world, 23)
    _needs(world, 3, field_code="ai")
    client = world.client("broker_in")
    board = client.get("/broker/?field=ev&period=365").get_data(as_text=True)
    column = board.split('data-testid="need-column" data-state="approved"')[1].split("</ul>")[0]
    assert column.count('data-testid="need-card"') == 10
    assert "另有 14 条" in column  # 23 + the world's own need in the column, 10 shown
    (more,) = _links(column, "more-link")
    assert urlsplit(more).path == "/broker/list/needs"
    assert _query(more) == {"state": ["approved"], "field": ["ev"], "period": ["365"]}

    first = client.get(more + "&per_page=10").get_data(as_text=True)
    second_url = more + "&per_page=10&page=2"
    second = client.get(second_url).get_data(as_text=True)
    third = client.get(more + "&per_page=10&page=3").get_data(as_text=True)
    shown = [int(i) for p in (first, second, third) for i in NEED_IDS.findall(p)]
    # page 2 continues page 1, newest first as on the board, no ai need, nothing twice or missing
    assert shown == [world.need, *sorted(ev, reverse=True)]
    assert "共 24 条" in first
    # every page link keeps the filters
    pager = [unescape(h) for h in re.findall(r'class="page-link" href="([^"]+)"', second)]
    assert pager and all(
        _query(h).get("field") == ["ev"] and _query(h).get("state") == ["approved"] for h in pager
    )
    # the board's first 10 cards are the list's first page
    board_ids = [int(i) for i in re.findall(r'data-testid="need-card" data-need="(\d+)"', column)]
    assert board_ids == shown[:10]


def test_full_list_filters_and_state(world: World) -> None:
    ev = _needs(world, 4)
    ai = _needs(world, 2, field_code="ai")
    client = world.client("broker_in")
    ai_page = client.get("/broker/list/needs?field=ai").get_data(as_text=True)
    assert sorted(int(i) for i in NEED_IDS.findall(ai_page)) == sorted(ai)
    assert '<option value="ai" selected' in ai_page  # the filter form shows the filter in force
    all_page = client.get("/broker/list/needs").get_data(as_text=True)
    assert set(ev + ai + [world.need]) == {int(i) for i in NEED_IDS.findall(all_page)}
    pending = client.get("/broker/list/needs?state=pending").get_data(as_text=True)
    assert NEED_IDS.findall(pending) == [] and '<option value="pending" selected' in pending
    # odd values are ignored, never an error
    for url in ("/broker/list/needs?state=%00&page=x&per_page=-1", "/broker/list/orders?state=nope&page=99"):
        assert client.get(url).status_code == 200


def test_stale_needs_section_links_to_its_full_list(world: World) -> None:
    stale = _needs(world, 12, days_ago=30)
    client = world.client("broker_in")
    board = client.get("/broker/?days=7&field=ev").get_data(as_text=True)
    section = board.split('data-testid="attention"')[1].split('class="col-lg-4"')[1]
    assert section.count('data-testid="stale-need"') == 10
    assert "(12)" in section and "另有 2 条" in section  # the true count, not the rows shown
    (more,) = _links(section, "more-link")
    assert urlsplit(more).path == "/broker/list/stale-needs"
    assert _query(more) == {"field": ["ev"], "days": ["7"]}
    full = client.get(more).get_data(as_text=True)
    ids = [int(i) for i in NEED_IDS.findall(full)]
    assert ids == sorted(stale)  # oldest first, as on the board
    assert full.count("/orders/dispatch/") == 12
    # with a longer threshold none is stale yet
    later = client.get("/broker/list/stale-needs?days=60&field=ev").get_data(as_text=True)
    assert NEED_IDS.findall(later) == []


def test_waiting_orders_full_list(world: World) -> None:
    from tests.broker import helpers

    orders = [world.order("ordered", need=n) for n in _needs(world, 12)]
    for order_id in orders:
        helpers.backdate_order(world, order_id, 9)
    client = world.client("broker_in")
    board = client.get("/broker/").get_data(as_text=True)
    assert board.count('data-testid="waiting-order"') == 10 and "另有 2 条" in board
    full = client.get("/broker/list/waiting-orders?days=7").get_data(as_text=True)
    assert sorted(int(i) for i in re.findall(r'data-testid="list-order" data-order="(\d+)"', full)) == orders
    assert "提醒服务方" in full
    orders_list = client.get("/broker/list/orders?state=ordered&per_page=5&page=3").get_data(as_text=True)
    assert len(re.findall(r'data-testid="list-order"', orders_list)) == 2


@pytest.mark.parametrize("role", ["owner", "provider", "anonymous"])
def test_lists_refuse_non_brokers(world: World, role: str) -> None:
    response = world.client(role).get("/broker/list/needs")
    assert response.status_code in (302, 403)


def test_lists_stay_in_scope_and_unknown_kind_is_404(world: World) -> None:
    js = _needs(world, 2)
    bj = _needs(world, 2, province="11")
    out = world.client("broker_out")
    page = out.get("/broker/list/needs").get_data(as_text=True)
    assert {int(i) for i in NEED_IDS.findall(page)} == set(bj)
    assert not set(js) & {
        int(i) for i in NEED_IDS.findall(out.get("/broker/list/stale-needs").get_data(as_text=True))
    }
    assert out.get("/broker/list/nothing").status_code == 404


def test_provider_kind_filter_pages_on_order_lists(world: World) -> None:
    """`kind` (the provider-kind filter) and the list's own name never collide in page links."""
    orders = [world.order("ordered", need=n) for n in _needs(world, 3)]
    client = world.client("broker_in")
    with world.app.app_context():
        from market.providers.models import Provider

        kind = db.session.get(Provider, world.provider_id).kind
    page = client.get(f"/broker/list/orders?kind={kind}&per_page=2").get_data(as_text=True)
    assert len(re.findall(r'data-testid="list-order"', page)) == 2
    pager = [unescape(h) for h in re.findall(r'class="page-link" href="([^"]+)"', page)]
    assert pager and all(
        urlsplit(h).path == "/broker/list/orders" and _query(h)["kind"] == [kind] for h in pager
    )
    second = client.get(f"/broker/list/orders?kind={kind}&per_page=2&page=2").get_data(as_text=True)
    shown = re.findall(r'data-testid="list-order" data-order="(\d+)"', page + second)
    assert sorted(int(i) for i in shown) == orders
    other = "society" if kind != "society" else "expert"
    assert 'data-testid="list-order"' not in client.get(f"/broker/list/orders?kind={other}").get_data(
        as_text=True
    )
