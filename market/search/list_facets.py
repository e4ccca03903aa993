"""Facet counts of a list without a query: counted by the database over the listed rows.

`services._browse` lists the database's public postings when no query is given; each facet is
counted over the list as the *other* filters narrow it, grouped by the same column the filter
compares, so a value's count is exactly the total its link gives.

`list_counts` counts the list's total and every facet of a column of the listed row (needs: all of
them; providers: region, kind, 可接单; services: category, region) in one grouped pass over the
list narrowed only by the many-valued filters (a provider's fields and sub-fields), and adds up in
Python what each filter combination keeps: one scan of the list instead of one per facet (issue 16:
at 100,000 providers each scan costs 40-150 ms). The many-valued facets are counted by
`_many_valued`, one query each over the list the other filters give.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal

from market.db import db
from market.needs.models import Need
from market.providers.models import Provider, ServiceItem, provider_fields, provider_subfields

NEEDS, PROVIDERS, SERVICES = "needs", "providers", "services"

# Filter key -> the column it compares, per list.
_NEED_COLUMNS = {
    "field": Need.field_code,
    "subfield": Need.subfield_code,
    "province": Need.province,
    "mode": Need.cooperation_mode,
}
_PROVIDER_COLUMNS = {"province": Provider.province, "kind": Provider.kind}
_FLAGS = ("open_call", "available")


# Filter key -> the code the listed row has, per list, for the one grouped pass (`list_counts`).
def _row_codes(kind: str) -> dict[str, Any]:  # key -> column or SQL expression
    def flag(column: Any) -> ColumnElement[Any]:
        return case((column.is_(True), literal("yes")), else_=literal("no"))

    if kind == NEEDS:
        return {**_NEED_COLUMNS, "open_call": flag(Need.is_open_call)}
    if kind == PROVIDERS:
        return {**_PROVIDER_COLUMNS, "available": flag(Provider.available)}
    return {"category": ServiceItem.category, "province": Provider.province}


def list_counts(
    kind: str,
    keys: tuple[str, ...],
    filters: Mapping[str, str],
    listed: Callable[[Mapping[str, str]], Select[Any]],
    conditions: Mapping[str, Mapping[str, ColumnElement[bool]]],
) -> tuple[int, dict[str, dict[str, int]]]:
    """(The list's total, its counts per facet key in `keys`' order).

    `listed(filters)` is the list's query under a filter set; `conditions` (key -> code -> SQL
    condition) gives the codes of a filter that is a condition rather than a column (the need's
    budget range; the conditions must not overlap)."""
    columns = _row_codes(kind)
    for key, by_code in conditions.items():
        columns[key] = case(*((condition, literal(code)) for code, condition in by_code.items()))
    grouped = [key for key in keys if key in columns]
    narrowing = {k: v for k, v in filters.items() if k not in columns}  # the many-valued filters
    rows = listed(narrowing)
    if kind == SERVICES:  # a service's region is its provider's; the list itself does not join it
        rows = rows.join(Provider, Provider.id == ServiceItem.provider_id)
    total, counts = _add_up(grouped, filters, _grouped_rows(rows, [columns[k] for k in grouped]))
    facets: dict[str, dict[str, int]] = {}
    for key in keys:
        if key in counts:  # a check box's facet is its "yes" (it filters on "only yes")
            facets[key] = {"yes": counts[key].get("yes", 0)} if key in _FLAGS else counts[key]
            continue
        others = {k: v for k, v in filters.items() if k != key}
        query = _many_valued(kind, key, listed(others))
        if query is not None:
            facets[key] = {str(value): int(n) for value, n in db.session.execute(query) if value is not None}
    return total, facets


def _grouped_rows(query: Select[Any], columns: list[ColumnElement[Any]]) -> list[Any]:
    counted = query.order_by(None).with_only_columns(*columns, func.count(), maintain_column_froms=True)
    return list(db.session.execute(counted.group_by(*columns)))


def _add_up(
    keys: list[str], filters: Mapping[str, str], rows: list[Any]
) -> tuple[int, dict[str, dict[str, int]]]:
    """Each row (codes..., count) counts in the total when it passes every filter, and in the facet
    of key k under its code when it passes every filter but k's."""
    total = 0
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}
    for *codes, n in rows:
        code_of = {key: None if code is None else str(code) for key, code in zip(keys, codes, strict=True)}
        failed = [key for key in keys if key in filters and code_of[key] != filters[key]]
        if not failed:
            total += n
        for key in failed or keys:
            code = code_of[key]
            if code is not None and (not failed or failed == [key]):
                counts[key][code] = counts[key].get(code, 0) + n
    return total, counts


def _many_valued(kind: str, key: str, query: Select[Any]) -> Select[Any] | None:
    """Rows of the list per value of a many-valued filter (a provider's fields and sub-fields):
    joined rather than `IN (the list)` (at 100,000 providers up to a fifth less; the same when a
    filter narrows the list). A provider has a field at most once (the table's key), so a joined row
    is one posting and count(*) is exact."""
    if kind == NEEDS or key not in ("field", "subfield") or (kind == SERVICES and key == "subfield"):
        return None
    table = provider_subfields if key == "subfield" else provider_fields
    column = table.c.subfield_code if key == "subfield" else table.c.field_code
    owner = Provider.id if kind == PROVIDERS else ServiceItem.provider_id
    joined = query.order_by(None).join(table, table.c.provider_id == owner)
    return joined.with_only_columns(column, func.count()).group_by(column)
