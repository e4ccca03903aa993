"""Order pages: inbox, order detail with its actions and follow-ups, audit log, notifications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update
from werkzeug.wrappers import Response

from market.db import db, utcnow
from market.errors import Conflict, Forbidden, ValidationFailed
from market.i18n import gettext as _
from market.orders import parties, queries, services, transitions
from market.orders.models import AuditLog, Notification
from market.orders.vocab import CONTRACT_TYPES, ORDER_STATES, SIDES
from market.pagination import arg, flag, paginate

bp = Blueprint("orders", __name__, url_prefix="/orders")


def flash_refusal(go_back: Callable[[], Response], work: Callable[[], Any], done: str) -> Response:
    """Run `work`; a wrong state (409) or bad input (422) comes back as a flash on the same page."""
    try:
        work()
    except (Conflict, ValidationFailed) as error:
        db.session.rollback()
        details = "；".join(m for msgs in error.field_errors.values() for m in msgs)
        flash(
            f"{error.message} {details}".strip(),
            "danger" if isinstance(error, ValidationFailed) else "warning",
        )
        return go_back()
    flash(done, "success")
    return go_back()


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


def mark_read(order_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == current_user.id,
            Notification.order_id == order_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


@bp.route("/<int:order_id>")
@login_required
def detail(order_id: int) -> str:
    order = services.get_visible_order(current_user, order_id)
    mine = parties.parties_of(current_user, order)
    mark_read(order.id)
    return render_template(
        "orders/detail.html",
        order=order,
        actions=transitions.allowed_actions(order.status, mine),
        can_audit=parties.can_read_audit(current_user, order),
        contract_types=CONTRACT_TYPES,
    )


@bp.route("/<int:order_id>/act/<action>", methods=["POST"])
@login_required
def act(order_id: int, action: str) -> Response:
    label = transitions.action_label(action)
    return flash_refusal(
        lambda: redirect(url_for("orders.detail", order_id=order_id)),
        lambda: services.act(current_user, order_id, action, request.form),
        _("已{action}。", action=label),
    )


@bp.route("/<int:order_id>/follow-ups", methods=["POST"])
@login_required
def follow_up(order_id: int) -> Response:
    order = services.get_visible_order(current_user, order_id)
    return flash_refusal(
        lambda: redirect(url_for("orders.detail", order_id=order_id) + "#follow-ups"),
        lambda: services.add_follow_up(current_user, order, request.form),
        _("跟进记录已添加。"),
    )


@bp.route("/<int:order_id>/audit")
@login_required
def audit(order_id: int) -> str:
    order = services.get_visible_order(current_user, order_id)
    if not parties.can_read_audit(current_user, order):
        raise Forbidden(_("审计记录仅对本地区经纪人和管理员开放。"))
    entries = list(
        db.session.scalars(select(AuditLog).where(AuditLog.order_id == order.id).order_by(AuditLog.id))
    )
    return render_template("orders/audit.html", order=order, entries=entries)


@bp.route("/notifications")
@login_required
def notifications() -> str:
    page = paginate(queries.notifications_query(current_user, flag("unread")))
    return render_template("orders/notifications.html", page=page, unread_only=flag("unread"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all() -> Response:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    flash(_("已全部标记为已读。"), "info")
    return redirect(url_for("orders.notifications"))


# views_start adds the routes that start orders and proposals to `bp`; template_globals the template helpers.
from market.orders import template_globals, views_start  # noqa: E402, F401

template_globals.register(bp)
