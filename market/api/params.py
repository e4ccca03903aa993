"""Query-string parameters shared by list endpoints (lenient: bad values fall back to defaults)."""

from __future__ import annotations

from market import pagination
from market.api.spec import Param

PAGE = Param("page", "Page number, from 1", {"type": "integer", "minimum": 1, "default": 1})
PER_PAGE = Param(
    "per_page",
    "Items per page (at most 100)",
    {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
)
# Lenient like the other list parameters: a longer search is cut, not refused, so no maxLength.
Q = Param(
    "q",
    f"Text search; only the first {pagination.MAX_QUERY} characters are used",
    {"type": "string"},
)
FIELD = Param("field", "Technical field code (see GET /fields)")
SUBFIELD = Param("subfield", "Sub-field code (细分领域, see GET /subfields)")
PROVINCE = Param("province", "Province code (see GET /regions)")
PAGING = (PAGE, PER_PAGE)


def text(name: str, max_length: int = pagination.MAX_QUERY) -> str:
    """A query argument without NUL characters (PostgreSQL refuses them in text)."""
    return pagination.arg(name, max_length).replace("\x00", "")


def flag(name: str) -> bool:
    return pagination.flag(name)
