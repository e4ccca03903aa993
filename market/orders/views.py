"""Order pages: inbox, order detail with its actions and follow-ups, audit log, notifications.

Each view parses with a form (market.orders.forms), calls one service and renders; the services
decide. The routes that start orders and proposals are in views_start; both add to pages.bp.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from market.i18n import gettext as _
from market.orders import (
    forms,
    parties,
    queries,
    services,
    template_globals,
    transitions,
    views_answers,
    views_start,
)
from market.orders.pages import attempt, bp, flash_refusal
from market.orders.transitions import Action
from market.orders.vocab import CONTRACT_TYPES, ORDER_STATES, SIDES
from market.pagination import arg, flag, paginate

__all__ = ["bp", "flash_refusal", "views_answers", "views_start"]

# Every step a person takes; expiring is the system's. Any other word in the URL is a 404.
STEPS = ", ".join(a.value for a in forms.STEP_FORMS)
FOLLOW_UP = "follow_up"


@bp.route("/")
@login_required
def inbox() -> str:
    status, side = arg("state", 20), arg("side", 20)
    page = paginate(queries.inbox_query(current_user, status, side))
    unread = queries.unread_by_order(current_user, [o.id for o in page.items])
    return render_template(
        "orders/inbox.html",
        page=page,
        status=status,
        side=side,
        unread_by_order=unread,
        states=ORDER_STATES,
        sides=SIDES,
    )


def detail_page(order_id: int, typed_for: str = "") -> str:
    """The order page; after a refused action, the form of `typed_for` keeps what was typed."""
    order = services.get_visible_order(current_user, order_id)
    services.mark_read(current_user, order.id)
    return render_template(
        "orders/detail.html",
        order=order,
        actions=transitions.allowed_actions(order.status, parties.parties_of(current_user, order)),
        can_audit=parties.can_read_audit(current_user, order),
        contract_types=CONTRACT_TYPES,
        contract_default=forms.contract_type_default(order.need.cooperation_mode if order.need else None),
        typed_for=typed_for,
        typed=request.form if typed_for else MultiDict(),
    )


@bp.route("/<int:order_id>")
@login_required
def detail(order_id: int) -> str:
    return detail_page(order_id)


@bp.route(f"/<int:order_id>/act/<any({STEPS}):action>", methods=["POST"])
@login_required
def act(order_id: int, action: str) -> Response:
    services.get_visible_order(current_user, order_id)  # someone not on the order learns nothing more
    form_class = forms.PAGE_STEP_FORMS[Action(action)]
    return attempt(
        lambda: services.act(current_user, order_id, action, forms.read(form_class, request.form).terms()),
        done=_("已{action}。", action=transitions.action_label(action)),
        then=lambda _order: redirect(url_for("orders.detail", order_id=order_id)),
        page=lambda: detail_page(order_id, typed_for=action),
    )


@bp.route("/<int:order_id>/follow-ups", methods=["POST"])
@login_required
def follow_up(order_id: int) -> Response:
    order = services.get_visible_order(current_user, order_id)

    def add() -> object:
        form = forms.read(forms.FollowUpForm, request.form)
        return services.add_follow_up(
            current_user, order, body=forms.text(form, "body"), next_follow_up_on=form.next_follow_up_on.data
        )

    return attempt(
        add,
        done=_("跟进记录已添加。"),
        then=lambda _entry: redirect(url_for("orders.detail", order_id=order_id) + "#follow-ups"),
        page=lambda: detail_page(order_id, typed_for=FOLLOW_UP),
    )


@bp.route("/<int:order_id>/audit")
@login_required
def audit(order_id: int) -> str:
    order, entries = services.audit_log(current_user, order_id)
    return render_template("orders/audit.html", order=order, entries=entries)


@bp.route("/notifications")
@login_required
def notifications() -> str:
    page = paginate(queries.notifications_query(current_user, flag("unread")))
    return render_template("orders/notifications.html", page=page, unread_only=flag("unread"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all() -> Response:
    services.mark_read(current_user)
    flash(_("已全部标记为已读。"), "info")
    return redirect(url_for("orders.notifications"))


template_globals.register(bp)
