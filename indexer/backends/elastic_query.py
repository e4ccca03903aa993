"""Search request bodies of the Elasticsearch backend (pure functions, tested without a server).

A search is two `_msearch` round trips and one `_mget`:

1. candidates: BM25 top-N (`query`, hard filters in `bool.filter`), kNN top-N on the whole-document
   vector and kNN top-N on the nested passage vectors (both with the same filters);
2. evidence for the union of candidates, exactly as the embedded backend computes it: BM25 of every
   candidate, the whole-document cosine (`script_score`) and the best passage cosine with its
   position (`nested` + `script_score`, `score_mode: max`, `inner_hits`);
3. `_source` (title, passages, tokens) of the top `k` only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.backends.elastic_mapping import LEXICAL_FIELD, Analyzer, rounded
from indexer.fusion import FusionConfig

MAX_NUM_CANDIDATES = 10_000  # Elasticsearch's upper bound for knn.num_candidates
DOC_VECTOR = "vector"
PASSAGE_VECTOR = "passages.vector"
# script_score must not be negative: shift the cosine by one, subtract it again when parsing.
COSINE_SCRIPT = "cosineSimilarity(params.query_vector, '{field}') + 1.0"


@dataclass(frozen=True)
class SearchPlan:
    """Everything the bodies depend on for one query."""

    index: str
    lexical: dict[str, Any] | None  # the BM25 clause, None when the query has no terms
    vector: list[float]
    filters: list[dict[str, Any]]
    candidates: int
    num_candidates: int
    search_type: str | None  # "dfs_query_then_fetch" with several shards: global BM25 statistics
    method: str


def filter_clauses(filters: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """Hard filters: one `terms` per key (OR within a key), the list is ANDed by `bool.filter`."""
    return [
        {"terms": {f"filters.{key}": [str(value) for value in values]}} for key, values in filters.items()
    ]


def lexical_clause(analyzer: Analyzer, terms: Sequence[str], text: str) -> dict[str, Any] | None:
    """BM25 over the analysed field: our jieba terms (pretokenised) or the raw text (plugin analyzer)."""
    field = LEXICAL_FIELD[analyzer]
    if analyzer == "pretokenised":
        if not terms:
            return None
        return {"match": {field: {"query": " ".join(terms), "operator": "or"}}}
    if not text.strip():
        return None
    return {"match": {field: {"query": text, "operator": "or"}}}


def num_candidates_for(k: int, factor: float) -> int:
    return max(k, min(MAX_NUM_CANDIDATES, math.ceil(k * factor)))


def make_plan(
    index: str,
    analyzer: Analyzer,
    terms: Sequence[str],
    text: str,
    vector: np.ndarray,
    filters: Mapping[str, Sequence[str]],
    config: FusionConfig,
    *,
    num_candidates_factor: float = 2.0,
    shards: int = 1,
) -> SearchPlan:
    candidates = min(config.candidates, MAX_NUM_CANDIDATES)
    return SearchPlan(
        index=index,
        lexical=lexical_clause(analyzer, terms, text),
        vector=rounded(vector),
        filters=filter_clauses(filters),
        candidates=candidates,
        num_candidates=num_candidates_for(candidates, num_candidates_factor),
        search_type="dfs_query_then_fetch" if shards > 1 else None,
        method=config.method,
    )


def _header(plan: SearchPlan, lexical: bool = False) -> dict[str, Any]:
    header: dict[str, Any] = {"index": plan.index}
    if lexical and plan.search_type:
        header["search_type"] = plan.search_type
    return header


def knn_clause(plan: SearchPlan, field: str) -> dict[str, Any]:
    clause: dict[str, Any] = {
        "field": field,
        "query_vector": plan.vector,
        "k": plan.candidates,
        "num_candidates": plan.num_candidates,
    }
    if plan.filters:
        # On a nested field the filter applies to the top-level document: our filters live there.
        clause["filter"] = plan.filters
    return clause


def candidate_searches(plan: SearchPlan) -> list[dict[str, Any]]:
    """`_msearch` lines (header, body, header, body, ...) of round 1, in the order
    lexical (if any), whole-document kNN, passage kNN."""
    lines: list[dict[str, Any]] = []
    if plan.method != "dense" and plan.lexical is not None:
        query = {"bool": {"must": [plan.lexical], "filter": plan.filters}}
        lines += [_header(plan, lexical=True), _ids_only(plan.candidates) | {"query": query}]
    if plan.method != "bm25":
        for field in (DOC_VECTOR, PASSAGE_VECTOR):
            lines += [_header(plan), _ids_only(plan.candidates) | {"knn": knn_clause(plan, field)}]
    return lines


def _ids_only(size: int) -> dict[str, Any]:
    return {"size": size, "_source": False, "track_total_hits": False}


def cosine_script(field: str, vector: list[float]) -> dict[str, Any]:
    return {"source": COSINE_SCRIPT.format(field=field), "params": {"query_vector": vector}}


def evidence_searches(plan: SearchPlan, ids: Sequence[str]) -> list[dict[str, Any]]:
    """`_msearch` lines of round 2 for the candidate `ids`: lexical (if any), document cosine with
    the filters from `_source` (for boosts), best passage cosine with `inner_hits`."""
    id_filter = {"ids": {"values": list(ids)}}
    size = len(ids)
    lines: list[dict[str, Any]] = []
    if plan.lexical is not None:
        query = {"bool": {"must": [plan.lexical], "filter": [id_filter]}}
        lines += [_header(plan, lexical=True), _ids_only(size) | {"query": query}]
    doc_query = {"script_score": {"query": id_filter, "script": cosine_script(DOC_VECTOR, plan.vector)}}
    lines += [_header(plan), _ids_only(size) | {"query": doc_query, "_source": ["filters"]}]
    nested = {
        "nested": {
            "path": "passages",
            "score_mode": "max",
            "query": {
                "script_score": {
                    "query": {"match_all": {}},
                    "script": cosine_script(PASSAGE_VECTOR, plan.vector),
                }
            },
            "inner_hits": {"size": 1, "_source": False},
        }
    }
    passage_query = {"bool": {"must": [nested], "filter": [id_filter]}}
    lines += [_header(plan), _ids_only(size) | {"query": passage_query}]
    return lines


# Fields fetched for the final hits only.
HIT_SOURCE_FIELDS = ["title", "tokens", "passages"]
