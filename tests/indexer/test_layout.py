"""Large segments lay documents out in locality order (indexer/backends/layout.py): near documents
sit next to each other, and every search answers exactly as with documents in insertion order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.backends import layout, segment
from indexer.backends.embedded import EmbeddedIndex
from indexer.backends.layout import locality_order
from indexer.documents import Query
from indexer.encoders import Encoder
from indexer.fusion import FusionConfig
from tests.indexer.backend_suite import PROVIDERS


def test_the_order_is_a_permutation_that_groups_near_points() -> None:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((4, 384)).astype(np.float32) * 3
    labels = rng.integers(0, 4, size=5000)
    points = (centres[labels] + rng.standard_normal((5000, 384)).astype(np.float32)).astype(np.float16)

    order = locality_order(points)

    assert np.array_equal(np.sort(order), np.arange(5000))
    # Neighbours in the new order are from the same group almost always (by chance: 1 in 4).
    same = labels[order][1:] == labels[order][:-1]
    assert same.mean() > 0.95
    assert np.array_equal(order, locality_order(points)), "the layout must not change between builds"


def test_a_few_points_keep_their_order() -> None:
    assert locality_order(np.zeros((10, 8), np.float32)).tolist() == list(range(10))


QUERIES = ("锂电池 正极材料", "农业 灌溉", "复合材料 航空", "污水 处理")
FILTERS = ({}, {"province": ("44",)}, {"kind": ("expert", "team")})


def _answers(index: EmbeddedIndex) -> list[list[tuple[str, float, float]]]:
    out = []
    for text in QUERIES:
        for filters in FILTERS:
            for method in ("hybrid", "dense", "bm25"):
                hits = index.search(Query(text, filters=filters), k=10, fusion=FusionConfig(method=method))
                out.append([(hit.id, round(hit.score, 5), round(hit.doc_dense, 5)) for hit in hits])
    return out


def test_searches_answer_the_same_in_locality_order(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    insertion = EmbeddedIndex(tmp_path / "insertion", encoder, exact_vectors=0)
    insertion.rebuild(PROVIDERS)
    monkeypatch.setattr(segment, "LOCALITY_MIN_VECTORS", 0)
    monkeypatch.setattr(layout, "_LEAF", 1)  # split down to single documents: a few are enough here
    local = EmbeddedIndex(tmp_path / "local", encoder, exact_vectors=0)
    local.rebuild(PROVIDERS)

    base = local.view().base
    assert base is not None
    laid_out = [base.doc_id(row) for row in range(base.n_docs)]
    assert sorted(laid_out) == sorted(doc.id for doc in PROVIDERS)
    assert laid_out != [doc.id for doc in PROVIDERS], "the documents were not moved"
    assert _answers(local) == _answers(insertion)


def test_reordered_data_moves_postings_filters_and_vectors_with_their_document() -> None:
    rng = np.random.default_rng(2)
    counts = np.array([1, 3, 0, 2])
    owner = np.repeat(np.arange(4), counts)
    vectors = rng.standard_normal((len(owner), 8)).astype(np.float32)
    codes, scale = segment.quantise(vectors, None)
    data = segment.SegmentData(
        ids=["a", "b", "c", "d"],
        records=[b"A", b"B", b"C", b"D"],
        doc_len=np.array([1, 2, 3, 4], np.float32),
        term_hashes=np.array([7, 7, 9], np.uint64),
        term_docs=np.array([0, 3, 2], np.int32),
        term_tf=np.array([1, 2, 3], np.float32),
        filter_hashes=np.array([5], np.uint64),
        filter_docs=np.array([1], np.int32),
        vec_i8=codes,
        vec_scale=scale,
        vec_owner=owner.astype(np.int32),
        vec_slot=np.arange(len(owner), dtype=np.int16),
        vec_f16=segment.half(vectors),
    )

    moved = segment.reordered(data, np.array([3, 1, 0, 2]))

    assert moved.ids == ["d", "b", "a", "c"] and moved.records == [b"D", b"B", b"A", b"C"]
    assert moved.doc_len.tolist() == [4, 2, 1, 3]
    assert moved.term_docs.tolist() == [2, 0, 3] and moved.filter_docs.tolist() == [1]
    assert moved.vec_owner.tolist() == [0, 0, 1, 1, 1, 2]
    assert moved.vec_slot.tolist() == [4, 5, 1, 2, 3, 0]  # d's two vectors, b's three, a's one
    assert np.array_equal(moved.vec_f16, data.vec_f16[[4, 5, 1, 2, 3, 0]])
