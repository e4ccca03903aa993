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


# ---- every surface that lists rows by region uses the one scope (market/broker/scope.py) -------------

JS_TITLE, BJ_TITLE = "江苏待审：焊缝缺陷在线检测", "北京待审：地铁隧道沉降监测"


@pytest.fixture
def surfaces(world: World, two_regions: dict[str, int]) -> dict[str, int]:
    """Two regions' rows of every kind: pending needs, needs and orders, enterprises an import may join."""
    from market.auth.models import Organisation, OrgKind
    from market.db import db

    world.make.need(world.owner, status="pending", province="32", title=JS_TITLE)
    world.make.need(world.owner, status="pending", province="11", title=BJ_TITLE)
    helpers.need(world, province="11")  # three approved needs in Beijing, two in Jiangsu (the funnel)

    def enterprises() -> None:
        for name, province in (("江苏同名企业", "32"), ("北京同名企业", "11")):
            db.session.add(Organisation(name=name, kind=OrgKind.ENTERPRISE.value, province=province))

    world.run(enterprises)
    return two_regions


def _page(world: World, role: str, url: str) -> str:
    response = world.client(role).get(url)
    assert response.status_code == 200, url
    return str(response.get_data(as_text=True))


def _review_queue(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    page = _page(world, role, "/review/")
    return JS_TITLE in page, BJ_TITLE in page


def _board(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    page = _page(world, role, "/broker/")
    return f'data-order="{ids["js_order"]}"' in page, f'data-order="{ids["bj_order"]}"' in page


def _attention(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    page = _page(world, role, "/broker/")
    return f'data-need="{ids["js_stale"]}"' in page, f'data-need="{ids["bj_stale"]}"' in page


def _reports(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    regions = [row[0] for row in _csv(world.client(role).get("/broker/reports/region.csv").data)[1:]]
    return "江苏省" in regions, "北京市" in regions


def _funnel(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    # Two approved needs in Jiangsu, three in Beijing: the first step counts those in scope.
    posted = _csv(world.client(role).get("/broker/reports/funnel.csv").data)[1][1]
    return posted in ("2", "5"), posted in ("3", "5")


def _export(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    body = world.client(role).get("/imports/export/needs.csv").data.decode("utf-8-sig")
    return JS_TITLE in body, BJ_TITLE in body


def _import_matching(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    from market.auth.models import User
    from market.db import db
    from market.imports.writing import matching_enterprises

    with world.app.app_context():
        found = matching_enterprises(
            db.session.get_one(User, world.user_id(role)), ["江苏同名企业", "北京同名企业"]
        )
        return "江苏同名企业" in found, "北京同名企业" in found


def _dispatch_list(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    page = _page(world, role, "/orders/")
    return f'data-order="{ids["js_order"]}"' in page, f'data-order="{ids["bj_order"]}"' in page


def _dispatch(world: World, ids: dict[str, int], role: str) -> tuple[bool, bool]:
    client = world.client(role)
    status = {key: client.get(f"/orders/dispatch/{ids[key]}").status_code for key in ("js_need", "bj_need")}
    assert set(status.values()) <= {200, 403}, status
    return status["js_need"] == 200, status["bj_need"] == 200


SURFACES = {
    "review queue": _review_queue,
    "board": _board,
    "attention list": _attention,
    "reports": _reports,
    "funnel": _funnel,
    "export": _export,
    "import matching": _import_matching,
    "dispatch list": _dispatch_list,
    "dispatch": _dispatch,
}


@pytest.mark.parametrize("surface", list(SURFACES))
def test_each_surface_hides_another_regions_rows(
    world: World, surfaces: dict[str, int], surface: str
) -> None:
    seen = SURFACES[surface]
    assert seen(world, surfaces, "broker_in") == (True, False)
    assert seen(world, surfaces, "broker_out") == (False, True)
    assert seen(world, surfaces, "admin") == (True, True)
