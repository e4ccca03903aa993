"""JSON API for orders, proposals and notifications, under /api/v1 (token-authenticated, CSRF-exempt).

Its own blueprint ("orders_api"); OPENAPI_PATHS (from api_docs) holds the path items for the
served OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select, update

from market.api.auth import require_user
from market.api.errors import BadRequest, Unauthorized
from market.db import db, utcnow
from market.errors import Forbidden, NotFound
from market.errors_web import error_response
from market.i18n import gettext as _
from market.idempotency import idempotent
from market.ids import row_id
from market.needs.services import get_visible_need
from market.orders import parties, proposals, queries, services
from market.orders import permissions as rules
from market.orders.api_docs import OPENAPI_PATHS, OPENAPI_TAGS
from market.orders.models import AuditLog, Notification, Proposal
from market.orders.serialize import (
    audit_json,
    follow_up_json,
    notification_json,
    order_json,
    proposal_json,
)
from market.orders.transitions import Action
from market.pagination import page_number, paginate, per_page
from market.providers.models import ServiceItem
from market.providers.services import get_visible_provider

bp = Blueprint("orders_api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1
__all__ = ["OPENAPI_PATHS", "OPENAPI_TAGS", "bp"]


@bp.url_value_preprocessor
def _refuse_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        raise NotFound(_("资源不存在。"))


@bp.errorhandler(Unauthorized)
def _unauthorized(error: Unauthorized) -> Response:
    response = error_response(401, error.message, error.field_errors)
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest(_("请求体应为 JSON 对象。"))
    return data


def created(payload: Any) -> tuple[Response, int]:
    return jsonify(payload), 201


def _page(query: Any, render: Any) -> Response:
    page = paginate(query)
    return jsonify(
        {
            "items": [render(item) for item in page.items],
            "page": page_number(),
            "per_page": per_page(),
            "total": page.total,
        }
    )


@bp.get("/orders")
def list_orders() -> Response:
    user = require_user()
    query = queries.inbox_query(
        user, (request.args.get("state") or "")[:20], (request.args.get("side") or "")[:20]
    )
    return _page(query, order_json)


@bp.post("/orders")
@idempotent
def create_order() -> tuple[Response, int]:
    user = require_user()
    data = body()
    if isinstance(data.get("service_id"), int):
        service_id = row_id(data["service_id"])
        service = db.session.get(ServiceItem, service_id) if service_id else None
        if service is None or not service.provider.is_public:
            raise NotFound(_("服务不存在或未公开。"))
        return created(order_json(services.order_service(user, service, data), full=True))
    if isinstance(data.get("need_id"), int) and isinstance(data.get("provider_id"), int):
        need_id, provider_id = row_id(data["need_id"]), row_id(data["provider_id"])
        if need_id is None:
            raise NotFound(_("需求不存在或未公开。"))
        if provider_id is None:
            raise NotFound(_("服务方不存在或未公开。"))
        need = get_visible_need(user, need_id)
        provider = get_visible_provider(user, provider_id)
        return created(order_json(services.invite(user, need, provider, data), full=True))
    raise BadRequest(_("请提供 service_id（点单），或 need_id 和 provider_id（邀请）。"))


@bp.get("/orders/<int:order_id>")
def get_order(order_id: int) -> Response:
    return jsonify(order_json(services.get_visible_order(require_user(), order_id), full=True))


@bp.post("/orders/<int:order_id>/actions/<action>")
def order_action(order_id: int, action: str) -> Response:
    user = require_user()
    if action not in {a.value for a in Action}:
        raise NotFound(_("未知操作。"))
    data = body() if request.get_data() else {}
    return jsonify(order_json(services.act(user, order_id, action, data), full=True))


@bp.get("/orders/<int:order_id>/follow-ups")
def list_follow_ups(order_id: int) -> Response:
    order = services.get_visible_order(require_user(), order_id)
    return jsonify({"items": [follow_up_json(f) for f in order.follow_ups]})


@bp.post("/orders/<int:order_id>/follow-ups")
def add_follow_up(order_id: int) -> tuple[Response, int]:
    user = require_user()
    order = services.get_visible_order(user, order_id)
    return created(follow_up_json(services.add_follow_up(user, order, body())))


@bp.get("/orders/<int:order_id>/audit")
def order_audit(order_id: int) -> Response:
    user = require_user()
    order = services.get_visible_order(user, order_id)
    if not parties.can_read_audit(user, order):
        raise Forbidden(_("审计记录仅对本地区经纪人和管理员开放。"))
    entries = db.session.scalars(select(AuditLog).where(AuditLog.order_id == order.id).order_by(AuditLog.id))
    return jsonify({"items": [audit_json(e) for e in entries]})


@bp.post("/needs/<int:need_id>/dispatch")
@idempotent
def dispatch_need(need_id: int) -> tuple[Response, int]:
    user = require_user()
    need = get_visible_need(user, need_id)
    data = body()
    ids = data.get("provider_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise BadRequest(_("provider_ids 应为整数列表。"))
    if any(row_id(i) is None for i in ids):
        raise NotFound(_("服务方不存在或未公开。"))
    return created({"items": [order_json(o) for o in services.dispatch(user, need, ids, data)]})


@bp.get("/needs/<int:need_id>/proposals")
def list_proposals(need_id: int) -> Response:
    user = require_user()
    need = get_visible_need(user, need_id)
    items = [p for p in queries.need_proposals(need) if rules.can_view_proposal(user, p)]
    return jsonify({"items": [proposal_json(p) for p in items]})


@bp.post("/needs/<int:need_id>/proposals")
@idempotent
def submit_proposal(need_id: int) -> tuple[Response, int]:
    user = require_user()
    need = get_visible_need(user, need_id)
    return created(proposal_json(proposals.submit(user, need, body())))


@bp.post("/proposals/<int:proposal_id>/<any(shortlist, reject, order):action>")
def judge_proposal(proposal_id: int, action: str) -> Response | tuple[Response, int]:
    user = require_user()
    data = body() if request.get_data() else {}
    if action == "order":
        return created(order_json(proposals.to_order(user, proposal_id, data), full=True))
    proposal: Proposal = (
        proposals.shortlist(user, proposal_id)
        if action == "shortlist"
        else proposals.reject(user, proposal_id, data)
    )
    return jsonify(proposal_json(proposal))


@bp.get("/notifications")
def list_notifications() -> Response:
    user = require_user()
    unread_only = request.args.get("unread") in ("1", "true")
    response = _page(queries.notifications_query(user, unread_only), notification_json)
    payload = response.get_json()
    payload["unread"] = queries.unread_count(user)
    return jsonify(payload)


@bp.post("/notifications/read")
def read_notifications() -> Response:
    user = require_user()
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return jsonify({"unread": 0})
