"""Float16 copies (segment format 4): every vector is also stored in float16, written by the same
paths as the int8 codes (rebuild, delta, compaction), the final candidates' dense evidence is
computed from them, and an index whose base was written in format 3 asks for a rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.backends.embedded import EmbeddedIndex
from indexer.backends.segment import SegmentData, concat_segment_data, half, quantise
from indexer.documents import Query
from indexer.encoders import Encoder
from indexer.fusion import FusionConfig
from indexer.preparation import document_vector_texts
from tests.indexer.backend_suite import PROVIDERS


def _float_vectors(encoder: Encoder, docs) -> np.ndarray:
    return encoder.encode_passages([text for doc in docs for text in document_vector_texts(doc)])


def test_the_base_maps_float16_copies_of_the_vectors(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder, exact_vectors=0)
    index.rebuild(PROVIDERS)
    base = index.view().base
    assert base is not None
    assert base.vec_f16.dtype == np.float16 and base.vec_f16.shape == (base.n_vectors, encoder.dim)
    assert isinstance(base.vec_f16.base, np.memmap), "float16 copies must be mapped, not loaded"
    query = encoder.encode_queries(["锂电池 正极材料"])[0]
    rows = np.arange(base.n_vectors)
    exact = _float_vectors(encoder, PROVIDERS) @ query
    np.testing.assert_allclose(base.float_cosines(rows, query), exact, atol=2e-4)


def test_hits_carry_float16_cosines(tmp_path: Path, encoder: Encoder) -> None:
    """Fusion, calibration and the match page read these: they are the float cosines now."""
    index = EmbeddedIndex(tmp_path, encoder, exact_vectors=0)
    index.rebuild(PROVIDERS)
    text = "锂电池 正极材料"
    query = encoder.encode_queries([text])[0]
    whole = {doc.id: float(_float_vectors(encoder, [doc])[0] @ query) for doc in PROVIDERS}
    hits = index.search(Query(text), k=len(PROVIDERS), fusion=FusionConfig(method="dense"))
    assert hits
    for hit in hits:
        assert hit.doc_dense == pytest.approx(whole[hit.id], abs=2e-4)


def test_delta_and_compaction_keep_the_float16_copies(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder)
    index.rebuild(PROVIDERS[:3])
    index.upsert(PROVIDERS[3:])
    delta = index.view().delta
    assert delta is not None
    np.testing.assert_array_equal(delta.vec_f16, half(_float_vectors(encoder, PROVIDERS[3:])))
    index.compact()
    base = index.view().base
    assert base is not None and base.n_docs == len(PROVIDERS)
    for doc in PROVIDERS:
        (row,) = base.rows_of([doc.id])
        stored = np.asarray(base.vec_f16[base.vector_rows(np.array([row]))])
        np.testing.assert_array_equal(stored, half(_float_vectors(encoder, [doc])))


def test_recentring_quantises_from_the_float16_copies() -> None:
    """A part moved to another centre is re-quantised from float16, not from its old codes."""
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((40, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    first, second = vectors[:20], vectors[20:]

    def part(v: np.ndarray, centre: np.ndarray) -> SegmentData:
        data = SegmentData.empty(16)
        data.vec_i8, data.vec_scale = quantise(v, centre)
        data.vec_owner = np.zeros(len(v), np.int32)
        data.vec_slot = np.full(len(v), -1, np.int16)
        data.vec_f16, data.vec_centre = half(v), centre
        return data

    centre = first.mean(axis=0)
    merged = concat_segment_data([part(first, centre), part(second, second.mean(axis=0))], 16)
    expected_codes, _ = quantise(half(second).astype(np.float32), centre)
    np.testing.assert_array_equal(merged.vec_i8[20:], expected_codes)
    np.testing.assert_array_equal(merged.vec_f16, half(vectors))


@pytest.mark.parametrize("centre", [None, "mean"])
def test_quantise_in_row_blocks_gives_the_same_codes(monkeypatch: pytest.MonkeyPatch, centre) -> None:
    """quantise works in row blocks so that 1M documents (3.6 M vectors) fit in memory; the blocks
    must not change a single code or scale."""
    from indexer.backends import segment

    vectors = np.random.default_rng(4).standard_normal((50, 16)).astype(np.float32)
    offset = None if centre is None else vectors.mean(axis=0)
    whole_codes, whole_scale = quantise(vectors, offset)
    monkeypatch.setattr(segment, "_QUANTISE_BLOCK", 7)
    codes, scale = quantise(vectors, offset)
    assert codes.dtype == np.int8 and scale.dtype == np.float32
    np.testing.assert_array_equal(codes, whole_codes)
    np.testing.assert_array_equal(scale, whole_scale)
    shifted = vectors - (0 if offset is None else offset)
    expected = np.clip(np.rint(shifted / (np.abs(shifted).max(axis=1, keepdims=True) / 127.0)), -127, 127)
    np.testing.assert_array_equal(codes, expected.astype(np.int8))


def test_a_deep_pool_scores_no_more_documents_than_the_over_fetch_cap(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site search asks for 1,000 candidates: over-fetching 20x that gathered 20,000 documents'
    float16 vectors per new query at 100k providers. The over-fetch stops at the cap."""
    from indexer.backends import embedded
    from indexer.backends.segment import Segment

    monkeypatch.setattr(embedded, "DENSE_OVERFETCH_MAX_DOCS", 3)
    index = EmbeddedIndex(tmp_path, encoder, exact_vectors=0)
    index.rebuild(PROVIDERS)
    assert len(PROVIDERS) > 3
    gathered: list[int] = []
    original = Segment.float_cosines

    def counting(self: Segment, vector_rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        gathered.append(len(np.unique(np.asarray(self.vec_owner[vector_rows]))))
        return original(self, vector_rows, query)

    monkeypatch.setattr(Segment, "float_cosines", counting)
    hits = index.search(Query("锂电池 正极材料"), k=1, fusion=FusionConfig(method="dense", candidates=1))
    assert len(hits) == 1
    assert gathered[0] == 3, "the over-fetched documents: the cap, not 20 x the pool"
