"""The OpenAPI 3.1 document, generated from market.api.spec.OPERATIONS and market.api.serialize.SCHEMAS."""

from __future__ import annotations

from typing import Any

from market.api.idempotency import HEADER_PARAMETER, IDEMPOTENT_ENDPOINTS
from market.api.serialize import SCHEMAS
from market.api.spec import ERROR_TEXT, OPERATIONS, Operation, path_parameters, ref
from market.conversations.serialize import SCHEMAS as CONVERSATION_SCHEMAS
from market.orders.serialize import SCHEMAS as ORDER_SCHEMAS

JSON = dict[str, Any]

DESCRIPTION = (
    "JSON API of 科创对接. Authenticate with `Authorization: Bearer <token>` "
    "(get one from POST /api/v1/tokens or the account page). Create operations accept an "
    "`Idempotency-Key` header: a retry with the same key answers the first response instead of creating "
    "again. Errors are "
    '`{"error": message, "status": code, "fields": {name: [messages]}}`; a 429 also has '
    '`"retry_after": seconds`, the same as its Retry-After header.'
)
TAGS = [
    {"name": "tokens", "description": "API tokens and the calling user"},
    {"name": "needs", "description": "技术需求 (产业出题)"},
    {"name": "providers", "description": "专家 / 学会 / 服务团 / 高校院所 and their service menus"},
    {"name": "my provider", "description": "The caller's own provider profile, achievements and services"},
    {"name": "review", "description": "审核 by brokers (in their regions) and admins"},
    {"name": "orders", "description": "点单 派单 接单 签约 交付 评单, with follow-ups and the audit log"},
    {"name": "proposals", "description": "答题 on open calls (揭榜挂帅)"},
    {"name": "conversations", "description": "沟通消息: a thread per proposal and per order"},
    {"name": "notifications", "description": "The caller's notifications"},
    {"name": "matching", "description": "推荐: providers ranked for a need, needs recommended to a provider"},
    {"name": "search", "description": "Suggestions as you type for the search boxes"},
    {"name": "reference", "description": "Fields and regions"},
    {"name": "meta", "description": "This document"},
]
_SECURITY: dict[str, list[JSON]] = {"public": [], "optional": [{}, {"bearer": []}], "token": [{"bearer": []}]}


def document() -> JSON:
    paths: JSON = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "科创对接 API", "version": "1", "description": DESCRIPTION},
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **ORDER_SCHEMAS, **CONVERSATION_SCHEMAS},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "kc_… API token"}
            },
            "responses": {str(code): _error_response(text) for code, text in ERROR_TEXT.items()},
        },
    }


def _operation(op: Operation) -> JSON:
    spec: JSON = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "security": _SECURITY[op.auth],
        "responses": {str(op.status): _success(op)},
    }
    parameters = path_parameters(op.rule) + [
        {"name": p.name, "in": "query", "required": False, "description": p.description, "schema": p.schema}
        for p in op.query
    ]
    errors = op.errors
    if op.endpoint in IDEMPOTENT_ENDPOINTS:
        parameters.append(HEADER_PARAMETER)
        errors = tuple(sorted({*errors, 400, 409, 422}))  # bad key, still running, reused for another body
    if parameters:
        spec["parameters"] = parameters
    if op.body is not None:
        spec["requestBody"] = {
            "required": op.body.required,
            "description": op.body.description,
            "content": {
                op.body.media_type: {"schema": op.body.schema()},
                **{media: {"schema": schema()} for media, schema in op.body.also},
            },
        }
    for code in errors:
        spec["responses"][str(code)] = {"$ref": f"#/components/responses/{code}"}
    return spec


def _success(op: Operation) -> JSON:
    if op.response is None:
        return {"description": "Done (no content)" if op.status == 204 else "OK"}
    return {"description": "OK", "content": {op.media_type: {"schema": op.response}}}


def _error_response(text: str) -> JSON:
    return {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
