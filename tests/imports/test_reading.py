"""Reading files: encodings, .xlsx, hint rows, and refusing what is not CSV or .xlsx by content."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from market.imports.reading import MAX_ROWS, FileRejected, read_table
from tests.imports.helpers import csv_bytes, header, need_row, xlsx_bytes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_common_chinese_encodings(encoding: str) -> None:
    table = read_table(csv_bytes("needs", [need_row()], encoding), "needs", "needs.csv")
    expected = "csv/utf-8" if encoding.startswith("utf") else "csv/gbk"
    assert table.file_format == expected
    line, row = table.rows[0]
    assert line == 2
    assert row["title"] == "高精度数控机床热变形补偿"
    assert row["province"] == "江苏省"


def test_xlsx_cells_become_text() -> None:
    data = xlsx_bytes("needs", [need_row(**{"截止日期": datetime(2031, 5, 1), "预算下限（万元）": 30.0})])
    table = read_table(data, "needs", "needs.xlsx")
    assert table.file_format == "xlsx"
    row = table.rows[0][1]
    assert row["deadline"] == "2031-05-01"
    assert row["budget_min"] == "30"


def test_hint_and_blank_rows_are_skipped_but_row_numbers_stay_true() -> None:
    lines = csv_bytes("needs", [need_row()]).decode().splitlines()
    text = "\n".join([lines[0], "# 说明行", "", lines[1]]) + "\n"
    table = read_table(text.encode(), "needs", "x.csv")
    assert [line for line, _row in table.rows] == [4]


def test_headers_accept_codes_and_unknown_columns_are_reported() -> None:
    text = (
        "organisation,title,description,field,province,cooperation_mode,备注\n"
        "企业,标题标题,描述,ev,32,develop,x\n"
    )
    table = read_table(text.encode(), "needs", "x.csv")
    assert table.rows[0][1]["field_code"] == "ev"
    assert table.ignored_headers == ["备注"]


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(FileRejected, match=r"缺少必需的列：.*技术领域"):
        read_table("企业名称,需求标题,需求描述,省份,合作方式\n".encode(), "needs", "x.csv")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "x.csv", "不是 CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "x.xls", "只支持"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "x.xlsx", "旧版 Excel"),
        ("企业名称".encode("utf-16"), "x.csv", "不是 CSV"),
        (b"name,title\n", "x.exe", "只支持"),
        (b"just text", "x.xlsx", "不是有效的 .xlsx"),
    ],
)
def test_wrong_types_are_refused_by_content(data: bytes, name: str, message: str) -> None:
    with pytest.raises(FileRejected, match=message):
        read_table(data, "needs", name)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileRejected, match="不是 Excel 工作簿"):
        read_table(buffer.getvalue(), "needs", "x.xlsx")


def test_a_zip_bomb_is_refused_before_inflating() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr(
            "xl/sharedStrings.xml", b"\x00" * (50 * 1024 * 1024)
        )  # 50 MB of zeros, ~50 KB zipped
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(FileRejected, match="压缩比异常"):
        read_table(buffer.getvalue(), "needs", "bomb.xlsx")


def test_row_limit() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header("needs"))
    for _ in range(MAX_ROWS + 1):
        sheet.append(["企业"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRejected, match="超过"):
        read_table(buffer.getvalue(), "needs", "big.xlsx")


def test_exported_formula_guard_is_undone() -> None:
    table = read_table(csv_bytes("needs", [need_row(**{"公开摘要": "'=1+1"})]), "needs", "x.csv")
    assert table.rows[0][1]["public_summary"] == "=1+1"
