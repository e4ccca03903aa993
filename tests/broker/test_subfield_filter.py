"""The board, lists and reports filter by sub-field (细分领域) as well as field, and keep it across
pages (issue 18, two-level fields)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import update

from market.auth.models import User
from market.broker import funnel, reports
from market.broker.filters import Filters, parse
from market.db import db
from market.needs.models import Need
from tests.broker import helpers
from tests.orders.world import World

NEED_IDS = re.compile(r'data-testid="list-need" data-need="(\d+)"')


def _need(world: World, subfield: str | None, field_code: str = "ev") -> int:
    need_id = helpers.need(world, field_code=field_code)
    world.run(
        lambda: db.session.execute(update(Need).where(Need.id == need_id).values(subfield_code=subfield))
    )
    return need_id


def test_parse_keeps_a_sub_field_of_the_field_and_sets_the_field_from_it(world: World) -> None:
    with world.app.app_context():
        assert parse({"subfield": "ev-battery"}) == Filters(field="ev", subfield="ev-battery")
        assert parse({"field": "ev", "subfield": "ev-motor"}).subfield == "ev-motor"
        # another field's sub-field, an unknown code or junk: ignored, the field stays
        assert parse({"field": "ai", "subfield": "ev-battery"}) == Filters(field="ai")
        assert parse({"subfield": "ev-nothing\x00"}) == Filters()
        assert Filters(field="ev", subfield="ev-battery").as_args() == {
            "field": "ev",
            "subfield": "ev-battery",
        }


def test_reports_and_funnel_narrow_to_the_sub_field(world: World) -> None:
    battery, motor, plain = _need(world, "ev-battery"), _need(world, "ev-motor"), _need(world, None)
    for need_id, value in ((battery, "10"), (motor, "20"), (plain, "40")):
        helpers.order(world, need_id, "signed", deal=helpers.deal(value, signed_on=date(2024, 2, 1)))
    with world.app.app_context():
        admin = db.session.get(User, world.admin)
        only = Filters(field="ev", subfield="ev-battery")
        assert [(r.count, r.value) for r in reports.by_month(admin, only)] == [(1, Decimal("10.00"))]
        assert [(r.count, r.value) for r in reports.by_month(admin, Filters(field="ev"))] == [
            (3, Decimal("70.00"))
        ]
        posted = funnel.build(admin, only)[0].count
        assert posted == 1


def test_board_list_and_pages_keep_the_sub_field(world: World) -> None:
    battery = [_need(world, "ev-battery") for _ in range(3)]
    _need(world, "ev-motor")
    client = world.client("broker_in")
    board = client.get("/broker/?subfield=ev-battery").get_data(as_text=True)
    assert '<option value="ev-battery" selected' in board  # the filter in force is shown
    all_link = unescape(
        re.search(r'<a class="small fw-normal ms-2" href="([^"]+)" data-testid="all-needs"', board)[1]
    )
    assert parse_qs(urlsplit(all_link).query) == {"field": ["ev"], "subfield": ["ev-battery"]}
    first = client.get(all_link + "&per_page=2").get_data(as_text=True)
    pager = [unescape(h) for h in re.findall(r'class="page-link" href="([^"]+)"', first)]
    assert pager and all(parse_qs(urlsplit(h).query).get("subfield") == ["ev-battery"] for h in pager)
    second = client.get(all_link + "&per_page=2&page=2").get_data(as_text=True)
    shown = [int(i) for p in (first, second) for i in NEED_IDS.findall(p)]
    assert sorted(shown) == sorted(battery)
    # the reports page offers the field's sub-fields and keeps the filter on its download links
    page = client.get("/broker/reports?field=ev&subfield=ev-battery").get_data(as_text=True)
    assert '<option value="ev-battery" selected' in page and "subfield=ev-battery" in page
