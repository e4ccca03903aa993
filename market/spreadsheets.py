"""CSV and XLSX files for download: imports' exports and templates, the broker's reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from market.text import printable

Row = list[str]

FORMULA_STARTS = ("=", "+", "-", "@")


def to_csv(header: Row, rows: Iterator[Row] | list[Row]) -> bytes:
    """UTF-8 with a BOM, so Excel on Chinese Windows opens it without garbling.

    Every spreadsheet this site writes goes through here or `to_xlsx`; both drop control characters
    that text stored before they were refused may still hold (see market.text).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([printable(h) for h in header])
    writer.writerows([guard_formula(printable(v)) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Row, rows: Iterator[Row] | list[Row], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([printable(h) for h in header])
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=printable(value))  # openpyxl raises on control characters
            cell.data_type = "s"  # always text: user text starting with = is never a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def guard_formula(value: str) -> str:
    """For Excel: a leading = + - @ would be evaluated, so it is quoted (import strips the quote)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
