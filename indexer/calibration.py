"""匹配度: an absolute 0-100 match degree for one need and one provider.

The fused score ranks well but is relative: it is min-max normalised over each result list, so it
passes 1 with boosts and a provider's score moves when another provider enters the list. The
match degree reads only what belongs to the pair itself -- the cosine of the need and the whole
profile, the cosine of the need and the best achievement or service, the share of the need's
informative terms found in the profile, whether the fields agree -- and maps them through a
logistic fit of "judged relevant" on the market-dev set (benchmarks/fit_match_degree.py, folds by
need; table in docs/matching.md). So 80 means: of the pairs the engine showed with about this
degree, about 80 % were judged relevant by hand. The weights are constants here, never fitted at
runtime.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from indexer.analysis import query_terms
from indexer.documents import Hit
from indexer.stopwords import informative

Features = tuple[float, float, float, float]

# Intercept, whole-profile cosine, best-passage cosine, term coverage, same field: the logistic fit
# of benchmarks/fit_match_degree.py on market-dev (150 providers, each with a field like every
# provider on the platform; the top 50 of 50 needs = 2,500 pairs), refitted on all pairs after the
# cross-validation by need reported in docs/matching.md. The cosines move over a narrow range
# (0.8-0.95), hence the large weights.
WEIGHTS: tuple[float, ...] = (-76.2231, 25.7643, 54.2415, 24.1648, 2.956)
# Below this the pages say "匹配较弱": out of fold, about one pair in ten under 20 was judged
# relevant (about one in a hundred under 10), against a third from 20 to 29.
WEAK_BELOW = 20


def need_terms(need_text: str, stop: frozenset[str]) -> tuple[str, ...]:
    """The need's informative terms: what coverage is counted against."""
    return _need_terms(need_text, stop)


@lru_cache(maxsize=1024)
def _need_terms(need_text: str, stop: frozenset[str]) -> tuple[str, ...]:
    return tuple(informative(query_terms(need_text), stop))


def coverage(terms: Sequence[str], matched: Sequence[str]) -> float:
    """Share of `terms` found in the other document; `matched` are the hit's matched terms in their
    longest form, so a term also counts when it is part of a longer matched one."""
    if not terms:
        return 0.0
    found = sum(1 for term in terms if any(term in other for other in matched))
    return found / len(terms)


def features(hit: Hit, terms: Sequence[str], stop: frozenset[str], same_field: bool) -> Features:
    """The pair's own evidence, nothing that depends on the other results."""
    passage = hit.best_passage_score if hit.best_passage is not None else hit.doc_dense
    matched = informative(hit.matched_terms, stop)
    return (float(hit.doc_dense), float(passage), coverage(terms, matched), 1.0 if same_field else 0.0)


def degree_from_features(values: Sequence[float]) -> int:
    z = WEIGHTS[0] + sum(w * float(v) for w, v in zip(WEIGHTS[1:], values, strict=False))
    z = max(-50.0, min(50.0, z))
    return max(0, min(100, round(100.0 / (1.0 + math.exp(-z)))))


def match_degree(hit: Hit, terms: Sequence[str], stop: frozenset[str], same_field: bool) -> int:
    """匹配度 of the pair behind `hit`, 0-100."""
    return degree_from_features(features(hit, terms, stop, same_field))


def is_weak(degree: int) -> bool:
    return degree < WEAK_BELOW
