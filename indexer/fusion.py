"""Fusing the lexical (BM25) and dense (cosine) evidence into one score per candidate.

A provider is scored on its whole profile and on its best passage (an achievement or a service):
a profile that lists ten topics dilutes its whole-document vector, while the one achievement that
matches the need is a sharp signal. `combine_dense` joins the two; `fuse` joins lexical and dense.
Defaults were chosen by measurement (docs/matching.md, benchmarks/bench_quality.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

FusionMethod = Literal["convex", "rrf", "dense", "bm25"]
PassageMode = Literal["max", "weighted", "doc"]
Normalisation = Literal["max", "minmax", "zscore"]


@dataclass(frozen=True)
class FusionConfig:
    method: FusionMethod = "convex"
    # Convex fusion: score = dense_weight * dense_norm + (1 - dense_weight) * lexical_norm.
    # Min-max with 0.7 and no dense guard was chosen by 5-fold CV over five sets jointly (the hard
    # set, market-dev with and without CSL, csl-titles, csl-keywords; docs/matching.md, "Fusion
    # chosen on all sets"). "zscore" (standardise each retriever over the candidates, 0.7, guard
    # 40) won on market-dev + CSL alone but lost 0.008 nDCG@10 on the hard set; min-max 0.6 before.
    dense_weight: float = 0.7
    normalisation: Normalisation = "minmax"
    # How a document's dense score uses its passages: "max" of whole-doc and best passage,
    # "weighted" = (1 - passage_weight) * doc + passage_weight * best passage, "doc" ignores passages.
    passage_mode: PassageMode = "weighted"
    passage_weight: float = 0.5
    rrf_k: int = 60
    # How many top documents of each retriever enter fusion.
    candidates: int = 100
    # Dense guard: the `dense_guard` candidates with the best dense score stay inside the fused top
    # `guard_depth` (each just below the fused list's kept part, in fused order). Lexical matches
    # on distractor text can push a document only the dense side finds out of a 50-long list. Off
    # by default: it lifted Recall@50 with the CSL distractors and lowered it on the hard set.
    dense_guard: int = 0
    guard_depth: int = 50
    # Soft boosts: added to the final score when a document's filter value intersects Query.boosts[key].
    boost_weights: Mapping[str, float] = field(default_factory=dict)
    default_boost: float = 0.05

    def with_method(self, method: FusionMethod) -> FusionConfig:
        return replace(self, method=method)

    def boost_weight(self, key: str) -> float:
        return float(self.boost_weights.get(key, self.default_boost))


def combine_dense(doc_cos: np.ndarray, passage_cos: np.ndarray, config: FusionConfig) -> np.ndarray:
    """Dense score of each candidate; `passage_cos` is the best passage cosine, NaN where there is none."""
    has_passage = ~np.isnan(passage_cos)
    if config.passage_mode == "doc":
        return doc_cos.copy()
    if config.passage_mode == "max":
        return np.where(has_passage, np.fmax(doc_cos, passage_cos), doc_cos)
    weighted = (1.0 - config.passage_weight) * doc_cos + config.passage_weight * np.nan_to_num(passage_cos)
    return np.where(has_passage, weighted, doc_cos)


def normalise_scores(scores: np.ndarray, how: Normalisation) -> np.ndarray:
    """Map a retriever's scores over the candidate set onto one scale so the two can be mixed:
    [0, 1] for "max" and "minmax"; mean 0 and standard deviation 1 for "zscore"."""
    if scores.size == 0:
        return scores.astype(np.float32)
    scores = scores.astype(np.float64)  # float32 differences overflow for scores far apart
    top = float(scores.max())
    if how == "zscore":
        spread = float(scores.std())
        if spread <= 1e-12:
            return np.zeros_like(scores, dtype=np.float32)
        return ((scores - scores.mean()) / spread).astype(np.float32)
    if how == "max":
        # A best score this close to 0 says nothing, and dividing by it overflows float32 (a
        # property test found -1 / 3e-43 giving -inf).
        if top <= 1e-12:
            return np.zeros_like(scores, dtype=np.float32)
        return (scores / top).astype(np.float32)
    bottom = float(scores.min())
    if top - bottom <= 1e-12:
        return np.ones_like(scores, dtype=np.float32) if top > 0 else np.zeros_like(scores, dtype=np.float32)
    return ((scores - bottom) / (top - bottom)).astype(np.float32)


# The smallest score gap `guard_dense` makes between two places (scores are 0-1 here; float32 resolves
# 1e-7 near 1, and a few hundred candidates move a score by at most a few hundredths of a percent).
_STEP = 1e-5


def _ranks_descending(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


@dataclass
class FusedScores:
    score: np.ndarray  # final score before boosts
    lexical: np.ndarray  # lexical part on 0-1 (as used in fusion, except that "zscore" mixes z-scores)
    dense: np.ndarray  # dense part as used in fusion (raw combined cosine, not normalised)


def fuse(lexical_raw: np.ndarray, dense: np.ndarray, config: FusionConfig) -> FusedScores:
    """Scores for one query's candidates. `lexical_raw` is BM25 (0 when no term matched), `dense` is
    the combined cosine from `combine_dense`."""
    lexical_raw = np.asarray(lexical_raw, dtype=np.float32)
    dense = np.asarray(dense, dtype=np.float32)
    lexical_norm = normalise_scores(lexical_raw, "max")
    if config.method == "bm25":
        return FusedScores(lexical_raw.copy(), lexical_norm, dense)
    if config.method == "dense":
        return FusedScores(dense.copy(), lexical_norm, dense)
    if config.method == "rrf":
        # Documents with no lexical match get no lexical rank contribution at all.
        lexical_rrf = np.where(lexical_raw > 0, 1.0 / (config.rrf_k + _ranks_descending(lexical_raw)), 0.0)
        dense_rrf = 1.0 / (config.rrf_k + _ranks_descending(dense))
        return FusedScores((lexical_rrf + dense_rrf).astype(np.float32), lexical_norm, dense)
    lexical_part = _lexical_part(lexical_raw, config.normalisation)
    if config.normalisation == "zscore":
        # Mixed as z-scores, then put back on 0-1 (same order): the soft boosts (0.05) and the
        # guard's steps keep the size they had against a 0-1 score. The lexical part reported
        # stays the 0-1 min-max one, which callers compare with fixed cut-offs (LEXICAL_MIN).
        mixed = config.dense_weight * normalise_scores(dense, "zscore") + (
            1.0 - config.dense_weight
        ) * normalise_scores(lexical_raw, "zscore")
        mixed = normalise_scores(mixed, "minmax")
        lexical_part = _lexical_part(lexical_raw, "minmax")
    else:
        dense_part = normalise_scores(dense, config.normalisation)
        mixed = config.dense_weight * dense_part + (1.0 - config.dense_weight) * lexical_part
    score = guard_dense(mixed.astype(np.float32), dense, config.dense_guard, config.guard_depth)
    return FusedScores(score, lexical_part, dense)


def _lexical_part(lexical_raw: np.ndarray, how: Normalisation) -> np.ndarray:
    part = normalise_scores(lexical_raw, how)
    if how == "minmax":
        part = np.where(lexical_raw > 0, part, 0.0).astype(np.float32)
    return part


def guard_dense(score: np.ndarray, dense: np.ndarray, guard: int, depth: int) -> np.ndarray:
    """`score` reshaped so that dense's top `guard` candidates are inside the top `depth`: the
    fused order is kept, except that candidates which are not guarded give up their places at the
    end of the top `depth` to guarded ones from further down (which then follow in fused order).
    Scores only go down, by the least that gives this order; nothing changes when the guarded
    candidates are inside already, and the fused top `depth - guard` never moves."""
    if guard <= 0 or len(score) <= depth:
        return score
    order = np.argsort(-score, kind="stable")
    guarded = np.zeros(len(score), dtype=bool)
    guarded[np.argsort(-dense, kind="stable")[: min(guard, depth)]] = True
    if guarded[order[depth:]].sum() == 0:
        return score
    # The top `depth`: every guarded candidate plus the best of the others by fused score, all in
    # fused order; then everything else in fused order.
    others = order[~guarded[order]]
    chosen = guarded.copy()
    chosen[others[: depth - int(guarded.sum())]] = True
    final = np.concatenate([order[chosen[order]], order[~chosen[order]]])
    # Each place at least one step below the one before (v_j = min(x_j, v_{j-1} - step)): the
    # scores in exactly this order, none raised.
    steps = _STEP * np.arange(len(final))
    values = np.minimum.accumulate(score[final].astype(np.float64) + steps) - steps
    # The places before the first change keep their scores exactly.
    unchanged = int(np.argmax(final != order)) if np.any(final != order) else len(final)
    reshaped = score.astype(np.float64)
    reshaped[final[unchanged:]] = values[unchanged:]
    return reshaped.astype(np.float32)


def boost_amounts(
    doc_filters: Mapping[str, tuple[str, ...]],
    query_boosts: Mapping[str, tuple[str, ...]],
    config: FusionConfig,
) -> dict[str, float]:
    """The soft boosts one document earns: one weight per boost key whose values intersect."""
    applied: dict[str, float] = {}
    for key, wanted in query_boosts.items():
        if wanted and set(wanted) & set(doc_filters.get(key, ())):
            applied[key] = config.boost_weight(key)
    return applied
