"""A reason a person can read for every match: matched terms, best achievement or service, fit."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.documents import Hit, Query
from market.i18n import gettext as _

PASSAGE_KIND_LABELS = {"achievement": "成果", "service": "服务"}
MAX_TERMS = 8
# Words every posting on a technology marketplace uses: true matches, but no reason to pick anyone.
GENERIC_TERMS = frozenset(
    """技术 服务 提供 专家 团队 合作 方式 领域 方案 项目 开展 工作 具体 希望 目标 相关 行业 单位 能力
    支持 实现 提升 优化 改进 开发 研发 应用 经验 联系 意向 附上 类似 案例 外部 对方 有意 需求""".split()
)


def telling_terms(terms: list[str]) -> tuple[str, ...]:
    """The matched terms worth showing: no single characters, no marketplace boilerplate."""
    return tuple(t for t in terms if len(t) > 1 and t not in GENERIC_TERMS)[:MAX_TERMS]


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
        terms=telling_terms(hit.matched_terms),
        passage_kind=kind,
        passage_label=passage.label if passage else "",
        passage_score=hit.best_passage_score,
        semantic=hit.dense,
        lexical=hit.lexical,
        field_fit="field" in hit.boosts,
        region_fit="province" in hit.boosts,
        available="available" in hit.boosts,
    )
