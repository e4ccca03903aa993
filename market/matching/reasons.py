"""A reason a person can read for every match: matched terms, best achievement or service, fit."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.documents import Hit, Query
from market.i18n import gettext as _

PASSAGE_KIND_LABELS = {"achievement": "成果", "service": "服务"}


@dataclass(frozen=True)
class Reason:
    terms: tuple[str, ...]
    passage_kind: str  # "成果" / "服务" / ""
    passage_label: str
    passage_score: float
    semantic: float
    lexical: float
    field_fit: bool
    region_fit: bool
    available: bool

    def sentence(self) -> str:
        parts = []
        if self.terms:
            parts.append(_("命中关键词：{terms}", terms="、".join(self.terms)))
        if self.passage_label:
            parts.append(_("最相关{kind}：《{label}》", kind=_(self.passage_kind), label=self.passage_label))
        parts.append(_("语义相似度 {score:.2f}", score=self.semantic))
        if self.field_fit:
            parts.append(_("领域一致"))
        if self.region_fit:
            parts.append(_("同省"))
        return " · ".join(parts)


def explain(hit: Hit, query: Query) -> Reason:
    passage = hit.best_passage
    kind = PASSAGE_KIND_LABELS.get(passage.key.split(":", 1)[0], "") if passage else ""
    return Reason(
        terms=tuple(hit.matched_terms[:8]),
        passage_kind=kind,
        passage_label=passage.label if passage else "",
        passage_score=hit.best_passage_score,
        semantic=hit.dense,
        lexical=hit.lexical,
        field_fit="field" in hit.boosts,
        region_fit="province" in hit.boosts,
        available="available" in hit.boosts,
    )
