"""The report tables as plain rows: shown on the page, and downloaded as CSV or Excel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from market import scope
from market.broker import funnel, reports
from market.broker.filters import Filters
from market.i18n import current_language
from market.i18n import gettext as _

Cell = str | int | float | None


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def _deal_table(key: str, title: str, first: str, rows: list[reports.Row]) -> Table:
    count, value = reports.totals(rows)
    body: list[list[Cell]] = [[r.label, r.count, str(r.value)] for r in rows]
    if rows:
        body.append([_("合计"), count, str(value)])
    return Table(key, title, [first, _("成交数"), _("成交额（万元）")], body)


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


def _funnel_table(actor: Any, filters: Filters) -> Table:
    steps = funnel.build(actor, filters)
    rows: list[list[Cell]] = [
        [_(s.label), s.count, _pct(s.rate), "" if s.median_days is None else s.median_days] for s in steps
    ]
    return Table("funnel", _("转化漏斗"), [_("环节"), _("需求数"), _("转化率"), _("中位天数")], rows)


def _month(actor: Any, f: Filters) -> Table:
    return _deal_table("month", _("按月份"), _("月份"), reports.by_month(actor, f))


def _field(actor: Any, f: Filters) -> Table:
    return _deal_table("field", _("按领域"), _("领域"), reports.by_field(actor, f, current_language()))


def _region(actor: Any, f: Filters) -> Table:
    return _deal_table("region", _("按地区"), _("地区"), reports.by_region(actor, f, current_language()))


def _contract(actor: Any, f: Filters) -> Table:
    rows = reports.by_contract_type(actor, f, current_language())
    return _deal_table("contract", _("按合同类型"), _("合同类型"), rows)


def _provider(actor: Any, f: Filters) -> Table:
    return _deal_table("provider", _("按服务方"), _("服务方"), reports.by_provider(actor, f))


BUILDERS: dict[str, Callable[[Any, Filters], Table]] = {
    "month": _month,
    "field": _field,
    "region": _region,
    "contract": _contract,
    "provider": _provider,
    "funnel": _funnel_table,
}


def build(actor: Any, filters: Filters, key: str) -> Table:
    scope.require_broker(actor)
    return BUILDERS[key](actor, filters)


def build_all(actor: Any, filters: Filters) -> list[Table]:
    scope.require_broker(actor)
    return [builder(actor, filters) for builder in BUILDERS.values()]


def as_text(table: Table) -> list[list[str]]:
    return [["" if cell is None else str(cell) for cell in row] for row in table.rows]
