"""OpenAPI 3.1 path items of the orders API, for the lead to merge into /api/v1/openapi.json.

Schemas are inline so the items stand alone; error responses refer to the served document's
`#/components/responses/<code>`.
"""

from __future__ import annotations

from typing import Any

from market.idempotency import HEADER_PARAMETER
from market.orders.transitions import Action
from market.orders.vocab import CONTRACT_TYPES, ORDER_STATES

JSON = dict[str, Any]

_INT = {"type": "integer"}
_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_NINT = {"type": ["integer", "null"]}
_REF = {"id": _INT, "name": _STR}

FOLLOW_UP: JSON = {
    "type": "object",
    "properties": {
        "id": _INT,
        "kind": {"enum": ["note", "transition"]},
        "body": _STR,
        "author": _NSTR,
        "next_follow_up_on": {"type": ["string", "null"], "format": "date"},
        "created_at": _STR,
    },
}
ORDER: JSON = {
    "type": "object",
    "properties": {
        "id": _INT,
        "origin": {"enum": ["ordered", "dispatched", "proposal"]},
        "status": {"enum": [t.code for t in ORDER_STATES]},
        "version": _INT,
        "title": _STR,
        "message": _STR,
        "closing_reason": _STR,
        "organisation": {"type": "object", "properties": _REF},
        "provider": {"type": "object", "properties": _REF},
        "need_id": _NINT,
        "service_id": _NINT,
        "proposal_id": _NINT,
        "broker_id": _NINT,
        "province": _STR,
        "created_at": _STR,
        "status_changed_at": _STR,
        "deal": {"type": ["object", "null"]},
        "review": {"type": ["object", "null"]},
        "follow_ups": {"type": "array", "items": FOLLOW_UP},
    },
}
PROPOSAL: JSON = {
    "type": "object",
    "properties": {
        "id": _INT,
        "need_id": _INT,
        "provider": {"type": "object", "properties": _REF},
        "approach": _STR,
        "team": _STR,
        "timeline": _STR,
        "price_min": _NINT,
        "price_max": _NINT,
        "status": {"enum": ["submitted", "shortlisted", "rejected", "ordered"]},
        "reject_reason": _STR,
    },
}
AUDIT: JSON = {
    "type": "object",
    "properties": {
        "id": _INT,
        "actor_id": _NINT,
        "party": {"enum": ["enterprise", "provider", "broker", "system"]},
        "action": _STR,
        "from_status": _STR,
        "to_status": _STR,
        "reason": _STR,
        "version": _INT,
        "created_at": _STR,
    },
}
NOTICE: JSON = {
    "type": "object",
    "properties": {
        "id": _INT,
        "order_id": _NINT,
        "kind": _STR,
        "text": _STR,
        "link": _STR,
        "created_at": _STR,
        "read_at": _NSTR,
    },
}


def _items(schema: JSON, paged: bool = False) -> JSON:
    props: JSON = {"items": {"type": "array", "items": schema}}
    if paged:
        props.update({"page": _INT, "per_page": _INT, "total": _INT})
    return {"type": "object", "properties": props}


def _path_param(name: str) -> JSON:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}


def _op(
    op_id: str,
    summary: str,
    ok: int,
    schema: JSON,
    errors: tuple[int, ...],
    *,
    params: tuple[JSON, ...] = (),
    request: JSON | None = None,
) -> JSON:
    spec: JSON = {
        "operationId": op_id,
        "summary": summary,
        "tags": ["orders"],
        "security": [{"bearer": []}],
        "responses": {str(ok): {"description": "OK", "content": {"application/json": {"schema": schema}}}},
    }
    if params:
        spec["parameters"] = list(params)
    if request is not None:
        spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
    for code in sorted({401, *errors}):
        spec["responses"][str(code)] = {"$ref": f"#/components/responses/{code}"}
    return spec


ORDER_ID = _path_param("order_id")
NEED_ID = _path_param("need_id")
ACTION = {"name": "action", "in": "path", "required": True, "schema": {"enum": [a.value for a in Action]}}
ACTION_BODY: JSON = {
    "type": "object",
    "properties": {
        "reason": {"type": "string", "description": "required for decline and cancel"},
        "version": {
            "type": "integer",
            "description": "the order version the caller saw; 409 if it moved on since",
        },
        "contract_type": {"enum": [t.code for t in CONTRACT_TYPES], "description": "sign"},
        "value_wan": {"type": ["number", "string"], "description": "sign: contract value in 万元"},
        "signed_on": {"type": "string", "format": "date", "description": "sign"},
        "note": {"type": "string"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5, "description": "review"},
        "body": {"type": "string", "description": "review text"},
    },
}
QUERY = (
    {"name": "state", "in": "query", "schema": {"enum": [t.code for t in ORDER_STATES]}},
    {"name": "side", "in": "query", "schema": {"enum": ["enterprise", "provider", "broker"]}},
    {"name": "page", "in": "query", "schema": _INT},
    {"name": "per_page", "in": "query", "schema": _INT},
)

