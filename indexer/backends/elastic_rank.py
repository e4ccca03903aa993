"""From Elasticsearch responses to `Hit`s, fused with `indexer.fusion` exactly like the embedded backend.

Pure functions over response JSON, so canned responses test them without a server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.analysis import display_terms
from indexer.backends.elastic_mapping import passage_from_source
from indexer.documents import Hit, Passage, Query
from indexer.fusion import FusionConfig, boost_amounts, combine_dense, fuse


class SearchFailed(RuntimeError):
    """One search of an `_msearch` came back with an error (the others may have succeeded)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"Elasticsearch search failed ({status}): {reason}")
        self.status = status


def cosine_from_script_score(score: float) -> float:
    """Our `script_score` returns cosine + 1."""
    return float(score) - 1.0


def cosine_from_knn_score(score: float) -> float:
    """kNN `_score` for `similarity: cosine` is (1 + cosine) / 2."""
    return 2.0 * float(score) - 1.0


def response_hits(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The hits of one `_msearch` item, raising `SearchFailed` for an item that failed."""
    if "error" in response:
        error = response["error"]
        reason = error.get("reason", str(error)) if isinstance(error, Mapping) else str(error)
        raise SearchFailed(int(response.get("status", 500)), reason)
    return list(response.get("hits", {}).get("hits", []))


def candidate_ids(responses: Sequence[Mapping[str, Any]]) -> list[str]:
    """Union of the round-1 hits in order of first appearance."""
    seen: dict[str, None] = {}
    for response in responses:
        for hit in response_hits(response):
            seen.setdefault(str(hit["_id"]), None)
    return list(seen)


@dataclass
class Evidence:
    """Per candidate (aligned with `ids`): what fusion needs."""

    ids: list[str]
    lexical: np.ndarray  # raw BM25, 0 where no term matched
    doc_cos: np.ndarray
    passage_cos: np.ndarray  # NaN where the document has no passage
    passage_offset: np.ndarray  # position in _source.passages, -1 where none
    filters: list[dict[str, tuple[str, ...]]]


def evidence_from(ids: Sequence[str], responses: Sequence[Mapping[str, Any]], has_lexical: bool) -> Evidence:
    """Parse round 2 (`indexer.backends.elastic_query.evidence_searches` order)."""
    position = {doc_id: i for i, doc_id in enumerate(ids)}
    n = len(ids)
    lexical = np.zeros(n, dtype=np.float32)
    doc_cos = np.zeros(n, dtype=np.float32)
    passage_cos = np.full(n, np.nan, dtype=np.float32)
    passage_offset = np.full(n, -1, dtype=np.int64)
    filters: list[dict[str, tuple[str, ...]]] = [{} for _ in ids]
    items = list(responses)
    if has_lexical:
        for hit in response_hits(items.pop(0)):
            if (i := position.get(str(hit["_id"]))) is not None:
                lexical[i] = float(hit["_score"])
    doc_items, passage_items = items
    for hit in response_hits(doc_items):
        if (i := position.get(str(hit["_id"]))) is not None:
            doc_cos[i] = cosine_from_script_score(hit["_score"])
            source_filters = hit.get("_source", {}).get("filters", {})
            filters[i] = {key: _as_tuple(values) for key, values in source_filters.items()}
    for hit in response_hits(passage_items):
        if (i := position.get(str(hit["_id"]))) is not None:
            best = _best_inner_hit(hit)
            if best is not None:
                passage_cos[i] = cosine_from_script_score(best["_score"])
                passage_offset[i] = int(best["_nested"]["offset"])
    return Evidence(list(ids), lexical, doc_cos, passage_cos, passage_offset, filters)


def _as_tuple(values: Any) -> tuple[str, ...]:
    if isinstance(values, list | tuple):
        return tuple(str(value) for value in values)
    return (str(values),)


def _best_inner_hit(hit: Mapping[str, Any]) -> Mapping[str, Any] | None:
    inner = hit.get("inner_hits", {}).get("passages", {}).get("hits", {}).get("hits", [])
    return max(inner, key=lambda h: h["_score"]) if inner else None


@dataclass
class Ranked:
    """Fused scores of every candidate and the positions of the top `k`, best first."""

    order: list[int]
    final: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray
    boosts: list[dict[str, float]]


def rank(evidence: Evidence, query: Query, k: int, config: FusionConfig) -> Ranked:
    """The embedded backend's `_rank`: combine_dense, fuse, soft boosts, top `k` (stable order)."""
    dense = combine_dense(evidence.doc_cos, evidence.passage_cos, config)
    fused = fuse(evidence.lexical, dense, config)
    active = {key: tuple(values) for key, values in query.boosts.items() if values}
    boosts = [
        boost_amounts(doc_filters, active, config) if active else {} for doc_filters in evidence.filters
    ]
    final = fused.score + np.array([sum(applied.values()) for applied in boosts], dtype=np.float32)
    order = np.argsort(-final, kind="stable")[:k]
    return Ranked([int(i) for i in order], final, fused.lexical, dense, boosts)


def matched_terms(terms: Sequence[str], tokens: str) -> list[str]:
    """Query terms that occur in the document's stored jieba tokens, longest form (display_terms)."""
    present = set(tokens.split())
    return display_terms(term for term in terms if term in present)


def build_hits(
    evidence: Evidence, ranked: Ranked, sources: Mapping[str, Mapping[str, Any]], terms: Sequence[str]
) -> list[Hit]:
    """Materialise the ranked top `k`; a document deleted between the rounds (no source) is skipped."""
    hits = []
    for i in ranked.order:
        doc_id = evidence.ids[i]
        source = sources.get(doc_id)
        if source is None:
            continue
        best = _passage_at(source, int(evidence.passage_offset[i]))
        hits.append(
            Hit(
                id=doc_id,
                score=float(ranked.final[i]),
                lexical=float(ranked.lexical[i]),
                dense=float(ranked.dense[i]),
                matched_terms=matched_terms(terms, source.get("tokens", "")),
                best_passage=best,
                best_passage_score=float(evidence.passage_cos[i]) if best is not None else 0.0,
                boosts=ranked.boosts[i],
                doc_dense=float(evidence.doc_cos[i]),
                title=source.get("title", ""),
                filters={key: tuple(values) for key, values in evidence.filters[i].items()},
                best_passage_key=best.key if best is not None else "",
            )
        )
    return hits


def _passage_at(source: Mapping[str, Any], offset: int) -> Passage | None:
    passages = source.get("passages", [])
    if 0 <= offset < len(passages):
        return passage_from_source(passages[offset])
    return None


def sources_from_mget(response: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(doc["_id"]): doc.get("_source", {}) for doc in response.get("docs", []) if doc.get("found")}
