"""Saved searches (保存的搜索): what a person may save, see, rename and delete.

A saved search belongs to the person who saved it; nobody else reads or changes it (404, as for any
object one may not see). It is one list's request as the search reads it (market.search.services:
the list, the query, the filters, the sort), or, kind "recommended", the person's own 推荐需求 (the
needs the matching engine recommends to their provider profile). Saving the same search twice keeps
the first one; `SAVED_SEARCHES_PER_USER` bounds how many one person keeps (409 beyond it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select

from market import taxonomy
from market.db import db
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.providers import services as providers
from market.reference import services as reference
from market.saved_searches.models import SavedSearch
from market.search import query as query_parsing
from market.search import services as search

RECOMMENDED = "recommended"
KINDS = (*search.KINDS, RECOMMENDED)
KIND_LABELS = {
    search.NEEDS: N_("技术需求"),
    search.PROVIDERS: N_("专家与机构"),
    search.SERVICES: N_("服务清单"),
    RECOMMENDED: N_("推荐需求"),
}
LIST_ENDPOINTS = {
    search.NEEDS: "needs.browse",
    search.PROVIDERS: "providers.browse",
    search.SERVICES: "providers.services_browse",
    RECOMMENDED: "matching.recommended_needs",
}
NAME_MAX = 60
QUERY_MAX = query_parsing.MAX_RAW_CHARS
FILTER_VALUE_MAX = 40


@dataclass(frozen=True)
class SearchTerms:
    """What a person asks to save, as typed (checked by `save`)."""

    kind: str
    name: str = ""
    q: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: str = ""


def limit() -> int:
    return int(current_app.config.get("SAVED_SEARCHES_PER_USER", 20))


# ---- reading -------------------------------------------------------------------------------------------


def my_searches(actor: Any) -> list[SavedSearch]:
    """The person's saved searches, newest first."""
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == actor.id).order_by(SavedSearch.id.desc())
        )
    )


def get_own(actor: Any, search_id: int) -> SavedSearch:
    """One of the person's own saved searches; anyone else's (or none) is 404."""
    found = db.session.get(SavedSearch, search_id)
    if found is None or getattr(actor, "id", None) is None or found.user_id != actor.id:
        raise NotFound(_("页面或资源不存在。"))
    return found


def following_recommended(actor: Any) -> SavedSearch | None:
    return db.session.scalar(
        select(SavedSearch).where(SavedSearch.user_id == actor.id, SavedSearch.kind == RECOMMENDED)
    )


def can_follow_recommended(actor: Any) -> bool:
    return providers.provider_of(actor) is not None


# ---- writing -------------------------------------------------------------------------------------------


def save(actor: Any, terms: SearchTerms) -> tuple[SavedSearch, bool]:
    """Save a search (or follow one's 推荐需求); returns it and whether it is new. The same search saved
    again is the one saved before (under its first name)."""
    kind = terms.kind
    if kind not in KINDS:
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors={"kind": [_("未知的列表。")]})
    if kind == RECOMMENDED:
        return follow_recommended(actor, terms.name)
    q = query_parsing.clean(terms.q)[:QUERY_MAX]
    filters = _checked_filters(kind, terms.filters)
    sort = _checked_sort(kind, terms.sort, ranked=bool(q))
    name = _checked_name(terms.name or default_name(kind, q))
    same_text = db.session.scalars(
        select(SavedSearch).where(
            SavedSearch.user_id == actor.id,
            SavedSearch.kind == kind,
            SavedSearch.query == q,
            SavedSearch.sort == sort,
        )
    )
    for existing in same_text:
        if dict(existing.filters or {}) == filters:
            return existing, False
    _check_room(actor)
    saved = SavedSearch(user_id=actor.id, name=name, kind=kind, query=q, filters=filters, sort=sort)
    db.session.add(saved)
    db.session.flush()
    return saved, True


def follow_recommended(actor: Any, name: str = "") -> tuple[SavedSearch, bool]:
    """A provider follows its own 推荐需求: new needs recommended to it are alerted like a saved search."""
    if not can_follow_recommended(actor):
        raise Conflict(_("只有服务方可以关注推荐需求。"))
    existing = following_recommended(actor)
    if existing is not None:
        return existing, False
    _check_room(actor)
    saved = SavedSearch(
        user_id=actor.id,
        name=_checked_name(name or _(KIND_LABELS[RECOMMENDED])),
        kind=RECOMMENDED,
        query="",
        filters={},
        sort="",
    )
    db.session.add(saved)
    db.session.flush()
    return saved, True