OPENAPI_PATHS: dict[str, JSON] = {
    "/api/v1/orders": {
        "get": _op(
            "list_orders",
            "My orders (inbox), filtered by state and side",
            200,
            _items(ORDER, True),
            (),
            params=QUERY,
        ),
        "post": _op(
            "create_order",
            "点单 (service_id) or invite a provider to a need (need_id + provider_id)",
            201,
            ORDER,
            (400, 403, 404, 409, 422),
            params=(HEADER_PARAMETER,),
            request={
                "type": "object",
                "properties": {"service_id": _INT, "need_id": _INT, "provider_id": _INT, "message": _STR},
            },
        ),
    },
    "/api/v1/orders/{order_id}": {
        "get": _op(
            "get_order",
            "One order with its deal, review and follow-ups",
            200,
            ORDER,
            (404,),
            params=(ORDER_ID,),
        ),
    },
    "/api/v1/orders/{order_id}/actions/{action}": {
        "post": _op(
            "order_action",
            "Take a transition (accept, decline, negotiate, sign, deliver, review, cancel)",
            200,
            ORDER,
            (400, 403, 404, 409, 422),
            params=(ORDER_ID, ACTION),
            request=ACTION_BODY,
        ),
    },
    "/api/v1/orders/{order_id}/follow-ups": {
        "get": _op(
            "list_follow_ups",
            "Follow-up notes (跟进记录)",
            200,
            _items(FOLLOW_UP),
            (404,),
            params=(ORDER_ID,),
        ),
        "post": _op(
            "add_follow_up",
            "Add a follow-up note",
            201,
            FOLLOW_UP,
            (400, 404, 422),
            params=(ORDER_ID,),
            request={
                "type": "object",
                "required": ["body"],
                "properties": {"body": _STR, "next_follow_up_on": {"type": "string", "format": "date"}},
            },
        ),
    },
    "/api/v1/orders/{order_id}/audit": {
        "get": _op(
            "order_audit",
            "Audit log of transitions (brokers in region, admins)",
            200,
            _items(AUDIT),
            (403, 404),
            params=(ORDER_ID,),
        ),
    },
    "/api/v1/needs/{need_id}/dispatch": {
        "post": _op(
            "dispatch_need",
            "派单: a broker sends a need to providers",
            201,
            _items(ORDER),
            (400, 403, 404, 409, 422),
            params=(NEED_ID, HEADER_PARAMETER),
            request={
                "type": "object",
                "required": ["provider_ids"],
                "properties": {"provider_ids": {"type": "array", "items": _INT}, "message": _STR},
            },
        ),
    },
    "/api/v1/needs/{need_id}/proposals": {
        "get": _op(
            "list_proposals",
            "Proposals on an open call the caller may see",
            200,
            _items(PROPOSAL),
            (404,),
            params=(NEED_ID,),
        ),
        "post": _op(
            "submit_proposal",
            "答题: submit a proposal to an open call",
            201,
            PROPOSAL,
            (400, 403, 404, 409, 422),
            params=(NEED_ID, HEADER_PARAMETER),
            request={
                "type": "object",
                "required": ["approach"],
                "properties": {
                    "approach": _STR,
                    "team": _STR,
                    "timeline": _STR,
                    "price_min": _INT,
                    "price_max": _INT,
                },
            },
        ),
    },
    "/api/v1/proposals/{proposal_id}/{action}": {
        "post": _op(
            "judge_proposal",
            "Shortlist, reject (reason) or order a proposal (order answers 201)",
            200,
            PROPOSAL,
            (400, 403, 404, 409, 422),
            params=(
                _path_param("proposal_id"),
                {
                    "name": "action",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["shortlist", "reject", "order"]},
                },
            ),
            request={"type": "object", "properties": {"reason": _STR, "message": _STR}},
        ),
    },
    "/api/v1/notifications": {
        "get": _op(
            "list_notifications",
            "My notifications, newest first, with the unread count",
            200,
            {"type": "object", "properties": {**_items(NOTICE, True)["properties"], "unread": _INT}},
            (),
            params=({"name": "unread", "in": "query", "schema": {"enum": ["1", "true"]}},),
        ),
    },
    "/api/v1/notifications/read": {
        "post": _op(
            "read_notifications",
            "Mark all my notifications read",
            200,
            {"type": "object", "properties": {"unread": _INT}},
            (),
        ),
    },
}
OPENAPI_PATHS["/api/v1/proposals/{proposal_id}/{action}"]["post"]["responses"]["201"] = {
    "description": "Order created (action=order)",
    "content": {"application/json": {"schema": ORDER}},
}

OPENAPI_TAGS: list[JSON] = [
    {"name": "orders", "description": "点单 派单 接单 答题 签约 评单, follow-ups, notifications"},
]
