"""The `q`, filter and sort parameters of the public lists (/needs, /providers, /services) and the
`search` part of their answers: the same search service and the same order as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from market.api import serialize
from market.api.params import PAGING
from market.api.spec import Param, page_of
from market.search import services
from market.search.params import search_request
from market.search.query import MAX_QUERY_CHARS, MAX_RAW_CHARS

JSON = dict[str, Any]
NEEDS, PROVIDERS, SERVICES = services.NEEDS, services.PROVIDERS, services.SERVICES

Q = Param(
    "q",
    "Search text, ranked by relevance with the matching index (jieba terms and the semantic encoder); "
    f"read up to {MAX_RAW_CHARS} characters, searched up to {MAX_QUERY_CHARS} (cut at a word boundary, "
    "`search.cut` says so). `%` and `_` are ordinary characters.",
    {"type": "string"},
)
EXACT = Param("exact", "1/true: search the typed words, without correcting typos", {"type": "boolean"})


def sort_param(kind: str) -> Param:
    return Param(
        "sort",
        "Order: relevance (default with q), newest (default without q), "
        + ", ".join(s for s in services.SORTS[kind] if s not in ("relevance", "newest")),
        {"type": "string", "enum": list(services.SORTS[kind])},
    )


BUDGET = Param(
    "budget",
    "Budget range (万元) of the need's upper budget: " + ", ".join(services.BUDGET_CODES),
    {"type": "string", "enum": list(services.BUDGET_CODES)},
)


def list_params(kind: str, *filters: Param) -> tuple[Param, ...]:
    return (Q, *filters, sort_param(kind), EXACT, *PAGING)


SEARCH_SCHEMA: JSON = {
    "type": "object",
    "description": "Present when `q` was given: how the query was read, facet counts and help when empty",
    "properties": {
        "query": {"type": "string", "description": "What the index was asked (normalised, cut, corrected)"},
        "cut": {"type": "boolean"},
        "corrections": {"type": "object", "additionalProperties": {"type": "string"}},
        "sort": {"type": "string"},
        "notice": {"type": "string"},
        "facets": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "label": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "label": {"type": "string"},
                                "count": {"type": "integer"},
                                "selected": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "relaxations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"key": {"type": "string"}, "count": {"type": "integer"}},
            },
        },
        "elsewhere": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}


def searched_page_of(name: str) -> JSON:
    schema = page_of(name)
    schema["properties"] = {**schema["properties"], "search": SEARCH_SCHEMA}
    return schema


def search_page(kind: str, item: Callable[[Any], JSON]) -> JSON:
    """The list as the page shows it: same items, order and total; `search` when a query was given."""
    result = services.search(kind, search_request(kind))
    body = serialize.page(result.page, lambda row: item(row.obj))
    if result.query is not None:
        body["search"] = {
            "query": result.query.text,
            "cut": result.query.cut,
            "corrections": dict(result.query.corrections),
            "sort": result.sort,
            "notice": result.notice,
            "facets": [
                {
                    "key": facet.key,
                    "label": facet.label,
                    "values": [
                        {"code": v.code, "label": v.label, "count": v.count, "selected": v.selected}
                        for v in facet.values
                    ],
                }
                for facet in result.facets
            ],
            "suggestions": result.suggestions,
            "relaxations": [{"key": r.key, "count": r.count} for r in result.relaxations],
            "elsewhere": result.elsewhere,
        }
    return body
