"""Reading uploaded files: CSV (UTF-8 with or without BOM, or GBK/GB18030 from Excel) and .xlsx.

The type is decided by content, never by the name alone. Spreadsheets are opened read-only
(streamed) after checking the zip's declared sizes, so a zip bomb is refused before it is inflated.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from market.i18n import gettext as _
from market.imports.columns import Column, header_map, normalise_header
from market.spreadsheets import FORMULA_STARTS

MAX_ROWS = 20_000  # data rows per file
MAX_UNZIPPED = 100 * 1024 * 1024  # total declared size of an .xlsx's parts
MAX_RATIO = 200  # declared size / compressed size of any one part
MAX_COLUMNS = 60
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".txt")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc


class FileRejected(ValueError):
    """The file as a whole cannot be read: wrong type, encoding, layout or size."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    file_format: str
    columns: list[Column]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line in the file, key -> text)
    ignored_headers: list[str] = field(default_factory=list)


def read_table(data: bytes, kind: str, filename: str = "") -> Table:
    if not data.strip():
        raise FileRejected(_("文件是空的。"))
    if filename and not filename.lower().endswith(ALLOWED_SUFFIXES):
        raise FileRejected(_("只支持 CSV 或 .xlsx 文件。"))
    if data.startswith(b"PK\x03\x04"):
        fmt, cells = "xlsx", _xlsx_rows(data)
    elif data.startswith(_OLE2):
        raise FileRejected(_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再上传。"))
    else:
        if filename.lower().endswith((".xlsx", ".xls")):
            raise FileRejected(_("文件扩展名是 Excel，但内容不是有效的 .xlsx 文件。"))
        encoding, text = decode_text(data)
        fmt, cells = f"csv/{encoding}", _csv_rows(text)
    return _tabulate(fmt, cells, kind)


def decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise FileRejected(_("不是 CSV 文本文件（可能是二进制文件或 UTF-16 编码），请上传 CSV 或 .xlsx。"))
    try:
        encoding, text = "utf-8", data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            encoding, text = "gbk", data.decode("gb18030")
        except UnicodeDecodeError as error:
            raise FileRejected(_("无法识别文件编码：请使用 UTF-8 或 GBK 编码的 CSV。")) from error
    sample = text[:4096]
    if sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n") > len(sample) // 100:
        raise FileRejected(_("不是 CSV 文本文件（可能是二进制文件或 UTF-16 编码），请上传 CSV 或 .xlsx。"))
    return encoding, text


def _csv_rows(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise FileRejected(_("CSV 格式有误：{error}", error=str(error))) from error


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise FileRejected(_("不是有效的 .xlsx 文件。")) from error
    names = {info.filename for info in archive.infolist()}
    if "xl/workbook.xml" not in names:
        raise FileRejected(_("压缩包不是 Excel 工作簿：请上传 CSV 或 .xlsx。"))
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            raise FileRejected(_("Excel 文件的压缩比异常，已拒绝。"))
    if total > MAX_UNZIPPED:
        raise FileRejected(_("Excel 文件解压后过大，已拒绝。"))


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise FileRejected(_("无法读取 Excel 文件：{error}", error=type(error).__name__)) from error
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [cell_text(value) for value in values]
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tabulate(fmt: str, cells: Iterable[list[str]], kind: str) -> Table:
    iterator = iter(enumerate(cells, start=1))
    header_line, header = _first_nonblank(iterator)
    columns, positions, ignored = _map_header(header, kind)
    table = Table(file_format=fmt, columns=columns, ignored_headers=ignored)
    for line, values in iterator:
        if _skip(values):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise FileRejected(_("文件超过 {n} 行数据，请拆分后再上传。", n=MAX_ROWS))
        row = {
            column.key: unguard(values[index].strip()) if index < len(values) else ""
            for column, index in zip(columns, positions, strict=True)
        }
        table.rows.append((line, row))
    if not table.rows:
        raise FileRejected(_("文件中没有数据行（第 {line} 行是表头）。", line=header_line))
    return table


def unguard(value: str) -> str:
    """Undo the quote exports put before text starting with = + - @ (market.spreadsheets.guard_formula)."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_STARTS else value


def _first_nonblank(iterator: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    for line, values in iterator:
        if any(v.strip() for v in values):
            return line, values
    raise FileRejected(_("文件是空的。"))


def _skip(values: list[str]) -> bool:
    """Blank lines and comment lines (first cell starting with #, like the template's hint row)."""
    if not any(v.strip() for v in values):
        return True
    return values[0].lstrip().startswith("#")


def _map_header(header: list[str], kind: str) -> tuple[list[Column], list[int], list[str]]:
    known = header_map(kind)
    columns: list[Column] = []
    positions: list[int] = []
    ignored: list[str] = []
    for index, text in enumerate(header):
        column = known.get(normalise_header(text.lstrip("\ufeff")))
        if column is None or column in columns:
            if text.strip():
                ignored.append(text.strip())
            continue
        columns.append(column)
        positions.append(index)
    missing = [c.header for c in known.values() if c.required and c not in columns]
    if missing:
        names = "、".join(dict.fromkeys(missing))
        raise FileRejected(_("缺少必需的列：{names}。请使用页面上的模板。", names=names))
    return columns, positions, ignored
