"""One query over the three lists (技术需求, 专家与机构, 服务清单) for integrations: the top hits of each.

Each list is the page's own search (`services.search`, the same ranked set, visibility and order), so
the hits, their order and each list's total are what `/needs/?q=…`, `/providers/?q=…` and
`/services/?q=…` show. Providers and services share the providers index's ranking (the index's
result cache, keyed by the query text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.search import query as query_parsing
from market.search import services

MAX_PER_KIND = 20
DEFAULT_PER_KIND = 5


@dataclass
class Everywhere:
    """The query as read, and each asked list's first page (its rows and total)."""

    query: query_parsing.ParsedQuery | None
    results: dict[str, services.SearchResult] = field(default_factory=dict)

    @property
    def notice(self) -> str:
        return next((r.notice for r in self.results.values() if r.notice), "")


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={name: [message]})


def check(q: str, per_kind: str, kinds: str) -> tuple[str, int, tuple[str, ...]]:
    """The request's arguments, or a 422 naming the argument that is wrong (integrations get told,
    unlike the lenient lists: a typo in `kinds` must not silently search something else)."""
    if not query_parsing.clean(q):
        raise _invalid("q", _("请填写搜索内容。"))
    size = DEFAULT_PER_KIND
    if per_kind:
        if not (per_kind.isascii() and per_kind.isdecimal()) or not 1 <= int(per_kind) <= MAX_PER_KIND:
            raise _invalid("per_kind", _("每类条数应为 1 到 {n} 的整数。", n=MAX_PER_KIND))
        size = int(per_kind)
    asked = tuple(dict.fromkeys(k.strip() for k in kinds.split(",") if k.strip())) or services.KINDS
    unknown = [k for k in asked if k not in services.KINDS]
    if unknown:
        raise _invalid("kinds", _("未知的列表：{kinds}", kinds=", ".join(unknown)))
    return q, size, asked


def search_everywhere(
    q: str, per_kind: int, kinds: tuple[str, ...] = services.KINDS, *, exact: bool = False
) -> Everywhere:
    """The first `per_kind` results of each list in `kinds` for `q`, in the list's relevance order."""
    found = Everywhere(None)
    request = services.SearchRequest(q=q, per_page=per_kind, exact=exact)
    for kind in kinds:
        result = services.search(kind, request, with_help=False)
        found.results[kind] = result
        found.query = found.query or result.query
    return found
