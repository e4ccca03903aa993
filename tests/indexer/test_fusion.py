from __future__ import annotations

import numpy as np

from indexer.fusion import FusionConfig, boost_amounts, combine_dense, fuse, normalise_scores

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
    dense_only = fuse(lexical, dense, FusionConfig(dense_weight=1.0)).score
    lexical_only = fuse(lexical, dense, FusionConfig(dense_weight=0.0)).score
    assert int(np.argmax(dense_only)) == 1 and int(np.argmax(lexical_only)) == 0
    mixed = fuse(lexical, dense, FusionConfig(dense_weight=0.5))
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
