"""The board's lists in full (`/broker/list/<kind>`): every board column and every 待办 list, paginated,
with the board's filters kept across pages. The board links here from each "另有 N 条"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from market.broker import attention, board
from market.broker.filters import Filters
from market.errors import NotFound
from market.i18n import N_
from market.i18n import gettext as _
from market.pagination import arg, paginate

LIST_KINDS: tuple[str, ...] = (board.NEEDS, board.ORDERS, *attention.KINDS)
TITLES = {
    board.NEEDS: N_("需求"),
    board.ORDERS: N_("订单"),
    attention.STALE_NEEDS: N_("公开超过 {n} 天仍未派单的需求"),
    attention.WAITING_ORDERS: N_("超过 {n} 天未答复的订单"),
    attention.OVERDUE_FOLLOW_UPS: N_("已到期的跟进"),
}


def register(
    bp: Blueprint, read_filters: Callable[[], Filters], choices: Callable[[Filters], dict[str, Any]]
) -> None:
    """Add the list pages to the broker blueprint (its filters and filter choices come from views)."""

    # The list is `which`, not `kind`: `kind` is the provider-kind filter in the query string.
    @bp.route("/list/<which>")
    @login_required
    def full_list(which: str) -> str:
        kind = which
        if kind not in LIST_KINDS:
            raise NotFound(_("页面或资源不存在。"))
        filters = read_filters()
        state = arg("state", 20)
        if kind in (board.NEEDS, board.ORDERS):
            query = board.list_query(current_user, filters, kind, state)
        else:
            query = attention.list_query(current_user, filters, kind)
        return render_template(
            "broker/list.html",
            kind=kind,
            title=TITLES[kind],
            state=state,
            states=board.NEED_STATES if kind == board.NEEDS else board.ORDER_STATE_CODES,
            page=paginate(query),
            **choices(filters),
        )
