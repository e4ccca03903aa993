"""Retrieval quality of bm25, dense, hybrid (and RRF, and a fusion sweep) on the public CSL sets and
the generated hard marketplace set.

    .venv/bin/python benchmarks/bench_quality.py                  # all sets, main methods
    .venv/bin/python benchmarks/bench_quality.py --sweep hard     # also a grid of fusion settings
    .venv/bin/python benchmarks/bench_quality.py --json out.json
    .venv/bin/python benchmarks/bench_quality.py /tmp/market-dev [--strip]   # any BEIR folder

Vectors are cached (INDEXER_CACHE_DIR, default ~/.cache/kechuang/indexer), so only the first run
encodes. The CSL data is read in place from ../shared/data (never copied into the repository).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.hardset import generate, write_beir  # noqa: E402
from indexer.evaluate import evaluate_dataset, format_report  # noqa: E402
from indexer.fusion import FusionConfig  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
SETS = ("csl-titles", "csl-keywords", "hard")


def baseline_configs(base: FusionConfig) -> dict[str, FusionConfig]:
    """RRF and the passage modes of the single dense method, so "hybrid beats the best single
    method" is checked against the best dense variant, not only the default one."""
    return {
        "rrf": replace(base, method="rrf"),
        "dense doc-only": replace(base, method="dense", passage_mode="doc"),
        "dense max": replace(base, method="dense", passage_mode="max"),
        "dense weighted pw=0.5": replace(base, method="dense", passage_mode="weighted", passage_weight=0.5),
        "hybrid+boosts": base,
    }


def sweep_configs(base: FusionConfig) -> dict[str, FusionConfig]:
    configs: dict[str, FusionConfig] = {}
    passage_modes = {"max": ("max", 0.5), "pw=0.3": ("weighted", 0.3), "pw=0.5": ("weighted", 0.5)}
    for weight in (0.4, 0.5, 0.6, 0.7, 0.8):
        for label, (mode, passage_weight) in passage_modes.items():
            configs[f"convex w={weight} {label}"] = replace(
                base, method="convex", dense_weight=weight, passage_mode=mode, passage_weight=passage_weight
            )
    configs["convex w=0.5 pw=0.5 max-norm"] = replace(
        base, method="convex", dense_weight=0.5, passage_mode="weighted", normalisation="max"
    )
    configs["dense weighted pw=0.3"] = replace(
        base, method="dense", passage_mode="weighted", passage_weight=0.3
    )
    for k in (10, 60):
        configs[f"rrf k={k} pw=0.5"] = replace(base, method="rrf", rrf_k=k, passage_mode="weighted")
    return configs


def dataset_path(name: str, scratch: Path) -> Path:
    if Path(name).is_dir():
        return Path(name)
    if name == "hard":
        # Deterministic (fixed seed), so the corpus digest and therefore the vector cache are stable.
        return write_beir(scratch / "hard", generate(seed=7))
    return SHARED_DATA / name


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "sets", nargs="*", default=list(SETS), help=f"any of {', '.join(SETS)}, or a BEIR directory"
    )
    parser.add_argument(
        "--strip",
        action="store_true",
        help="remove business boilerplate from the queries first (indexer/boilerplate.py; not the app)",
    )
    parser.add_argument("--sweep", action="store_true", help="also score a grid of fusion settings")
    parser.add_argument("--json", type=Path, help="write all results to this file")
    parser.add_argument(
        "--quantised",
        action="store_true",
        help="force the two-stage dense search (sign bits, then int8 on the best 1%% of vectors) to "
        "measure what it costs against exact int8 scoring",
    )
    args = parser.parse_args()
    base = FusionConfig()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as scratch:
        for name in args.sets:
            configs = baseline_configs(base) | (sweep_configs(base) if args.sweep else {})
            started = time.perf_counter()
            options = (
                {"exact_vectors": 0, "rescore_pool": 1, "rescore_fraction": 0.01} if args.quantised else {}
            )
            result = evaluate_dataset(
                dataset_path(name, Path(scratch)),
                methods="all",
                configs=configs,
                index_options=options,
                strip=args.strip,
            )
            result["index_options"] = options
            result["wall_seconds"] = round(time.perf_counter() - started, 1)
            results.append(result)
            print(format_report(result), f"\n(wall {result['wall_seconds']} s)\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
