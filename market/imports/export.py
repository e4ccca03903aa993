"""Exports in exactly the import layout (so an export can be edited and imported again), and templates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from market import permissions, taxonomy
from market.auth.models import User
from market.db import db
from market.imports.columns import COLUMNS, RECORD_LABELS
from market.needs.models import Need
from market.providers.models import Provider
from market.reference import services as reference
from market.text import printable

Row = list[str]


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _scoped(query: Select, model: type[Need] | type[Provider], actor: User) -> Select:  # type: ignore[type-arg]
    if permissions.is_admin(actor):
        return query
    return query.where(model.province.in_(sorted(actor.region_codes)))


def need_rows(actor: User) -> Iterator[Row]:
    query = _scoped(select(Need).options(selectinload(Need.organisation)).order_by(Need.id), Need, actor)
    for need in db.session.scalars(query):
        yield [
            need.organisation.name,
            need.title,
            need.description,
            reference.field_name(need.field_code),
            reference.region_name(need.province),
            reference.region_name(need.city),
            _text(need.budget_min),
            _text(need.budget_max),
            need.deadline.isoformat() if need.deadline else "",
            taxonomy.label(taxonomy.COOPERATION_MODES, need.cooperation_mode),
            need.public_summary,
            need.confidential_details,
            _yes(need.is_open_call),
        ]


def provider_rows(actor: User) -> Iterator[Row]:
    query = _scoped(
        select(Provider)
        .options(
            selectinload(Provider.fields),
            selectinload(Provider.achievements),
            selectinload(Provider.services),
        )
        .order_by(Provider.id),
        Provider,
        actor,
    )
    blank = [""] * 10
    for provider in db.session.scalars(query):
        yield [
            RECORD_LABELS["provider"],
            taxonomy.label(taxonomy.PROVIDER_KINDS, provider.kind),
            provider.name,
            provider.title,
            provider.affiliation,
            reference.region_name(provider.province),
            reference.region_name(provider.city),
            "；".join(f.name_zh for f in provider.fields),
            provider.expertise,
            _yes(provider.available),
            *[""] * 10,
        ]
        for a in provider.achievements:
            yield [
                RECORD_LABELS["achievement"],
                *blank[1:],
                taxonomy.label(taxonomy.ACHIEVEMENT_KINDS, a.kind),
                a.title,
                a.description,
                _text(a.year),
                *[""] * 6,
            ]
        for s in provider.services:
            yield [
                RECORD_LABELS["service"],
                *blank[1:],
                *[""] * 4,
                taxonomy.label(taxonomy.SERVICE_CATEGORIES, s.category),
                s.title,
                s.description,
                taxonomy.label(taxonomy.DELIVERY_MODES, s.delivery_mode),
                s.price_note,
                _yes(s.active),
            ]


ROWS = {"needs": need_rows, "providers": provider_rows}


def headers(kind: str) -> Row:
    return [c.header for c in COLUMNS[kind]]


def hint_row(kind: str) -> Row:
    return ["# " + c.hint if i == 0 else c.hint for i, c in enumerate(COLUMNS[kind])]


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


FORMULA_STARTS = ("=", "+", "-", "@")


def guard_formula(value: str) -> str:
    """For Excel: a leading = + - @ would be evaluated, so it is quoted (import strips the quote)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
