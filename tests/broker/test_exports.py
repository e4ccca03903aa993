"""Excel downloads write numbers, money, shares and dates as typed cells, so Excel can add them up."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from market.spreadsheets import Percent, to_csv, to_xlsx
from tests.broker import helpers
from tests.orders.world import World


def _sheet(body: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(body))
    return [[cell for cell in row] for row in book.active.iter_rows()]  # type: ignore[union-attr]


def test_to_xlsx_types_each_cell_by_its_python_type() -> None:
    when = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    body = to_xlsx(
        ["a", "b", "c", "d", "e", "f", "g"],
        [["=SUM(A1)", 3, 2.5, Decimal("83.86"), Percent(0.125), date(2024, 5, 1), when], ["1", None]],
        "t",
    )
    rows = _sheet(body)
    text, count, ratio, money, share, day, moment = rows[1]
    assert (text.value, text.data_type) == ("=SUM(A1)", "s")  # user text is never a formula
    assert (count.value, count.data_type) == (3, "n")
    assert (ratio.value, ratio.data_type) == (2.5, "n")
    assert money.data_type == "n" and money.value == 83.86 and money.number_format == "#,##0.00"
    assert share.data_type == "n" and share.value == 0.125 and share.number_format == "0.0%"
    assert day.is_date and day.value == datetime(2024, 5, 1)
    assert moment.is_date and moment.value == datetime(2024, 5, 1, 8, 30)
    assert (rows[2][0].value, rows[2][0].data_type) == ("1", "s")  # text that looks like a number stays text
    csv_text = to_csv(["a", "b", "c"], [[Decimal("1.50"), Percent(0.5), "-x"]]).decode("utf-8-sig")
    assert csv_text.splitlines() == [
        "a,b,c",
        "1.50,50.0%,'-x",
    ]


def test_report_money_column_sums_in_excel(world: World) -> None:
    for value, day in (("12.34", date(2024, 5, 1)), ("0.66", date(2024, 6, 2)), ("7", date(2024, 6, 3))):
        helpers.order(world, helpers.need(world), "signed", deal=helpers.deal(value, signed_on=day))
    client = world.client("broker_in")
    for key in ("month", "field", "region", "contract", "provider"):
        rows = _sheet(client.get(f"/broker/reports/{key}.xlsx").data)
        body, total = rows[1:-1], rows[-1]
        assert all(r[1].data_type == "n" and isinstance(r[1].value, int) for r in rows[1:]), key
        assert all(r[2].data_type == "n" and isinstance(r[2].value, int | float) for r in rows[1:]), key
        assert round(sum(r[2].value for r in body), 2) == total[2].value == 20.0  # type: ignore[misc]
    # Excel's own SUM over the downloaded column: a formula cell referencing typed numbers evaluates.
    book = load_workbook(io.BytesIO(client.get("/broker/reports/month.xlsx").data))
    sheet = book.active
    assert [sheet.cell(r, 3).data_type for r in range(2, sheet.max_row + 1)] == ["n"] * (sheet.max_row - 1)


def test_funnel_and_outcome_downloads_are_numbers(world: World) -> None:
    helpers.order(world, helpers.need(world), "signed", deal=helpers.deal("1"))
    helpers.need(world)
    client = world.client("broker_in")
    funnel = _sheet(client.get("/broker/reports/funnel.xlsx").data)
    counts = [row[1] for row in funnel[1:]]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in counts)
    rates = [row[2] for row in funnel[2:] if row[2].value is not None]
    assert rates and all(c.data_type == "n" and c.number_format == "0.0%" for c in rates)
    outcomes = _sheet(client.get("/broker/reports/outcomes.xlsx").data)
    assert outcomes[1][1].data_type == "n" and outcomes[1][1].value == 2
    page = client.get("/broker/reports").get_data(as_text=True)
    assert "50.0%" in page  # the page still shows shares as percentages


def test_import_layout_export_types_budgets_years_and_deadlines(world: World) -> None:
    """The imports' export (edited and imported again) writes budgets as numbers and deadlines as dates."""
    from sqlalchemy import update

    from market.db import db
    from market.needs.models import Need

    need_id = helpers.need(world)
    world.run(
        lambda: db.session.execute(
            update(Need)
            .where(Need.id == need_id)
            .values(budget_min=50, budget_max=80, deadline=date(2027, 3, 31))
        )
    )
    client = world.client("broker_in")
    rows = _sheet(client.get("/imports/export/needs.xlsx").data)
    header = [c.value for c in rows[0]]
    low, high, deadline = (header.index(h) for h in ("预算下限（万元）", "预算上限（万元）", "截止日期"))
    row = next(r for r in rows[1:] if r[low].value == 50)
    assert (row[low].data_type, row[high].value, row[high].data_type) == ("n", 80, "n")
    assert row[deadline].is_date and row[deadline].value == datetime(2027, 3, 31)
    assert isinstance(row[1].value, str) and row[1].data_type == "s"
    assert len(header) == len(row)
    csv_text = client.get("/imports/export/needs.csv").data.decode("utf-8-sig")
    assert ",50,80,2027-03-31," in csv_text  # the CSV reads as before
