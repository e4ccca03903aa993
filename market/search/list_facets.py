"""Facet counts of a list without a query: counted by the database over the listed rows.

`services._browse` lists the database's public postings when no query is given; each facet is
counted over the list as the *other* filters narrow it (the caller passes that list as a subquery of
ids), grouped by the same column the filter compares, so a value's count is exactly the total its
link gives. One query per facet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.sql import Subquery

from market.db import db
from market.needs.models import Need
from market.providers.models import Provider, ServiceItem, provider_fields, provider_subfields

NEEDS, PROVIDERS, SERVICES = "needs", "providers", "services"

# Filter key -> the column it compares, per list (flags are counted by their condition).
_NEED_COLUMNS = {
    "field": Need.field_code,
    "subfield": Need.subfield_code,
    "province": Need.province,
    "mode": Need.cooperation_mode,
}
_PROVIDER_COLUMNS = {"province": Provider.province, "kind": Provider.kind}


def value_counts(
    kind: str, key: str, listed: Subquery, conditions: Mapping[str, ColumnElement[bool]] | None = None
) -> dict[str, int] | None:
    """Rows of `listed` per value of filter `key`; None for a key this module cannot count.

    `conditions` (code -> SQL condition on the list's model) counts a filter that is a condition
    rather than a column (the need's budget range): one count per code, in one query."""
    ids = select(listed.c.id)
    if conditions:
        model = Need if kind == NEEDS else Provider if kind == PROVIDERS else ServiceItem
        codes = list(conditions)
        sums = [func.count().filter(conditions[code]) for code in codes]
        row = db.session.execute(select(*sums).select_from(model).where(model.id.in_(ids))).one()
        return {code: int(n or 0) for code, n in zip(codes, row, strict=True)}
    flag = _flag(kind, key, ids)
    if flag is not None:  # a check box filters on "only yes"
        return {"yes": int(db.session.scalar(select(func.count()).where(flag)) or 0)}
    query = _grouped(kind, key, ids)
    if query is None:
        return None
    return {str(value): int(n) for value, n in db.session.execute(query) if value is not None}


def _flag(kind: str, key: str, ids: Select[Any]) -> ColumnElement[bool] | None:
    if kind == NEEDS and key == "open_call":
        return Need.id.in_(ids) & Need.is_open_call.is_(True)
    if kind == PROVIDERS and key == "available":
        return Provider.id.in_(ids) & Provider.available.is_(True)
    return None


def _grouped(kind: str, key: str, ids: Select[Any]) -> Any:  # a grouped Select, or None
    if kind == NEEDS:
        column = _NEED_COLUMNS.get(key)
        return None if column is None else _by(column, Need.id.in_(ids))
    if kind == PROVIDERS:
        if key == "field":
            return _by(provider_fields.c.field_code, provider_fields.c.provider_id.in_(ids))
        if key == "subfield":
            return _by(provider_subfields.c.subfield_code, provider_subfields.c.provider_id.in_(ids))
        column = _PROVIDER_COLUMNS.get(key)
        return None if column is None else _by(column, Provider.id.in_(ids))
    if key == "category":
        return _by(ServiceItem.category, ServiceItem.id.in_(ids))
    if key == "province":
        return (
            select(Provider.province, func.count(ServiceItem.id))
            .join(Provider, Provider.id == ServiceItem.provider_id)
            .where(ServiceItem.id.in_(ids))
            .group_by(Provider.province)
        )
    if key == "field":
        return (
            select(provider_fields.c.field_code, func.count(func.distinct(ServiceItem.id)))
            .join(provider_fields, provider_fields.c.provider_id == ServiceItem.provider_id)
            .where(ServiceItem.id.in_(ids))
            .group_by(provider_fields.c.field_code)
        )
    return None


def _by(column: Any, where: ColumnElement[bool]) -> Select[Any]:
    return select(column, func.count()).where(where).group_by(column)
