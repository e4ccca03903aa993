"""Deal reports grouped by sub-field, next to the grouping by field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import update

from market.auth.models import User
from market.broker import reports, tables
from market.broker.filters import Filters
from market.db import db
from market.needs.models import Need
from tests.broker import helpers
from tests.orders.world import World, build_world


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)


def _with_subfield(world: World, need_id: int, code: str | None) -> int:
    world.run(lambda: db.session.execute(update(Need).where(Need.id == need_id).values(subfield_code=code)))
    return need_id


def test_deals_by_sub_field(world: World) -> None:
    battery = [_with_subfield(world, helpers.need(world), "ev-battery") for _ in range(2)]
    plain = helpers.need(world)
    vision = _with_subfield(world, helpers.need(world, field_code="ai"), "ai-vision")
    for need_id, value in ((battery[0], "10"), (battery[1], "5.5"), (plain, "3"), (vision, "20")):
        helpers.order(world, need_id, "signed", deal=helpers.deal(value, "develop", date(2024, 2, 1)))
    with world.app.app_context():
        admin = db.session.get(User, world.admin)
        rows = {(r.key, r.label): (r.count, r.value) for r in reports.by_subfield(admin, Filters())}
        assert rows == {
            ("ai-vision", "人工智能与大数据 / 机器视觉"): (1, Decimal("20.00")),
            ("ev-battery", "新能源汽车与动力电池 / 动力电池"): (2, Decimal("15.50")),
            ("ev", "新能源汽车与动力电池 / 未细分"): (1, Decimal("3.00")),
        }
        table = tables.build(admin, Filters(), "subfield")
        assert table.rows[-1][1:] == [4, Decimal("38.50")]  # the total row
    page = world.client("broker_in").get("/broker/reports").get_data(as_text=True)
    assert 'data-testid="report-subfield"' in page and "新能源汽车与动力电池 / 动力电池" in page
