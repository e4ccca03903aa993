"""Exports in exactly the import layout (so an export can be edited and imported again), and templates."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from market import scope, taxonomy
from market.auth.models import User
from market.db import db
from market.imports.columns import COLUMNS, RECORD_LABELS
from market.needs.models import Need
from market.providers.models import Provider
from market.reference import services as reference
from market.spreadsheets import Cell
from market.spreadsheets import to_csv as to_csv  # re-exported: market.imports.views writes through here
from market.spreadsheets import to_xlsx as to_xlsx

Row = list[str]
DataRow = list[Cell]  # budgets and years are numbers, deadlines dates: typed cells in Excel


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _scoped(query: Select, model: type[Need] | type[Provider], actor: User) -> Select:  # type: ignore[type-arg]
    return scope.within(query, model.province, actor)


def _number(value: int | None) -> int | str:
    return "" if value is None else value


def need_rows(actor: User) -> Iterator[DataRow]:
    query = _scoped(select(Need).options(selectinload(Need.organisation)).order_by(Need.id), Need, actor)
    for need in db.session.scalars(query):
        yield [
            need.organisation.name,
            need.title,
            need.description,
            reference.field_name(need.field_code),
            reference.subfield_name(need.subfield_code),
            reference.region_name(need.province),
            reference.region_name(need.city),
            _number(need.budget_min),
            _number(need.budget_max),
            need.deadline if need.deadline else "",
            taxonomy.label(taxonomy.COOPERATION_MODES, need.cooperation_mode),
            need.public_summary,
            need.confidential_details,
            _yes(need.is_open_call),
        ]


def provider_rows(actor: User) -> Iterator[DataRow]:
    query = _scoped(
        select(Provider)
        .options(
            selectinload(Provider.fields),
            selectinload(Provider.subfields),
            selectinload(Provider.achievements),
            selectinload(Provider.services),
        )
        .order_by(Provider.id),
        Provider,
        actor,
    )
    blank = [""] * 11  # the provider columns, 记录类型 to 当前可接单
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
            "；".join(s.name_zh for s in provider.subfields),
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
                _number(a.year),
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


def hint_row(kind: str) -> DataRow:
    return ["# " + c.hint if i == 0 else c.hint for i, c in enumerate(COLUMNS[kind])]
