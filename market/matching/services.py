"""Ranking providers for a need and needs for a provider, with business rules on top of the index."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from indexer.backends.base import EncoderMismatch, IndexUnavailable
from indexer.documents import Hit, Query
from market import permissions
from market.auth.models import User
from market.db import db
from market.errors import Forbidden, NotFound
from market.i18n import gettext as _
from market.matching import engine, indexing
from market.matching.documents import need_query_text, provider_query_text
from market.matching.models import MatchFeedback
from market.matching.reasons import Reason, explain, stop_terms
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Provider

log = logging.getLogger(__name__)
MAX_RESULTS = 50
# A provider the enterprise marked "useful" for this need rises by this many 匹配度 points in the
# list's order (the 匹配度 shown stays the pair's own); "not relevant" sinks to the bottom.
USEFUL_DEGREES = 5


class Matches(list[Any]):
    """A ranked list plus the notice to show when the results came from a fallback index."""

    notice: str = ""


@dataclass
class ProviderMatch:
    provider: Provider
    hit: Hit
    reason: Reason
    feedback: bool | None = None


@dataclass
class NeedMatch:
    need: Need
    hit: Hit
    reason: Reason


@dataclass(frozen=True)
class MatchFilters:
    province: str = ""
    kind: str = ""
    available_only: bool = False
    same_field_only: bool = False


def _need_boosts(need: Need) -> dict[str, tuple[str, ...]]:
    """What lifts a provider for a need: same field, same sub-field (a second small boost, so a
    provider of the need's 注塑成型 ranks above one of its field alone), same province, available."""
    return {
        "field": (need.field_code,),
        "subfield": (need.subfield_code,) if need.subfield_code else (),
        "province": (need.province,),
        "available": ("yes",),
    }


def providers_for_need(
    actor: Any, need: Need, filters: MatchFilters = MatchFilters(), k: int = 20
) -> Matches:
    if not permissions.can_see_matches(actor, need):
        # 404 like any object one may not see: the ranking names who competes for a confidential problem.
        raise NotFound(_("页面或资源不存在。"))
    hard: dict[str, tuple[str, ...]] = {}
    if filters.province:
        hard["province"] = (filters.province,)
    if filters.kind:
        hard["kind"] = (filters.kind,)
    if filters.available_only:
        hard["available"] = ("yes",)
    if filters.same_field_only:
        hard["field"] = (need.field_code,)
    query = Query(
        text=need_query_text(need),
        filters=hard,
        boosts=_need_boosts(need),
    )
    hits, notice = engine.search(engine.PROVIDERS, query, min(k, MAX_RESULTS) + 10)
    notice = notice or coverage_notice(engine.PROVIDERS)
    providers = _load(Provider, [hit.id for hit in hits])
    feedback = _feedback_for(need)
    stop = stop_terms()
    matches = [
        ProviderMatch(
            providers[int(hit.id)],
            hit,
            explain(hit, query, texts=_provider_texts(providers[int(hit.id)]), stop=stop),
            feedback.get(int(hit.id)),
        )
        for hit in hits
        if int(hit.id) in providers
    ]
    matches.sort(key=lambda m: _page_order(m.reason.degree, m.hit.score, m.feedback), reverse=True)
    result = Matches(matches[:k])
    result.notice = notice
    return result


def recommended_providers(need: Need, k: int = 10) -> list[Provider]:
    """The providers the engine ranks highest for a need (its match page's top `k`, no filters): those
    whose 推荐需求 most likely showed it. Internal (nobody reads this list); [] if the index cannot answer."""
    query = Query(
        text=need_query_text(need),
        filters={},
        boosts=_need_boosts(need),
    )
    try:
        hits, _notice = engine.search(engine.PROVIDERS, query, k)
    except INDEX_ERRORS:
        return []
    providers = _load(Provider, [hit.id for hit in hits])
    return [providers[int(hit.id)] for hit in hits if int(hit.id) in providers]


# What a damaged, missing or mismatched index (or its encoder) raises; pages show a notice instead.
INDEX_ERRORS = (EncoderMismatch, OSError, RuntimeError, ValueError)


def index_trouble(error: Exception) -> str:
    log.warning("matching unavailable: %s", error)
    if isinstance(error, EncoderMismatch):
        return _("匹配索引需要用当前模型重建（market reindex），暂时无法给出推荐。")
    if isinstance(error, IndexUnavailable):
        return _(
            "匹配索引文件缺失或损坏，暂时无法推荐；管理员运行 market reindex 即可恢复，你的数据不受影响。"
        )
    return _("匹配服务暂时不可用，请稍后再试；你的数据没有受到影响。")


def or_notice(rank: Callable[[], Matches]) -> Matches:
    """`rank()`, or no matches and a notice saying why, when the index cannot answer."""
    try:
        return rank()
    except INDEX_ERRORS as error:
        empty = Matches()
        empty.notice = index_trouble(error)
        return empty


def coverage_notice(kind: str, public: int | None = None) -> str:
    """Say so when the index holds fewer postings than the database publishes (deleted and
    recreated, built before a bulk load, or updates that failed): results would silently miss them.
    `public`: the number of public postings when the caller keeps it (counting them reads every row)."""
    public = indexing.public_count(kind) if public is None else public
    missing = public - indexing.count(kind)
    if missing <= 0:
        return ""
    return _(
        "匹配索引缺少 {missing} 条已发布记录，推荐结果可能不完整；管理员可运行 market index sync 补齐。",
        missing=missing,
    )


def _page_order(degree: int, score: float, feedback: bool | None) -> tuple[bool, int, float]:
    """Sort key of a match list: by 匹配度, the number the page shows, so a 14 never stands above an
    80; the fused score breaks ties. Sorting by it ranked as well as the fused score on market-dev
    (docs/matching.md, "Ranking II"). "Not relevant" sinks to the bottom; "useful" adds
    USEFUL_DEGREES, a nudge a few clicks cannot turn into a takeover."""
    if feedback is True:
        degree += USEFUL_DEGREES
    return (feedback is not False, degree, score)


def needs_for_provider(actor: Any, provider: Provider, k: int = 20) -> Matches:
    if not permissions.can_edit_provider(actor, provider) and not permissions.is_broker_for(
        actor, provider.province
    ):
        raise Forbidden(_("只能查看自己的推荐需求。"))
    query = Query(
        text=provider_query_text(provider),
        boosts={
            "field": tuple(provider.field_codes),
            "subfield": tuple(provider.subfield_codes),
            "province": (provider.province,),
        },
    )
    hits, notice = engine.search(engine.NEEDS, query, min(k, MAX_RESULTS) + 10)
    notice = notice or coverage_notice(engine.NEEDS)
    needs = _load(Need, [hit.id for hit in hits])
    today = date.today()
    open_needs = {
        need_id: need for need_id, need in needs.items() if need.deadline is None or need.deadline >= today
    }
    stop = stop_terms()
    result = Matches(
        NeedMatch(
            open_needs[int(hit.id)],
            hit,
            explain(
                hit,
                query,
                need_text=need_query_text(open_needs[int(hit.id)]),
                texts=(open_needs[int(hit.id)].description,),
                stop=stop,
            ),
        )
        for hit in hits
        if int(hit.id) in open_needs
    )
    result.sort(key=lambda m: (m.reason.degree, m.hit.score), reverse=True)
    del result[k:]
    result.notice = notice
    return result


def _provider_texts(provider: Provider) -> list[str]:
    """Where a match's evidence sentence may come from after the best passage."""
    texts = [f"{a.title}。{a.description}" for a in provider.achievements]
    texts += [f"{s.title}。{s.description}" for s in provider.services if s.active]
    return [*texts, provider.expertise or ""]


def _load(model: type[Need] | type[Provider], ids: list[str]) -> dict[int, Any]:
    # The index may lag behind the database by a moment: keep only rows that are still public.
    wanted = [int(i) for i in ids if i.isdecimal()]
    rows: Any = db.session.scalars(
        select(model).where(model.id.in_(wanted), model.status == PostingStatus.APPROVED)
    )
    return {row.id: row for row in rows}


def _feedback_for(need: Need) -> dict[int, bool]:
    rows = db.session.scalars(select(MatchFeedback).where(MatchFeedback.need_id == need.id))
    return {row.provider_id: row.useful for row in rows}


def record_feedback(
    actor: User,
    need: Need,
    provider: Provider,
    useful: bool,
    rank: int | None = None,
    score: float | None = None,
) -> MatchFeedback:
    if not permissions.can_judge_matches(actor, need):
        raise Forbidden(_("只有发布企业可以评价匹配结果。"))
    row = db.session.scalar(
        select(MatchFeedback).where(
            MatchFeedback.need_id == need.id,
            MatchFeedback.provider_id == provider.id,
            MatchFeedback.user_id == actor.id,
        )
    )
    if row is None:
        row = MatchFeedback(need_id=need.id, provider_id=provider.id, user_id=actor.id, useful=useful)
        db.session.add(row)
    row.useful, row.rank, row.score = useful, rank, score
    db.session.flush()
    return row
