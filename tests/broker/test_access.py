"""Permissions, odd filter values and the downloads' round trip."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from market.broker.filters import Filters, parse
from tests.broker import helpers
from tests.orders.world import World

PAGES = ("/broker/", "/broker/reports", "/broker/reports/month.csv", "/broker/reports/funnel.xlsx")


@pytest.mark.parametrize("role", ["owner", "provider"])
def test_non_brokers_are_refused(world: World, role: str) -> None:
    client = world.client(role)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    order_id = world.order("ordered")
    assert client.post(f"/broker/orders/{order_id}/remind").status_code == 403
    assert client.post(f"/broker/orders/{order_id}/note", data={"body": "x"}).status_code == 403


def test_visitors_are_sent_to_login(world: World) -> None:
    for url in PAGES:
        response = world.client("anonymous").get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "?field=nope&region=99&period=abc&kind=robot&days=-3",
        "?days=999999999999999999999&period=30&region=%00",
        "?field=" + "x" * 5000,
        "?days=0&kind=",
    ],
)
def test_odd_filters_never_fail(world: World, query: str) -> None:
    client = world.client("broker_in")
    for url in ("/broker/", "/broker/reports", "/broker/reports/field.csv"):
        assert client.get(url + query).status_code == 200, url + query


def test_unknown_download_is_404(world: World) -> None:
    client = world.client("broker_in")
    assert client.get("/broker/reports/nope.csv").status_code == 404
    assert client.get("/broker/reports/month.pdf").status_code == 404


def test_parse_keeps_only_known_values(app: object) -> None:
    with app.app_context():  # type: ignore[attr-defined]
        assert parse(
            {"field": "ev", "region": "32", "period": "90", "kind": "expert", "days": "3"}
        ) == Filters("ev", "32", "90", "expert", 3)
        assert parse({"field": "zz", "days": "x"}, default_days=9) == Filters(days=9)


def test_csv_and_xlsx_parse_back_to_the_same_numbers(world: World) -> None:
    helpers.order(
        world, helpers.need(world), "signed", deal=helpers.deal("12.34", "develop", date(2024, 5, 1))
    )
    helpers.order(
        world, helpers.need(world), "signed", deal=helpers.deal("0.66", "consult", date(2024, 6, 2))
    )
    client = world.client("broker_in")
    text = client.get("/broker/reports/contract.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["合同类型", "成交数", "成交额（万元）"],
        ["技术开发", "1", "12.34"],
        ["技术咨询", "1", "0.66"],
        ["合计", "2", "13.00"],
    ]
    book = load_workbook(io.BytesIO(client.get("/broker/reports/month.xlsx").data))
    sheet = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    assert sheet[1:] == [["2024-05", 1, 12.34], ["2024-06", 1, 0.66], ["合计", 2, 13]]  # typed numbers
    page = client.get("/broker/reports").get_data(as_text=True)
    assert 'id="broker-chart-data"' in page and '"2024-05"' in page
