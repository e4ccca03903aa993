"""Suggestions as you type for the search boxes: field names, frequent terms, public titles."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from market.api.spec import Param, operation
from market.extensions import limiter
from market.i18n import current_language
from market.pagination import arg
from market.suggest import services
from market.suggest.services import Suggestion

JSON = dict[str, Any]
KINDS = ("needs", "providers", "services")
LIST_ENDPOINT = {
    "needs": "needs.browse",
    "providers": "providers.browse",
    "services": "providers.services_browse",
}

SUGGESTION: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "type", "url"],
    "properties": {
        "text": {"type": "string", "description": "What to put into the search box"},
        "type": {
            "type": "string",
            "enum": ["field", "term", "title"],
            "description": "field: a technical field's name; term: a frequent word of public postings "
            "completing the last word typed; title: the title of a public posting",
        },
        "url": {
            "type": ["string", "null"],
            "description": "field: the list filtered by the field; title: the posting's page (a service: "
            "its provider's page); term: null (search for the text)",
        },
    },
}
RESPONSE: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["q", "kind", "items"],
    "properties": {
        "q": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "items": {"type": "array", "items": SUGGESTION, "maxItems": services.MAX_LIMIT},
    },
}


def _suggest_rate_limit() -> str:
    return str(current_app.config.get("SUGGEST_RATE_LIMIT", "600 per minute"))


def _url(kind: str, item: Suggestion) -> str | None:
    if item.type == "field":
        return url_for(LIST_ENDPOINT[kind], field=item.field_code)
    if item.type != "title" or item.posting_id is None:
        return None
    if kind == "needs":
        return url_for("needs.detail", need_id=item.posting_id)
    return url_for("providers.detail", provider_id=item.provider_id or item.posting_id)


@operation(
    "/suggest",
    "GET",
    summary="Suggestions as you type for a search box: field names, frequent technical terms and titles of "
    "public postings starting with the text typed (NFKC, case-insensitive; Chinese or Latin prefixes)",
    tag="search",
    auth="public",
    query=(
        Param("q", f"The text typed so far; only the first {services.MAX_PREFIX} characters are used"),
        Param(
            "kind",
            "Which list the box searches (default needs)",
            {"type": "string", "enum": list(KINDS), "default": "needs"},
        ),
        Param(
            "limit",
            f"At most this many suggestions (default {services.DEFAULT_LIMIT})",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": services.MAX_LIMIT,
                "default": services.DEFAULT_LIMIT,
            },
        ),
    ),
    response=RESPONSE,
    errors=(429,),
)
@limiter.limit(_suggest_rate_limit)
def suggest() -> JSON:
    typed = arg("q", services.MAX_PREFIX * 4).replace("\x00", "")
    kind = arg("kind", 20)
    kind = kind if kind in KINDS else "needs"
    limit_text = arg("limit", 3)
    limit = int(limit_text) if limit_text.isascii() and limit_text.isdecimal() else services.DEFAULT_LIMIT
    items = services.suggest(kind, typed, current_language(), limit)
    return {
        "q": typed[: services.MAX_PREFIX],
        "kind": kind,
        "items": [{"text": s.text, "type": s.type, "url": _url(kind, s)} for s in items],
    }