def rename(actor: Any, search_id: int, name: str) -> SavedSearch:
    saved = get_own(actor, search_id)
    saved.name = _checked_name(name)
    db.session.flush()
    return saved


def delete(actor: Any, search_id: int) -> None:
    db.session.delete(get_own(actor, search_id))
    db.session.flush()


def _check_room(actor: Any) -> None:
    held = db.session.scalar(select(func.count()).where(SavedSearch.user_id == actor.id)) or 0
    if held >= limit():
        raise Conflict(_("最多保存 {limit} 个搜索，请先删除不再需要的。", limit=limit()))


def _checked_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors={"name": [_("请填写名称。")]})
    if len(cleaned) > NAME_MAX:
        message = _("名称最多 {max} 个字。", max=NAME_MAX)
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors={"name": [message]})
    return cleaned


def default_name(kind: str, q: str) -> str:
    """A saved search's name when none was typed: its query, or the list's name."""
    text = " ".join(q.split())
    if len(text) > NAME_MAX:
        text = text[: NAME_MAX - 1] + "…"
    return text or _(KIND_LABELS.get(kind, kind))


def _filter_codes(key: str) -> set[str] | None:
    """The values a filter takes (None: checked by its own rule)."""
    if key == "field":
        return {code for code, *_rest in reference.field_choices()}
    if key == "subfield":
        return set(reference.subfields())
    if key == "province":
        return {code for code, *_rest in reference.province_choices()}
    if key == "mode":
        return {term.code for term in taxonomy.COOPERATION_MODES}
    if key == "kind":
        return {term.code for term in taxonomy.PROVIDER_KINDS}
    if key == "category":
        return {term.code for term in taxonomy.SERVICE_CATEGORIES}
    if key == "budget":
        return set(search.BUDGET_CODES)
    return None


def _checked_filters(kind: str, given: Mapping[str, Any]) -> dict[str, str]:
    filters: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for key, raw in given.items():
        value = "" if raw is None else str(raw).strip()
        if key not in search.FILTERS[kind]:
            problems[key] = [_("该列表没有这个筛选条件。")]
            continue
        if not value:
            continue
        if key in search.FLAGS:
            if value.lower() in ("1", "true", "on", "y", "yes"):
                filters[key] = "yes"
            elif value.lower() not in ("0", "false", "off", "n", "no"):
                problems[key] = [_("无效的选项。")]
            continue
        codes = _filter_codes(key)
        if len(value) > FILTER_VALUE_MAX or (codes is not None and value not in codes):
            problems[key] = [_("无效的选项。")]
            continue
        filters[key] = value
    if problems:
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors=problems)
    return filters


def _checked_sort(kind: str, sort: str, *, ranked: bool) -> str:
    sort = (sort or "").strip()
    if not sort:
        return ""
    if sort not in search.SORTS[kind] or (sort == "relevance" and not ranked):
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors={"sort": [_("无效的排序方式。")]})
    return sort


# ---- what a saved search means -------------------------------------------------------------------------


def request_of(saved: SavedSearch, per_page: int = 20) -> search.SearchRequest:
    """The search request a saved search stands for (first page)."""
    return search.SearchRequest(
        q=saved.query, filters=dict(saved.filters or {}), sort=saved.sort, page=1, per_page=per_page
    )


def list_url(saved: SavedSearch) -> str:
    """The list page showing the saved search's results now."""
    if saved.kind == RECOMMENDED:
        return url_for(LIST_ENDPOINTS[RECOMMENDED])
    args: dict[str, Any] = {}
    if saved.query:
        args["q"] = saved.query
    for key, value in (saved.filters or {}).items():
        args[key] = "1" if key in search.FLAGS else str(value)
    if saved.sort:
        args["sort"] = saved.sort
    return url_for(LIST_ENDPOINTS[saved.kind], **args)


def describe(saved: SavedSearch) -> list[tuple[str, str]]:
    """(label, value) pairs of the saved search's filters and sort, in the reader's language."""
    parts = [
        (_(search.FILTER_LABELS[key]), search.value_label(key, str(value)))
        for key, value in saved.filters.items()
        if key in search.FILTER_LABELS
    ]
    if saved.sort:
        parts.append((_("排序"), _(search.SORT_LABELS.get(saved.sort, saved.sort))))
    return parts
