from __future__ import annotations

from dataclasses import replace

import numpy as np

from indexer.fusion import FusionConfig, boost_amounts, combine_dense, fuse, guard_dense, normalise_scores

NAN = np.nan


def test_combine_dense_modes() -> None:
    doc = np.array([0.8, 0.7, 0.9], dtype=np.float32)
    passage = np.array([0.9, NAN, 0.5], dtype=np.float32)
    assert np.allclose(combine_dense(doc, passage, FusionConfig(passage_mode="max")), [0.9, 0.7, 0.9])
    assert np.allclose(combine_dense(doc, passage, FusionConfig(passage_mode="doc")), doc)
    weighted = combine_dense(doc, passage, FusionConfig(passage_mode="weighted", passage_weight=0.25))
    assert np.allclose(weighted, [0.825, 0.7, 0.8])


def test_normalise_scores() -> None:
    scores = np.array([2.0, 4.0, 3.0])
    assert np.allclose(normalise_scores(scores, "max"), [0.5, 1.0, 0.75])
    assert np.allclose(normalise_scores(scores, "minmax"), [0.0, 1.0, 0.5])
    assert np.allclose(normalise_scores(np.zeros(3), "minmax"), 0.0)
    assert normalise_scores(np.array([]), "max").size == 0


def test_convex_fusion_mixes_by_weight() -> None:
    lexical = np.array([10.0, 0.0, 5.0])
    dense = np.array([0.80, 0.90, 0.85])
    minmax = FusionConfig(normalisation="minmax", dense_guard=0)
    dense_only = fuse(lexical, dense, replace(minmax, dense_weight=1.0)).score
    lexical_only = fuse(lexical, dense, replace(minmax, dense_weight=0.0)).score
    assert int(np.argmax(dense_only)) == 1 and int(np.argmax(lexical_only)) == 0
    mixed = fuse(lexical, dense, replace(minmax, dense_weight=0.5))
    assert np.allclose(mixed.score, [0.5, 0.5, 0.5 * 0.5 + 0.5 * 0.5])
    assert np.allclose(mixed.lexical, [1.0, 0.0, 0.5])
    assert np.allclose(mixed.dense, dense)


def test_rrf_baseline() -> None:
    lexical = np.array([3.0, 0.0, 1.0])
    dense = np.array([0.1, 0.9, 0.5])
    score = fuse(lexical, dense, FusionConfig(method="rrf", rrf_k=60)).score
    assert np.allclose(score, [1 / 61 + 1 / 63, 1 / 61, 1 / 62 + 1 / 62])


def test_single_methods_pass_scores_through() -> None:
    lexical = np.array([3.0, 1.0])
    dense = np.array([0.2, 0.9])
    assert np.allclose(fuse(lexical, dense, FusionConfig(method="bm25")).score, lexical)
    assert np.allclose(fuse(lexical, dense, FusionConfig(method="dense")).score, dense)


def test_boost_amounts() -> None:
    config = FusionConfig(boost_weights={"field": 0.1}, default_boost=0.02)
    doc = {"field": ("materials", "energy"), "province": ("44",)}
    applied = boost_amounts(doc, {"field": ("energy",), "province": ("44", "32"), "kind": ("team",)}, config)
    assert applied == {"field": 0.1, "province": 0.02}


def test_dense_guard_keeps_dense_top_inside_the_fused_top() -> None:
    # Candidate 0 has no lexical match and sits last in the fused order, though dense ranks it first.
    lexical = np.array([0.0, 9.0, 8.0, 7.0, 6.0, 5.0])
    dense = np.array([0.95, 0.80, 0.81, 0.82, 0.83, 0.84])
    config = FusionConfig(normalisation="minmax", dense_weight=0.3, dense_guard=0, guard_depth=3)
    plain = fuse(lexical, dense, config)
    assert 0 not in np.argsort(-plain.score, kind="stable")[:3]
    guarded = fuse(lexical, dense, replace(config, dense_guard=1))
    order = np.argsort(-guarded.score, kind="stable")
    # The first depth - 1 keep their fused places; the guarded candidate takes the last place.
    assert order[:2].tolist() == np.argsort(-plain.score, kind="stable")[:2].tolist()
    assert order[2] == 0
    # No score is raised: the guard only pushes others down.
    assert np.all(guarded.score <= plain.score + 1e-7)


