"""Matches in the API: the ranked providers of a need and a provider's recommended needs.

The same services as the pages (market.matching.services) decide who may see them, rank and give
the reasons; the API pages through the ranked list (at most `MAX_RESULTS`) and puts each reason
into words in the request's language, as the page does.
"""

from __future__ import annotations

from typing import Any

from market.api import serialize
from market.api.auth import require_user
from market.api.params import PAGING, flag, text
from market.api.spec import Param, operation, ref
from market.errors import NotFound
from market.i18n import gettext as _
from market.matching import services
from market.matching.reasons import Reason
from market.needs import services as needs
from market.pagination import page_number, per_page
from market.providers import services as providers

JSON = dict[str, Any]
MAX_RESULTS = services.MAX_RESULTS

NUMBER: JSON = {"type": "number"}
REASON: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "terms", "passage", "semantic", "lexical", "field_fit", "region_fit", "available"],
    "properties": {
        "text": {"type": "string", "description": "The reason in words, in the request's language"},
        "terms": {"type": "array", "items": {"type": "string"}, "description": "Matched keywords"},
        "passage": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "label", "score"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["achievement", "service"]},
                        "label": {"type": "string"},
                        "score": NUMBER,
                    },
                },
            ],
            "description": "The provider's most relevant achievement or service",
        },
        "semantic": NUMBER,
        "lexical": NUMBER,
        "match_degree": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100,
            "description": "匹配度: calibrated 0-100, the same for this pair whatever else is listed",
        },
        "weak": {"type": "boolean", "description": "The match is weak (匹配较弱)"},
        "evidence": {"type": "string", "description": "The sentence the matched terms were found in"},
        "field_fit": {"type": "boolean"},
        "subfield_fit": {"type": "boolean", "description": "Same sub-field (细分领域)"},
        "region_fit": {"type": "boolean"},
        "available": {"type": "boolean"},
    },
}
NOTICE: JSON = {
    "type": "string",
    "description": "Why the list is empty or may be incomplete (index fallback or trouble); empty when not",
}


def _page_schema(item: JSON) -> JSON:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["items", "page", "per_page", "total", "notice"],
        "properties": {
            "items": {"type": "array", "items": item},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0, "maximum": MAX_RESULTS},
            "notice": NOTICE,
        },
    }


def _match_schema(what: str, schema: JSON) -> JSON:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["rank", what, "score", "reason"] + (["feedback"] if what == "provider" else []),
        "properties": {
            "rank": {"type": "integer", "minimum": 1, "description": "Position in the whole ranking, from 1"},
            what: schema,
            "score": NUMBER,
            "reason": REASON,
            **(
                {
                    "feedback": {
                        "type": ["boolean", "null"],
                        "description": "The enterprise's judgement: true useful, false not relevant",
                    }
                }
                if what == "provider"
                else {}
            ),
        },
    }


PASSAGE_KINDS = {"成果": "achievement", "服务": "service"}


def reason_json(reason: Reason) -> JSON:
    passage = None
    if reason.passage_label:
        passage = {
            "kind": PASSAGE_KINDS.get(reason.passage_kind, "achievement"),
            "label": reason.passage_label,
            "score": round(float(reason.passage_score), 4),
        }
    return {
        "text": reason.sentence(),
        "terms": list(reason.terms),
        "passage": passage,
        "semantic": round(float(reason.semantic), 4),
        "lexical": round(float(reason.lexical), 4),
        "match_degree": reason.degree,
        "weak": reason.weak,
        "evidence": reason.evidence_text(),
        "field_fit": reason.field_fit,
        "subfield_fit": reason.subfield_fit,
        "region_fit": reason.region_fit,
        "available": reason.available,
    }


def _paged(matches: services.Matches, item: Any) -> JSON:
    page, size = page_number(), per_page()
    start = (page - 1) * size
    return {
        "items": [item(rank, m) for rank, m in enumerate(matches[start : start + size], start=start + 1)],
        "page": page,
        "per_page": size,
        "total": len(matches),
        "notice": matches.notice,
    }


@operation(
    "/needs/<int:need_id>/matches",
    "GET",
    summary="Providers ranked for a need, with the reason of each (the need's enterprise and the brokers "
    "of its region; anyone else gets 404, as on the match page). The same ranking, reasons and filters "
    f"as the page; at most {MAX_RESULTS} matches, paged",
    tag="matching",
    query=(
        Param("province", "Only providers of this province (see GET /regions)"),
        Param("kind", "Only providers of this kind (expert, society, team, institution)"),
        Param("available", "Only providers taking orders (可接单) when 1/true", {"type": "boolean"}),
        Param("same_field", "Only providers of the need's field when 1/true", {"type": "boolean"}),
        *PAGING,
    ),
    response=_page_schema(_match_schema("provider", ref("Provider"))),
)
def need_matches(need_id: int) -> JSON:
    actor = require_user()
    need = needs.get_visible_need(actor, need_id)
    filters = services.MatchFilters(
        province=text("province", 12),
        kind=text("kind", 20),
        available_only=flag("available"),
        same_field_only=flag("same_field"),
    )
    # The page asks for 20 (30 hits before feedback re-ranking), the API for MAX_RESULTS: the order is the
    # same, except that a provider the enterprise marked useful beyond the page's 30 hits may rise here.
    matches = services.or_notice(lambda: services.providers_for_need(actor, need, filters, k=MAX_RESULTS))
    return _paged(
        matches,
        lambda rank, m: {
            "rank": rank,
            "provider": serialize.provider(m.provider),
            "score": round(float(m.hit.score), 4),
            "reason": reason_json(m.reason),
            "feedback": m.feedback,
        },
    )


@operation(
    "/me/recommended",
    "GET",
    summary="推荐需求: open public needs ranked for the caller's provider profile, with the reason of each "
    f"(the same ranking and reasons as the page); at most {MAX_RESULTS}, paged; 404 without a profile",
    tag="matching",
    query=PAGING,
    response=_page_schema(_match_schema("need", ref("Need"))),
    errors=(404,),
)
def recommended_needs() -> JSON:
    actor = require_user()
    provider = providers.provider_of(actor)
    if provider is None:
        raise NotFound(_("你的账号没有服务方资料。"))
    matches = services.or_notice(lambda: services.needs_for_provider(actor, provider, k=MAX_RESULTS))
    return _paged(
        matches,
        lambda rank, m: {
            "rank": rank,
            "need": serialize.need(needs.as_seen_by(actor, m.need, with_history=False)),
            "score": round(float(m.hit.score), 4),
            "reason": reason_json(m.reason),
        },
    )
