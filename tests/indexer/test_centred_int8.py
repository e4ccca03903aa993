"""Centred int8 (segment format 3): vectors are quantised as `vector - centre`, scores add
`query . centre` back, and an index whose base was written in format 2 asks for a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.backends.base import EncoderMismatch
from indexer.backends.embedded import EmbeddedIndex
from indexer.backends.segment import SEGMENT_FORMAT, batch_centre, dequantise, quantise
from indexer.documents import Query
from indexer.encoders import Encoder
from indexer.preparation import document_vector_texts
from tests.indexer.backend_suite import PROVIDERS


def _e5_like(rng: np.random.Generator, n: int, dim: int = 384) -> np.ndarray:
    """Unit vectors sharing a large common component, as e5 vectors do (pairwise cosine ~0.8)."""
    shared = rng.standard_normal(dim)
    shared /= np.linalg.norm(shared)
    noise = rng.standard_normal((n, dim))
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = 2.0 * shared + noise
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_centring_cuts_the_int8_cosine_error() -> None:
    rng = np.random.default_rng(7)
    vectors, queries = _e5_like(rng, 4000), _e5_like(rng, 50)
    exact = queries @ vectors.T
    raw = queries @ dequantise(*quantise(vectors)).T
    centre = batch_centre(vectors[:256])
    centred = queries @ (dequantise(*quantise(vectors, centre)) + centre).T
    raw_error, centred_error = np.abs(raw - exact).mean(), np.abs(centred - exact).mean()
    assert centred_error < raw_error / 1.5, (raw_error, centred_error)


def test_scores_are_real_cosines_not_residuals(tmp_path: Path, encoder: Encoder) -> None:
    """Fusion and calibration read the dense score as a cosine: q.centre must be added back."""
    index = EmbeddedIndex(tmp_path, encoder, exact_vectors=0)
    index.rebuild(PROVIDERS)
    base = index.view().base
    assert base is not None and float(np.linalg.norm(base.centre)) > 0.5  # e5's shared component
    query = encoder.encode_queries(["锂电池 正极材料"])[0]
    rows = np.arange(base.n_vectors)
    stored = dequantise(np.asarray(base.vec_i8), np.asarray(base.vec_scale)) + base.centre
    np.testing.assert_allclose(base.cosines(rows, query), stored @ query, atol=1e-5)
    float_vectors = encoder.encode_passages([t for doc in PROVIDERS for t in document_vector_texts(doc)])
    np.testing.assert_allclose(base.cosines(rows, query), float_vectors @ query, atol=2e-3)


def test_compaction_keeps_the_base_centre(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder)
    index.rebuild(PROVIDERS[:3])
    centre = np.array(index.view().base.centre)
    index.upsert(PROVIDERS[3:])
    index.compact()
    view = index.view()
    assert view.delta is None and view.base.n_docs == len(PROVIDERS)
    np.testing.assert_array_equal(view.base.centre, centre)
    assert index.search(Query("电池"), k=1)[0].id == "battery"


@pytest.mark.parametrize("old_format", [2, 3])  # 2: int8 without a centre; 3: no float16 copies
def test_an_older_format_base_reports_needs_rebuild(
    tmp_path: Path, encoder: Encoder, old_format: int
) -> None:
    EmbeddedIndex(tmp_path, encoder).rebuild(PROVIDERS)
    (meta_path,) = tmp_path.glob("base-*/meta.json")
    meta = json.loads(meta_path.read_text())
    assert meta["format"] == SEGMENT_FORMAT == 4
    meta_path.write_text(json.dumps({**meta, "format": old_format}))
    with pytest.raises(EncoderMismatch, match=f"segment format {old_format}"):
        EmbeddedIndex(tmp_path, encoder)
    old = EmbeddedIndex(tmp_path, encoder, allow_mismatch=True)
    assert old.needs_rebuild
    with pytest.raises(EncoderMismatch):
        old.search(Query("电池"))
    old.rebuild(PROVIDERS)
    assert not old.needs_rebuild
    assert EmbeddedIndex(tmp_path, encoder).search(Query("电池"), k=1)[0].id == "battery"
