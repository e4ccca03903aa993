"""Saved searches as JSON, and their schema in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from market.db import utc_iso
from market.saved_searches import services
from market.saved_searches.models import SavedSearch

JSON = dict[str, Any]


def search_json(saved: SavedSearch) -> JSON:
    return {
        "id": saved.id,
        "name": saved.name,
        "kind": saved.kind,
        "q": saved.query,
        "filters": dict(saved.filters or {}),
        "sort": saved.sort,
        "url": services.list_url(saved),
        "created_at": utc_iso(saved.created_at),
        "last_alerted_at": utc_iso(saved.last_alerted_at),
    }


SAVED_SEARCH: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "kind", "q", "filters", "sort", "url", "created_at", "last_alerted_at"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "maxLength": services.NAME_MAX},
        "kind": {"type": "string", "enum": list(services.KINDS)},
        "q": {"type": "string"},
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "sort": {"type": "string"},
        "url": {"type": "string", "description": "the list page with the search's results now"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_alerted_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
SAVED_SEARCHES: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items", "limit"],
    "properties": {
        "items": {"type": "array", "items": SAVED_SEARCH},
        "limit": {"type": "integer", "description": "most saved searches one person may keep"},
    },
}
