"""Reading list filters and page numbers from query strings without ever failing on bad input."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from market.db import db

MAX_PAGE = 10_000
MAX_QUERY = 100


def arg(name: str, max_length: int = MAX_QUERY) -> str:
    # NUL is never meaningful in a filter and PostgreSQL refuses it in a string literal.
    return (request.args.get(name) or "").replace("\x00", "").strip()[:max_length]


def flag(name: str) -> bool:
    return request.args.get(name) in ("1", "true", "on", "y")


def page_number() -> int:
    raw = request.args.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdecimal() and int(raw) > 0 else 1


def per_page() -> int:
    raw = request.args.get("per_page", "")
    default = int(current_app.config["PAGE_SIZE"])
    return min(int(raw), 100) if raw.isdecimal() and int(raw) > 0 else default


def paginate(query: Select) -> Pagination:  # type: ignore[type-arg]
    return db.paginate(query, page=page_number(), per_page=per_page(), error_out=False)
