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
from market.spreadsheets import Cell, Percent
from market.spreadsheets import as_text as cell_text


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def _deal_table(key: str, title: str, first: str, rows: list[reports.Row]) -> Table:
    count, value = reports.totals(rows)
    body: list[list[Cell]] = [[r.label, r.count, r.value] for r in rows]  # value: Decimal, money in Excel
    if rows:
        body.append([_("合计"), count, value])
    return Table(key, title, [first, _("成交数"), _("成交额（万元）")], body)


def _pct(rate: float | None) -> Percent | None:
    return None if rate is None else Percent(rate)


def _funnel_table(actor: Any, filters: Filters) -> Table:
    steps = funnel.build(actor, filters)
    rows: list[list[Cell]] = [[_(s.label), s.count, _pct(s.rate), s.median_days] for s in steps]
    return Table("funnel", _("转化漏斗"), [_("环节"), _("需求数"), _("转化率"), _("中位天数")], rows)


def _outcome_table(actor: Any, filters: Filters) -> Table:
    found = funnel.outcomes(actor, filters)
    days = found.median_days_to_solve
    rows: list[list[Cell]] = [
        [_("已公开需求"), found.posted, _("统计期内审核通过、公开过的需求（与漏斗的“发布”相同）。")],
        [_("已解决"), found.solved, _("其中当前标记为已解决的需求；重新开放后不再计入。")],
        [_("其中通过本平台成交"), found.solved_here, _("标记已解决时关联了本平台已签约订单的需求。")],
        [_("已关闭"), found.closed, _("发布方或经纪人关闭（不再需要）的需求。")],
        [_("解决率"), _pct(found.solve_rate), _("已解决 ÷ 已公开需求。")],
        [
            _("解决用时中位数（天）"),
            days,
            _("从审核通过到标记为已解决的天数，取中位数。"),
        ],
        [_("答题数"), found.answers, _("服务方对这些需求提交的答题方案总数。")],
        [
            _("平均每个需求的答题数"),
            found.answers_per_need,
            _("答题数 ÷ 已公开需求。"),
        ],
    ]
    return Table("outcomes", _("需求解决情况"), [_("指标"), _("数值"), _("说明")], rows)


def _month(actor: Any, f: Filters) -> Table:
    return _deal_table("month", _("按月份"), _("月份"), reports.by_month(actor, f))


def _field(actor: Any, f: Filters) -> Table:
    return _deal_table("field", _("按领域"), _("领域"), reports.by_field(actor, f, current_language()))


def _subfield(actor: Any, f: Filters) -> Table:
    rows = reports.by_subfield(actor, f, current_language())
    return _deal_table("subfield", _("按细分领域"), _("领域 / 细分领域"), rows)


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
    "subfield": _subfield,
    "region": _region,
    "contract": _contract,
    "provider": _provider,
    "funnel": _funnel_table,
    "outcomes": _outcome_table,
}


def build(actor: Any, filters: Filters, key: str) -> Table:
    scope.require_broker(actor)
    return BUILDERS[key](actor, filters)


def build_all(actor: Any, filters: Filters) -> list[Table]:
    scope.require_broker(actor)
    return [builder(actor, filters) for builder in BUILDERS.values()]


def as_text(table: Table) -> list[list[str]]:
    return [[cell_text(cell) for cell in row] for row in table.rows]