def test_dense_guard_changes_nothing_when_dense_top_is_inside() -> None:
    lexical = np.array([9.0, 8.0, 0.0, 7.0, 6.0])
    dense = np.array([0.90, 0.85, 0.70, 0.80, 0.75])
    config = FusionConfig(dense_guard=0, guard_depth=3)
    plain = fuse(lexical, dense, config).score
    assert np.array_equal(fuse(lexical, dense, replace(config, dense_guard=2)).score, plain)


def test_dense_guard_matches_the_reference_order_on_random_lists() -> None:
    rng = np.random.default_rng(17)
    for trial in range(300):
        n, guard, depth = int(rng.integers(1, 120)), int(rng.integers(0, 25)), 20
        score = rng.random(n).astype(np.float32)
        if trial % 3 == 0:
            score = np.round(score, 1).astype(np.float32)  # ties
        dense = rng.random(n).astype(np.float32)
        expected = _guarded_reference(score, dense, guard, depth)
        got = np.argsort(-guard_dense(score, dense, guard, depth), kind="stable")[:depth]
        assert got.tolist() == expected


def _guarded_reference(score: np.ndarray, dense: np.ndarray, guard: int, depth: int) -> list[int]:
    """The fused top `depth`, with non-guarded candidates leaving its end for dense's top `guard`."""
    order = np.argsort(-score, kind="stable").tolist()
    pending = set(np.argsort(-dense, kind="stable")[: min(guard, depth)].tolist())
    top: list[int] = []
    for row in order:
        if row in pending:
            top.append(row)
            pending.discard(row)
        elif len(top) + len(pending) < depth:
            top.append(row)
        if len(top) == depth:
            break
    return top


def test_zscore_fusion_lets_the_dense_spread_count_against_one_large_bm25_score() -> None:
    # Candidate 0 is the one strong BM25 match with a middling dense score; candidate 1 is dense's
    # clear best without a shared word. Min-max gives the lexical side a full 0-1 range for one
    # document; z-scores weigh each side by how far a candidate stands out of its own spread.
    lexical = np.array([8.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    dense = np.array([0.85, 0.93, 0.80, 0.80, 0.79, 0.78])
    minmax = fuse(lexical, dense, FusionConfig(normalisation="minmax", dense_weight=0.6, dense_guard=0))
    zscore = fuse(lexical, dense, FusionConfig(normalisation="zscore", dense_weight=0.7, dense_guard=0))
    assert int(np.argmax(minmax.score)) == 0
    assert int(np.argmax(zscore.score)) == 1
    # Still a 0-1 score (boosts of 0.05 keep their size), and the reported lexical part is min-max.
    assert np.isclose(zscore.score.max(), 1.0) and np.isclose(zscore.score.min(), 0.0)
    assert np.allclose(zscore.lexical, minmax.lexical)


def test_default_fusion_is_the_cross_validated_one() -> None:
    # docs/matching.md, "Fusion chosen on all sets": min-max, dense weight 0.7, no dense guard.
    config = FusionConfig()
    assert (config.normalisation, config.dense_weight, config.dense_guard, config.guard_depth) == (
        "minmax",
        0.7,
        0,
        50,
    )


def test_zscore_of_constant_scores_is_zero() -> None:
    assert np.array_equal(normalise_scores(np.array([2.0, 2.0]), "zscore"), np.zeros(2, np.float32))
    assert np.allclose(normalise_scores(np.array([1.0, 3.0]), "zscore"), [-1.0, 1.0])
