"""A reason a person can read for every match: the informative matched terms, the 匹配度 (an
absolute 0-100 calibrated on judged pairs, indexer/calibration.py), the evidence sentence with the
terms highlighted, and a plain "匹配较弱" when the match is weak."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from indexer import calibration
from indexer.analysis import STOPWORDS, normalise
from indexer.documents import Hit, Query
from indexer.stopwords import CURATED, frequent_terms, informative
from market.db import db
from market.i18n import gettext as _
from market.matching.documents import need_query_text, provider_document
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Provider

PASSAGE_KIND_LABELS = {"achievement": "成果", "service": "服务"}
MAX_TERMS = 8
# The corpus-derived stop list reads the texts of at most this many recent postings of each kind.
STOP_SAMPLE = 1000
STOP_REFRESH_SHARE = 0.05
STOP_REFRESH_SECONDS = 3600.0
EVIDENCE_CHARS = 120
# The earlier, shorter boilerplate list (market.suggest still reads it); the reasons use the stop list
# of indexer/stopwords.py, which contains all of these.
GENERIC_TERMS = frozenset(
    """技术 服务 提供 专家 团队 合作 方式 领域 方案 项目 开展 工作 具体 希望 目标 相关 行业 单位 能力
    支持 实现 提升 优化 改进 开发 研发 应用 经验 联系 意向 附上 类似 案例 外部 对方 有意 需求""".split()
)
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?\n])")

# A sentence part and whether it is a matched term (the template marks those; Jinja escapes both).
Segment = tuple[str, bool]


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
    degree: int = 0  # 匹配度, 0-100, the same for this pair on every page
    evidence: tuple[Segment, ...] = ()
    subfield_fit: bool = False

    @property
    def weak(self) -> bool:
        return calibration.is_weak(self.degree)

    def evidence_text(self) -> str:
        return "".join(part for part, _marked in self.evidence)

    def sentence(self) -> str:
        parts = [_("匹配度 {degree}", degree=self.degree)]
        if self.weak:
            parts.append(_("匹配较弱"))
        if self.terms:
            parts.append(_("命中关键词：{terms}", terms="、".join(self.terms)))
        if self.passage_label:
            parts.append(_("最相关{kind}：《{label}》", kind=_(self.passage_kind), label=self.passage_label))
        if self.subfield_fit:
            parts.append(_("细分领域一致"))
        elif self.field_fit:
            parts.append(_("领域一致"))
        if self.region_fit:
            parts.append(_("同省"))
        return " · ".join(parts)


# -- the stop list ------------------------------------------------------------------------------

_stop_lock = threading.Lock()
# Per database: (posting count, when built, the stop list).
_stop_cache: dict[str, tuple[int, float, frozenset[str]]] = {}


def stop_terms() -> frozenset[str]:
    """The curated list plus the terms in too many of the public postings. Each process builds it
    (about 1.4 s per 1,000 postings on the shared development machine) when it has none, when the
    number of public postings moved by more than STOP_REFRESH_SHARE, or after STOP_REFRESH_SECONDS;
    otherwise one count query. Shares of whole corpora barely move with a few postings."""
    count = sum(
        db.session.scalar(select(func.count(model.id)).where(model.status == PostingStatus.APPROVED)) or 0
        for model in (Need, Provider)
    )
    url = str(db.engine.url)
    now = time.monotonic()
    with _stop_lock:
        cached = _stop_cache.get(url)
    if (
        cached is not None
        and abs(count - cached[0]) <= STOP_REFRESH_SHARE * max(cached[0], 1)
        and now - cached[1] < STOP_REFRESH_SECONDS
    ):
        return cached[2]
    stop = CURATED | frequent_terms(_posting_texts())
    with _stop_lock:
        _stop_cache[url] = (count, now, stop)
    return stop


def _posting_texts() -> Iterator[str]:
    """The public postings as the index reads them, the most recent STOP_SAMPLE of each kind."""
    needs = select(Need).where(Need.status == PostingStatus.APPROVED).order_by(Need.id.desc())
    for need in db.session.scalars(needs.limit(STOP_SAMPLE)):
        yield need_query_text(need)
    providers = select(Provider).where(Provider.status == PostingStatus.APPROVED).order_by(Provider.id.desc())
    for provider in db.session.scalars(providers.limit(STOP_SAMPLE)):
        document = provider_document(provider)
        yield " ".join([document.title, document.text, *(p.text for p in document.passages)])


def _made_of_stop_words(term: str, stop: frozenset[str]) -> bool:
    """A compound of filler is filler too: "华东地区" is 华东 + 地区."""
    reachable = [True] + [False] * len(term)
    for end in range(1, len(term) + 1):
        reachable[end] = any(
            reachable[start] and (term[start:end] in stop or term[start:end] in STOPWORDS)
            for start in range(max(0, end - 6), end)
        )
    return reachable[-1]


def telling_terms(terms: Iterable[str], stop: frozenset[str] = CURATED) -> tuple[str, ...]:
    """The matched terms worth showing: no single characters, no filler (curated or too frequent)."""
    kept = [term for term in informative(terms, stop) if not _made_of_stop_words(term, stop)]
    return tuple(kept[:MAX_TERMS])


# -- the evidence sentence ----------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def highlight(sentence: str, terms: Sequence[str]) -> tuple[Segment, ...]:
    """`sentence` cut into plain parts and matched terms (longest term first, case-insensitive)."""
    folded = normalise(sentence) if len(normalise(sentence)) == len(sentence) else sentence.lower()
    marked = [False] * len(sentence)
    for term in sorted(set(terms), key=len, reverse=True):
        start = folded.find(term)
        while start >= 0:
            span = range(start, start + len(term))
            if not any(marked[i] for i in span):
                for i in span:
                    marked[i] = True
            start = folded.find(term, start + len(term))
    segments: list[Segment] = []
    for char, is_term in zip(sentence, marked, strict=True):
        if segments and segments[-1][1] == is_term:
            segments[-1] = (segments[-1][0] + char, is_term)
        else:
            segments.append((char, is_term))
    return tuple(segments)


def _count(sentence: str, terms: Sequence[str]) -> int:
    folded = normalise(sentence)
    return sum(1 for term in terms if term in folded)


def _window(sentence: str, terms: Sequence[str]) -> str:
    """At most EVIDENCE_CHARS of a long sentence, starting a little before its first matched term."""
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    folded = normalise(sentence)
    first = min((folded.find(t) for t in terms if t in folded), default=0)
    start = max(0, min(first - 20, len(sentence) - EVIDENCE_CHARS))
    return ("…" if start else "") + sentence[start : start + EVIDENCE_CHARS] + "…"


def evidence(texts: Sequence[str], terms: Sequence[str]) -> tuple[Segment, ...]:
    """The sentence of `texts` (best passage first) with the most matched terms, highlighted; the
    first sentence of the first text when none has a matched term."""
    best, best_count = "", 0
    for text in texts:
        for sentence in sentences(text):
            count = _count(sentence, terms)
            if count > best_count:
                best, best_count = sentence, count
    if not best:
        first = next((s for text in texts for s in sentences(text)), "")
        return ((_window(first, ()), False),) if first else ()
    return highlight(_window(best, terms), terms)


# -- one hit's reason ---------------------------------------------------------------------------


def explain(
    hit: Hit,
    query: Query,
    *,
    need_text: str | None = None,
    texts: Sequence[str] = (),
    stop: frozenset[str] | None = None,
) -> Reason:
    """The reason for `hit`. `need_text` is the need's text when the need is the document (a
    provider's recommended needs), else the query is the need; `texts` are where the evidence
    sentence may come from after the hit's best passage (the provider's other achievements,
    services and profile; the need's description)."""
    stop = CURATED if stop is None else stop
    passage = hit.best_passage
    kind = PASSAGE_KIND_LABELS.get(passage.key.split(":", 1)[0], "") if passage else ""
    terms = telling_terms(hit.matched_terms, stop)
    need_terms = calibration.need_terms(need_text if need_text is not None else query.text, stop)
    same_field = "field" in hit.boosts
    sources = ([passage.text] if passage else []) + [t for t in texts if t]
    return Reason(
        terms=terms,
        passage_kind=kind,
        passage_label=passage.label if passage else "",
        passage_score=hit.best_passage_score,
        semantic=hit.dense,
        lexical=hit.lexical,
        field_fit=same_field,
        region_fit="province" in hit.boosts,
        available="available" in hit.boosts,
        degree=calibration.match_degree(hit, need_terms, stop, same_field),
        evidence=evidence(sources, terms),
        subfield_fit="subfield" in hit.boosts,
    )
