"""需求凝练: the need assistant's suggestions for a need being written (the form's script uses the same
service through market/assistant/views.py)."""

from __future__ import annotations

from typing import Any

from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, validated
from market.api.spec import Body, operation
from market.assistant import checklist, serialize, services
from market.assistant.forms import AssistForm
from market.assistant.services import Draft
from market.assistant.views import rate_limit
from market.extensions import limiter

JSON = dict[str, Any]

_NAMED = {
    "type": "object",
    "required": ["id", "name", "url"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "url": {"type": "string"}},
}
_FIELD = {
    "type": "object",
    "required": ["code", "name", "share"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "share": {"type": "number", "description": "Share of the nearest postings' weighted votes, 0-1"},
    },
}
RESPONSE: JSON = {
    "type": "object",
    "required": ["field", "fields", "providers", "terms", "checklist", "similar", "notice"],
    "properties": {
        "field": {"oneOf": [_FIELD, {"type": "null"}], "description": "The suggested field, if any"},
        "fields": {"type": "array", "items": _FIELD, "maxItems": 3},
        "providers": {
            "type": "object",
            "required": ["count", "top"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "Providers the engine ranks with a 匹配度 that is not weak for this text",
                },
                "top": {"type": "array", "items": _NAMED, "maxItems": 3},
            },
        },
        "terms": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Technical terms of the top-matching profiles that the text does not use yet",
        },
        "checklist": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "hint", "done"],
                "properties": {
                    "key": {
                        "type": "string",
                        "enum": list(checklist.LABELS),
                    },
                    "label": {"type": "string"},
                    "hint": {"type": "string"},
                    "done": {"type": "boolean"},
                },
            },
        },
        "similar": {
            "type": "array",
            "description": "Similar past needs, solved ones first (with who solved them), then open ones",
            "items": {
                "type": "object",
                "required": ["id", "title", "url", "similarity", "solved", "solvers"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "url": {
                        "type": ["string", "null"],
                        "description": "null when the caller may not open it",
                    },
                    "similarity": {"type": "number"},
                    "solved": {"type": "boolean"},
                    "solvers": {"type": "array", "items": _NAMED},
                },
            },
        },
        "notice": {
            "type": "string",
            "description": "Why nothing was ranked (the index is unavailable), or ''",
        },
    },
}


def _body() -> JSON:
    return form_schema(AssistForm)


@operation(
    "/assistant/need",
    "POST",
    summary="需求凝练: suggestions for a need being written (field, similar needs, provider count, "
    "technical terms, what is missing); enterprise members and brokers",
    tag="needs",
    body=Body(_body, "The need form's fields as typed so far (all optional)"),
    response=RESPONSE,
    errors=(403, 429),
)
@limiter.limit(rate_limit)
def assist_need() -> JSON:
    actor = require_user()
    payload = json_object()
    check_shape(payload, _body())
    form = validated(AssistForm, payload)
    return serialize.assistance(services.assist(actor, Draft(**form.draft_values())))
