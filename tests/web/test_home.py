"""The home page gives each role its starting points: search both ways, 发布需求, and the user's own
open items, each counted only over what the user may see (their organisation, their orders, their regions)."""

from __future__ import annotations

import re

from flask import Flask

from tests.factories import APPROVED, Factory
from tests.orders.world import World, build_world


def home(world: World, role: str) -> str:
    return world.client(role).get("/").get_data(as_text=True)


def count(html: str, testid: str) -> int:
    """The number shown in bold by the element marked `testid`."""
    found = re.search(rf'data-testid="{testid}"[^>]*>[^<]*<strong>(\d+)</strong>', html)
    assert found, f"{testid} is not on the page"
    return int(found.group(1))


def order_rows(html: str) -> list[str]:
    return re.findall(r'data-testid="home-order"><a [^>]*href="/orders/(\d+)"', html)


def test_a_visitor_can_search_both_ways_and_is_led_to_post_a_need(app: Flask, make: Factory) -> None:
    html = app.test_client().get("/").get_data(as_text=True)
    assert re.search(r'<form [^>]*action="/needs/"[^>]*data-testid="home-search-needs"', html)
    assert re.search(r'<form [^>]*action="/providers/"[^>]*data-testid="home-search-providers"', html)
    assert 'href="/auth/login?next=/needs/new"' in html  # 发布需求 asks to log in, then opens the form
    assert 'data-testid="home-start"' not in html


def test_an_enterprise_sees_its_own_needs_and_open_orders_only(app: Flask, make: Factory) -> None:
    world = build_world(app, make)
    world.order("declined")  # over: not an open item
    open_order = world.order("accepted")
    make.need(world.owner, status="draft", title="草稿需求")

    mine = home(world, "owner")
    assert 'href="/needs/new"' in mine
    assert count(mine, "need-count-approved") == 1 and count(mine, "need-count-draft") == 1
    assert order_rows(mine) == [str(open_order)]

    theirs = home(world, "other_enterprise")
    assert count(theirs, "need-count-approved") == 0 and count(theirs, "need-count-draft") == 0
    assert order_rows(theirs) == []


def test_a_provider_sees_the_orders_waiting_for_its_answer(app: Flask, make: Factory) -> None:
    world = build_world(app, make)
    waiting = world.order("ordered")
    started = world.order("negotiating", need=make.need(world.owner, status=APPROVED, title="另一个需求"))

    mine = home(world, "provider")
    assert count(mine, "home-waiting") == 1
    assert sorted(order_rows(mine)) == sorted([str(waiting), str(started)])
    assert 'href="/needs/new"' not in mine  # providers do not post needs

    other = home(world, "other_provider")
    assert count(other, "home-waiting") == 0 and order_rows(other) == []


def test_staff_see_the_review_queue_of_their_regions(app: Flask, make: Factory) -> None:
    world = build_world(app, make)
    make.need(world.owner, status="pending", province="32")
    make.need(world.owner, status="pending", province="11")
    make.need(world.owner, status="pending", province="44")
    make.set_provider_status(world.other_provider_id, "pending")  # a profile in 32 waits too

    assert count(home(world, "broker_in"), "home-to-review") == 2
    assert count(home(world, "broker_out"), "home-to-review") == 1
    assert count(home(world, "admin"), "home-to-review") == 4
    assert 'data-testid="home-staff"' not in home(world, "owner")
