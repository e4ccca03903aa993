"""Lean 1M-document run of the embedded index, with a per-stage time profile (issue 19).

    nice -n 19 .venv/bin/python -m benchmarks.scale_stages --docs 1000000 --profile --memory
    nice -n 19 .venv/bin/python -m benchmarks.scale_stages --docs 1000000 --overfetch 10 20 40

The same corpus, segment, exact ground truth and measurements as `benchmarks/scale_proof.py`
(its functions are reused), without the parts that make that script too slow for 1M documents
on two shared cores: the index with every vector in its pool (hundreds of int8 scans of all
vectors), faiss, and one pass per setting of everything. The grown segment and the exact top 20
are kept under `--workdir`, so later runs (a latency re-run when the machine is quieter, other
pool sizes or over-fetch factors) skip growth, exact search and the build.

Per pool fraction: dense stage recall@20 (documents by best int8 vector, against exact float32),
dense ranking recall@20 (`method="dense"`, against exact float32), dense and hybrid p50 / p99 of
`search_vector`, the bytes-read floor; `--profile` adds the median / p99 time of each stage
(sign-bit pass, int8 pool rescoring, BM25, float16 evidence, ranking); `--memory` the private and
shared memory of 1 and 3 worker processes searching at once.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import scale_proof as sp
from benchmarks.grow_corpus import DEFAULT_CACHE, grow_corpus, load_real
from indexer.backends import embedded
from indexer.backends import segment as segment_module
from indexer.fusion import FusionConfig

TIMERS: dict[str, list[float]] = {}


def _timed(name: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMERS.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    return wrapper


def install_profile() -> None:
    """Wrap the stages of one search (module-level names are looked up at call time)."""
    embedded.hamming_distances = _timed("sign-bit pass", embedded.hamming_distances)
    embedded._hamming_pool = _timed("pool selection (incl. sign-bit pass)", embedded._hamming_pool)
    embedded._bm25 = _timed("bm25", embedded._bm25)
    embedded._dense_evidence = _timed("float16 evidence (2 calls)", embedded._dense_evidence)
    embedded._rank = _timed("rank", embedded._rank)
    segment_module.Segment.cosines = _timed("int8 pool rescoring", segment_module.Segment.cosines)


def prepared(workdir: Path, real, n_docs: int, vectors: np.ndarray, config: FusionConfig):
    """The segment directory and exact top 20 for `n_docs`, built once and kept."""
    directory, exact_path = workdir / f"index-{n_docs}", workdir / f"exact-{n_docs}.npz"
    if not directory.exists() or not exact_path.exists():
        started = time.perf_counter()
        grown = grow_corpus(real, n_docs, seed=n_docs)
        print(json.dumps({"grow_s": round(time.perf_counter() - started, 1), "vectors": len(grown.owner)}))
        started = time.perf_counter()
        exact = sp.exact_search(grown, vectors, config)
        np.savez(exact_path, best=np.stack(exact.best_vector), dense=np.stack(exact.dense))
        print(json.dumps({"exact_numpy_s": round(time.perf_counter() - started, 1)}), flush=True)
        data = sp.segment_data(real, grown, seed=n_docs)
        del grown
        if directory.exists():
            raise SystemExit(f"{directory} exists without its exact results: remove it")
        directory.mkdir(parents=True)
        print(json.dumps({"build_s": round(sp.build_index(directory, data), 1)}), flush=True)
        del data
    files = [f for f in directory.rglob("*") if f.is_file()]
    print(
        json.dumps(
            {
                "disk_mb": round(sum(f.stat().st_size for f in files) / 2**20),
                "vec_f16_mb": round((directory / "base-scale" / "vec_f16.npy").stat().st_size / 2**20),
            }
        ),
        flush=True,
    )
    saved = np.load(exact_path)
    return directory, sp.Exact(list(saved["best"]), list(saved["dense"]))


def stage_summary() -> dict:
    return {
        name: {"p50_ms": round(float(np.median(t)), 1), "p99_ms": round(float(np.percentile(t, 99)), 1)}
        for name, t in TIMERS.items()
    }


def run_setting(directory: Path, queries, exact: sp.Exact, fraction: float, rounds: int, profile: bool):
    config = FusionConfig()
    vectors = np.stack([v for _, v in queries])
    index = embedded.EmbeddedIndex(
        directory, sp.VectorOnlyEncoder(), rescore_pool=0, rescore_fraction=fraction, exact_vectors=0
    )  # type: ignore[arg-type]
    sp.embedded_run(index, queries[:10], config)  # page cache warm
    head = {"overfetch": embedded.DENSE_OVERFETCH, "rescore_fraction": fraction}
    stage = sp.dense_stage(index, vectors)
    print(json.dumps({**head, "dense_stage_recall@20": sp._mean_recall(stage, exact.best_vector)}))
    for round_no in range(rounds):
        TIMERS.clear()
        dense_ids, dense_latency = sp.embedded_run(index, queries, config.with_method("dense"))
        dense_stages = stage_summary()
        TIMERS.clear()
        _, hybrid_latency = sp.embedded_run(index, queries, config)
        row = {
            **head,
            "round": round_no,
            "dense_recall@20": sp._mean_recall(dense_ids, exact.dense),
            "dense_latency": dense_latency,
            "hybrid_latency": hybrid_latency,
            "load": [round(x, 2) for x in os.getloadavg()],
        }
        if profile:
            row["dense_stages"], row["hybrid_stages"] = dense_stages, stage_summary()
        print(json.dumps(row), flush=True)
    floor, bandwidth = sp.bytes_floor(index, queries, config), sp.read_bandwidth()
    print(
        json.dumps(
            {
                **head,
                "bytes_floor_mb": round(floor / 2**20, 1),
                "read_gb_per_s": round(bandwidth / 1e9, 1),
                "floor_ms": round(1000 * floor / bandwidth, 2),
            }
        ),
        flush=True,
    )
    index.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--fractions", type=float, nargs="*", default=[0.05])
    parser.add_argument(
        "--overfetch", type=int, nargs="*", help="DENSE_OVERFETCH values (default: the index's)"
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kc-scale-stages"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    real = load_real(args.cache)
    queries = sp.query_set(real, args.cache, args.queries)
    vectors = np.stack([v for _, v in queries])
    print(json.dumps({"real_docs": len(real.docs), "real_vectors": len(real.vectors)}), flush=True)
    directory, exact = prepared(args.workdir, real, args.docs, vectors, FusionConfig())
    print(json.dumps({"load": [round(x, 2) for x in os.getloadavg()], "at": time.strftime("%H:%M:%S")}))
    if args.profile:
        install_profile()
    for overfetch in args.overfetch or [embedded.DENSE_OVERFETCH]:
        embedded.DENSE_OVERFETCH = overfetch
        for fraction in args.fractions:
            run_setting(directory, queries, exact, fraction, args.rounds, args.profile)
    if args.memory:
        for workers in (1, 3):
            print(json.dumps(sp.memory(directory, queries, workers)), flush=True)


if __name__ == "__main__":
    main()
