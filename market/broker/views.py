"""Broker workspace pages (工作台): board with the attention list, actions, reports and downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from market import scope, taxonomy
from market.broker import actions, attention, board, claims_views, funnel, review_views, tables, views_lists
from market.broker.filters import PERIODS, Filters, parse
from market.errors import NotFound
from market.forms import subfield_filter_choices
from market.i18n import gettext as _
from market.orders.views import flash_refusal
from market.orders.vocab import CONTRACT_TYPES
from market.reference import services as reference
from market.security import events as security
from market.spreadsheets import to_csv, to_xlsx

bp = Blueprint("broker", __name__, url_prefix="/broker")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filters() -> Filters:
    return parse(request.args, int(current_app.config.get("BROKER_ATTENTION_DAYS", 7)))


def _choices(filters: Filters) -> dict[str, Any]:
    regions = scope.regions_of(current_user)
    provinces = [p for p in reference.province_choices() if regions is None or p[0] in regions]
    return {
        "filters": filters,
        "periods": PERIODS,
        "fields": reference.field_choices(),
        "subfields": subfield_filter_choices(filters.field or None, _("全部细分领域")),
        "provinces": provinces,
        "kinds": taxonomy.PROVIDER_KINDS,
    }


views_lists.register(bp, _filters, _choices)  # /broker/list/<which>: the board's lists in full
review_views.register(bp)  # /broker/review/<kind>/<id>: one posting's review page
claims_views.register(bp)  # /broker/organisations/<id>/invite and the mailed /broker/claim/<token>


@bp.route("/")
@login_required
def index() -> str:
    filters = _filters()
    return render_template(
        "broker/index.html",
        board=board.build(current_user, filters),
        attention=attention.build(current_user, filters),
        **_choices(filters),
    )


def _back() -> Response:
    target = request.form.get("next", "")
    if not target.startswith("/broker/") or target.startswith("//"):
        target = url_for("broker.index")
    return redirect(target)  # type: ignore[return-value]


@bp.route("/orders/<int:order_id>/remind", methods=["POST"])
@login_required
def remind(order_id: int) -> Response:
    return flash_refusal(
        _back, lambda: actions.remind(current_user, order_id, request.form), _("已提醒服务方。")
    )


@bp.route("/orders/<int:order_id>/note", methods=["POST"])
@login_required
def note(order_id: int) -> Response:
    return flash_refusal(
        _back, lambda: actions.add_note(current_user, order_id, request.form), _("跟进记录已添加。")
    )


def _chart_data(all_tables: list[tables.Table]) -> dict[str, Any]:
    by_key = {t.key: t for t in all_tables}
    months = [r for r in by_key["month"].rows if r[0] != _("合计")]
    funnel_rows = by_key["funnel"].rows
    return {
        "month": {
            "labels": [r[0] for r in months],
            "counts": [r[1] for r in months],
            "values": [float(str(r[2])) for r in months],
            "countLabel": _("成交数"),
            "valueLabel": _("成交额（万元）"),
        },
        "funnel": {
            "labels": [r[0] for r in funnel_rows],
            "counts": [r[1] for r in funnel_rows],
            "countLabel": _("需求数"),
        },
    }


@bp.route("/reports")
@login_required
def reports() -> str:
    filters = _filters()
    all_tables = tables.build_all(current_user, filters)
    return render_template(
        "broker/reports.html",
        tables=all_tables,
        chart_data=_chart_data(all_tables),
        contract_types=CONTRACT_TYPES,
        funnel_legend=[(_(label), _(funnel.LEGEND[key])) for key, label in funnel.STEPS],
        **_choices(filters),
    )


@bp.route("/reports/<key>.<fmt>")
@login_required
def download(key: str, fmt: str) -> Response:
    filters = _filters()
    if key not in tables.BUILDERS or fmt not in FORMATS:
        raise NotFound(_("页面或资源不存在。"))
    table = tables.build(current_user, filters, key)
    rows = table.rows  # typed cells: numbers, money and shares stay numbers in Excel
    body = to_csv(table.headers, rows) if fmt == "csv" else to_xlsx(table.headers, rows, key)
    security.record(
        security.EXPORT, kind=f"deals-{key}", format=fmt, rows=len(rows), filters=filters.as_args()
    )
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="deals-{key}.{fmt}"'
    return response
