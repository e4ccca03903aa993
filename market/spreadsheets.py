"""CSV and XLSX files for download: imports' exports and templates, the broker's reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from market.text import printable

Row = list[str]
# A cell as the caller has it: text stays text; numbers, money (Decimal), dates and times are written
# to Excel as typed cells, so SUM and sorting work on them; a Percent is a share (0–1) shown as 12.5%.
Cell = str | int | float | Decimal | date | datetime | None

FORMULA_STARTS = ("=", "+", "-", "@")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"


class Percent(float):
    """A share from 0 to 1: written to Excel as a number formatted as a percentage."""

    def __str__(self) -> str:
        return f"{self * 100:.1f}%"

    def __html__(self) -> str:  # Jinja shows it as the page always did: 12.5%
        return str(self)


def as_text(value: Cell) -> str:
    """How a cell reads in a CSV file or on the page."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(header: Row, rows: Iterable[list[Cell]] | Iterator[Row]) -> bytes:
    """UTF-8 with a BOM, so Excel on Chinese Windows opens it without garbling.

    Every spreadsheet this site writes goes through here or `to_xlsx`; both drop control characters
    that text stored before they were refused may still hold (see market.text).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([printable(h) for h in header])
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Cell) -> str:
    text = as_text(value)
    return guard_formula(printable(text)) if isinstance(value, str) else text


def to_xlsx(header: Row, rows: Iterable[list[Cell]] | Iterator[Row], title: str) -> bytes:
    """Text cells are always text (user text starting with = is never a formula); int, float and
    Decimal cells are numbers (Decimal with two decimals: money), date and datetime cells are dates."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([printable(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: object, value: Cell) -> object:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return WriteOnlyCell(sheet, value=None)  # type: ignore[arg-type]
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | date):
        cell = WriteOnlyCell(sheet, value=printable(str(value)))  # type: ignore[arg-type]  # openpyxl raises on control characters
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_naive(value))  # type: ignore[arg-type]
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Percent):
        cell = WriteOnlyCell(sheet, value=float(value))  # type: ignore[arg-type]
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.number_format = MONEY_FORMAT
    else:
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    return cell


def _naive(moment: datetime) -> datetime:
    """Excel has no time zones: aware times are written in UTC."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def guard_formula(value: str) -> str:
    """For Excel: a leading = + - @ would be evaluated, so it is quoted (import strips the quote)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
