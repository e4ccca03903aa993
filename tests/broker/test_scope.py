"""A broker sees only the rows of their regions: board, attention list, reports and exports."""

from __future__ import annotations

import csv
import io

import pytest

from tests.broker import helpers
from tests.orders.world import World


@pytest.fixture
def two_regions(world: World) -> dict[str, int]:
    js = helpers.need(world, province="32")
    bj = helpers.need(world, province="11", field_code="ai")
    ids = {
        "js_need": js,
        "bj_need": bj,
        "js_order": helpers.order(world, js, "signed", deal=helpers.deal("100")),
        "bj_order": helpers.order(world, bj, "signed", deal=helpers.deal("7")),
        "js_stale": helpers.need(world, province="32"),
        "bj_stale": helpers.need(world, province="11"),
    }
    return ids


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_board_shows_own_region_only(world: World, two_regions: dict[str, int]) -> None:
    page = world.client("broker_out").get("/broker/").get_data(as_text=True)
    assert f'data-order="{two_regions["bj_order"]}"' in page
    assert f'data-order="{two_regions["js_order"]}"' not in page
    assert f'data-need="{two_regions["bj_stale"]}"' in page
    assert f'data-need="{two_regions["js_stale"]}"' not in page
    assert 'data-state="signed" data-count="1"' in page


def test_admin_sees_every_region(world: World, two_regions: dict[str, int]) -> None:
    page = world.client("admin").get("/broker/").get_data(as_text=True)
    assert 'data-state="signed" data-count="2"' in page
    assert (
        f'data-need="{two_regions["js_stale"]}"' in page and f'data-need="{two_regions["bj_stale"]}"' in page
    )


def test_region_filter_outside_scope_shows_nothing(world: World, two_regions: dict[str, int]) -> None:
    page = world.client("broker_in").get("/broker/?region=11").get_data(as_text=True)
    assert f'data-order="{two_regions["bj_order"]}"' not in page
    assert 'data-state="signed" data-count="0"' in page


def test_reports_and_exports_in_scope(world: World, two_regions: dict[str, int]) -> None:
    client = world.client("broker_in")
    rows = _csv(client.get("/broker/reports/region.csv").data)
    assert rows[1:] == [["江苏省", "1", "100.00"], ["合计", "1", "100.00"]]
    funnel = _csv(client.get("/broker/reports/funnel.csv").data)
    assert funnel[1][:2] == ["发布", "2"]  # two Jiangsu needs posted, none from Beijing
    page = client.get("/broker/reports").get_data(as_text=True)
    assert "北京" not in page.split('data-testid="report-region"')[1].split("</section>")[0]
    other = _csv(world.client("broker_out").get("/broker/reports/provider.csv").data)
    assert other[-1] == ["合计", "1", "7.00"]
