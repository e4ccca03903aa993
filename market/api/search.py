"""The `q`, filter and sort parameters of the public lists (/needs, /providers, /services) and the
`search` part of their answers: the same search service and the same order as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from market.api import serialize
from market.api.params import PAGING, flag
from market.api.spec import Param, operation, page_of, ref
from market.pagination import arg
from market.search import everywhere, services
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
    "description": "How the query was read (`query` is empty without `q`), the facet counts per filter "
    "value (also without `q`: counted over the newest-first list) and help when nothing was found",
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
        "ask_broker": {
            "type": "string",
            "description": "When a query found nothing: the operation (POST, body `query` and `kind`) that "
            "asks the brokers of the caller's region for help (请经纪人帮忙; enterprise tokens). "
            "Empty otherwise",
        },
    },
}


def searched_page_of(name: str) -> JSON:
    schema = page_of(name)
    schema["properties"] = {
        **schema["properties"],
        "search": SEARCH_SCHEMA,
        "weaker": {
            "type": "array",
            "items": ref(name),
            "description": "With `q`, ordered by relevance, on the last page of the results (the only "
            f"page when there are none): up to {services.WEAKER_MAX} next-best matches below the "
            "relevance cut that pass the same filters, shown after the results as weaker matches; not "
            "counted in `total` or the facets",
        },
    }
    return schema


def search_page(kind: str, item: Callable[[Any], JSON]) -> JSON:
    """The list as the page shows it: same items, order and total; `search` when a query was given."""
    result = services.search(kind, search_request(kind))
    body = serialize.page(result.page, lambda row: item(row.obj))
    if result.weaker:
        body["weaker"] = [item(row.obj) for row in result.weaker]
    if result.query is not None or result.facets:
        query = result.query
        body["search"] = {
            "query": query.text if query else "",
            "cut": query.cut if query else False,
            "corrections": dict(query.corrections) if query else {},
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
            "ask_broker": url_for("api.ask_broker") if query is not None and not body["total"] else "",
        }
    return body


# ---- one query over the three lists (integrations) ----------------------------------------------------

LINKS = {
    NEEDS: ("needs.browse", "api.list_needs"),
    PROVIDERS: ("providers.browse", "api.list_providers"),
    SERVICES: ("providers.services_browse", "api.list_services"),
}
MARKED = "HTML: the stored text escaped, the matched terms wrapped in <mark> (nothing else is markup)"
HIT: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "title_marked", "snippet_marked", "url", "score"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string", "description": "A need's or service's title, a provider's name"},
        "title_marked": {"type": "string", "description": MARKED},
        "snippet_marked": {
            "type": "string",
            "description": "Up to 120 characters around the first match. " + MARKED,
        },
        "url": {"type": "string", "description": "The posting's page (a service: its provider's page)"},
        "score": {"type": "number", "description": "Relevance (fused index score); higher is better"},
        "provider_id": {"type": "integer", "description": "services: the provider offering it"},
        "passage": {
            "type": ["object", "null"],
            "description": "providers: the best-matching achievement (成果) or service (服务)",
            "properties": {"kind": {"type": "string"}, "label_marked": {"type": "string"}},
        },
    },
}
KIND_RESULT: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["total", "items", "url", "api"],
    "properties": {
        "total": {"type": "integer", "minimum": 0, "description": "All results of the list for q"},
        "items": {"type": "array", "items": HIT},
        "url": {"type": "string", "description": "The list page with this query (all results)"},
        "api": {"type": "string", "description": "The list endpoint with this query (paged, filters)"},
    },
}
EVERYWHERE: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["query", "cut", "corrections", "notice", "results"],
    "properties": {
        "query": {"type": "string", "description": "What the index was asked (normalised, cut, corrected)"},
        "cut": {"type": "boolean"},
        "corrections": {"type": "object", "additionalProperties": {"type": "string"}},
        "notice": {"type": "string", "description": "Index fallback or trouble; empty when none"},
        "results": {
            "type": "object",
            "additionalProperties": False,
            "properties": {kind: KIND_RESULT for kind in services.KINDS},
        },
    },
}


def _hit(kind: str, row: services.Row) -> JSON:
    obj = row.obj
    hit: JSON = {
        "id": obj.id,
        "title": obj.name if kind == PROVIDERS else obj.title,
        "title_marked": str(row.title),
        "snippet_marked": str(row.snippet),
        "score": round(float(row.score), 4),
    }
    if kind == NEEDS:
        hit["url"] = url_for("needs.detail", need_id=obj.id)
    elif kind == PROVIDERS:
        hit["url"] = url_for("providers.detail", provider_id=obj.id)
        passage = {"kind": row.passage_kind, "label_marked": str(row.passage)} if row.passage else None
        hit["passage"] = passage
    else:
        hit["url"] = url_for("providers.detail", provider_id=obj.provider_id)
        hit["provider_id"] = obj.provider_id
    return hit


@operation(
    "/search",
    "GET",
    summary="One query over needs, providers and services (for integrations): each list's top hits, "
    "ranked as the list pages rank them, with the matched terms marked and links to all results",
    tag="search",
    auth="optional",
    query=(
        Param("q", Q.description + " Required.", {"type": "string", "minLength": 1}),
        Param(
            "per_kind",
            f"Hits per list (1-{everywhere.MAX_PER_KIND}, default {everywhere.DEFAULT_PER_KIND})",
            {"type": "integer", "minimum": 1, "maximum": everywhere.MAX_PER_KIND},
        ),
        Param(
            "kinds",
            "Comma-separated lists to search (default all): " + ", ".join(services.KINDS),
            {"type": "string"},
        ),
        EXACT,
    ),
    response=EVERYWHERE,
    errors=(422,),
)
def search_everywhere() -> JSON:
    q, per_kind, kinds = everywhere.check(
        arg("q", MAX_RAW_CHARS).replace("\x00", ""), arg("per_kind", 10), arg("kinds", 100)
    )
    found = everywhere.search_everywhere(q, per_kind, kinds, exact=flag("exact"))
    parsed = found.query
    body: JSON = {
        "query": parsed.text if parsed else q,
        "cut": parsed.cut if parsed else False,
        "corrections": dict(parsed.corrections) if parsed else {},
        "notice": found.notice,
        "results": {},
    }
    for kind, result in found.results.items():
        page, api = LINKS[kind]
        body["results"][kind] = {
            "total": result.total,
            "items": [_hit(kind, row) for row in result.page.items],
            "url": url_for(page, q=q),
            "api": url_for(api, q=q),
        }
    return body
