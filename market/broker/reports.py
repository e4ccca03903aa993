"""Deal reports (成交报表): signed deals by month, field, sub-field, region, contract type and provider.

Grouping and sums run in SQL; months are bucketed in Python from per-day sums, so no date
function differs between SQLite and PostgreSQL. Each table joins only the tables its key and the
filters read: the need and provider joins never change which deals count (an order always has a
provider, the need join is outer), but on SQLite they cost a row lookup per order in the region,
three times the grouped query itself (docs/performance.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from market import scope, taxonomy
from market.broker.filters import Filters
from market.db import db
from market.i18n import gettext as _
from market.needs.models import Need
from market.orders.models import Deal, Order
from market.orders.vocab import CONTRACT_TYPES
from market.providers.models import Provider
from market.reference import services as reference

CENT = Decimal("0.01")


@dataclass
class Row:
    key: str
    label: str
    count: int
    value: Decimal


def money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def deal_query(
    actor: Any, filters: Filters, *columns: Any, need: bool = False, provider: bool = False
) -> Select:  # type: ignore[type-arg]
    """Signed deals in scope and matching the filters (period = signing date).

    `need` / `provider`: the columns read the need or the provider (joined also when a filter asks)."""
    query = select(*columns).select_from(Deal).join(Order, Deal.order_id == Order.id)
    if provider or filters.kind:
        query = query.join(Provider, Order.provider_id == Provider.id)
    if need or filters.field:
        query = query.outerjoin(Need, Order.need_id == Need.id)
    query = scope.within(query, Order.province, actor)
    if filters.field:
        query = query.where(*filters.need_clauses())
    if filters.region:
        query = query.where(Order.province == filters.region)
    if filters.kind:
        query = query.where(Provider.kind == filters.kind)
    since = filters.since_date()
    if since is not None:
        query = query.where(Deal.signed_on >= since)
    return query


def _grouped(
    actor: Any, filters: Filters, *keys: Any, need: bool = False, provider: bool = False
) -> list[Any]:
    columns = (*keys, func.count(Deal.id), func.sum(Deal.value_wan))
    query = deal_query(actor, filters, *columns, need=need, provider=provider)
    return list(db.session.execute(query.group_by(*keys)).all())


def _sorted(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.value, -r.count, r.label))


def by_month(actor: Any, filters: Filters) -> list[Row]:
    buckets: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for signed_on, count, value in _grouped(actor, filters, Deal.signed_on):
        bucket = buckets[signed_on.strftime("%Y-%m")]
        bucket[0] += int(count)
        bucket[1] += money(value)
    return [Row(m, m, c, money(v)) for m, (c, v) in sorted(buckets.items())]


def by_field(actor: Any, filters: Filters, lang: str = "zh") -> list[Row]:
    rows = _grouped(actor, filters, Need.field_code, need=True)
    return _sorted(
        [
            Row(code or "", reference.field_name(code, lang) if code else _("未关联需求"), int(c), money(v))
            for code, c, v in rows
        ]
    )


def by_subfield(actor: Any, filters: Filters, lang: str = "zh") -> list[Row]:
    """Per field and sub-field (细分领域); a need without one counts under "<field> / 未细分"."""
    rows = _grouped(actor, filters, Need.field_code, Need.subfield_code, need=True)
    return _sorted(
        [
            Row(
                subfield or field or "",
                _subfield_label(field, subfield, lang),
                int(c),
                money(v),
            )
            for field, subfield, c, v in rows
        ]
    )


def _subfield_label(field: str | None, subfield: str | None, lang: str) -> str:
    if not field:
        return _("未关联需求")
    second = reference.subfield_name(subfield, lang) if subfield else _("未细分")
    return f"{reference.field_name(field, lang)} / {second}"


def by_region(actor: Any, filters: Filters, lang: str = "zh") -> list[Row]:
    rows = _grouped(actor, filters, Order.province)
    return _sorted([Row(code, reference.region_name(code, lang), int(c), money(v)) for code, c, v in rows])


def by_contract_type(actor: Any, filters: Filters, lang: str = "zh") -> list[Row]:
    rows = _grouped(actor, filters, Deal.contract_type)
    return _sorted(
        [Row(code, taxonomy.label(CONTRACT_TYPES, code, lang), int(c), money(v)) for code, c, v in rows]
    )


def by_provider(actor: Any, filters: Filters) -> list[Row]:
    rows = _grouped(actor, filters, Provider.id, Provider.name, provider=True)
    return _sorted([Row(str(pid), name, int(c), money(v)) for pid, name, c, v in rows])


def totals(rows: list[Row]) -> tuple[int, Decimal]:
    return sum(r.count for r in rows), money(sum((r.value for r in rows), Decimal(0)))
