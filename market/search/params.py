"""One reading of a list's query string for the pages and the API (lenient: bad values are ignored)."""

from __future__ import annotations

from flask import request

from market.pagination import page_number, per_page
from market.search.query import MAX_RAW_CHARS
from market.search.services import FILTERS, SearchRequest


def _arg(name: str, limit: int = 100) -> str:
    return (request.args.get(name) or "").replace("\x00", "").strip()[:limit]


def search_request(kind: str) -> SearchRequest:
    return SearchRequest(
        q=_arg("q", MAX_RAW_CHARS),
        filters={key: _arg(key, 40) for key in FILTERS[kind] if _arg(key, 40)},
        sort=_arg("sort", 20),
        page=page_number(),
        per_page=per_page(),
        exact=_arg("exact", 5) in ("1", "true", "on", "y"),
    )
