"""A search page asked of a worker that did not rank it: what gunicorn's second worker pays.

    .venv/bin/python benchmarks/search_other_worker.py --workdir /tmp/search-scale [--queries 40]

On a work directory prepared by benchmarks/search_scale.py (or search_latency.py), three processes
in turn, each a fresh Python process like a gunicorn worker, request `/needs/`, `/providers/` and
`/services/` with the same queries through Flask's test client, one at a time:

- first: nobody asked these queries before (the stored query vectors and shared rankings are
  deleted first): each is encoded and ranked;
- other worker: a second process asks the same pages: before the host's shared files
  (indexer/shared_cache.py) it ranked them again and read their ranked sets' facts again;
- again: the second process asks them once more (its own caches).

Prints p50 / p90 / p99 ms per pass and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search_latency import PAGES, percentile  # noqa: E402
from benchmarks.workdir import forget_cached_searches, throwaway_app  # noqa: E402


def percentiles(values: list[float]) -> dict[str, float]:
    picked = {f"p{round(q * 100)}": round(percentile(values, q), 1) for q in (0.5, 0.9, 0.99)}
    return picked | {"mean": round(statistics.mean(values) * 1000, 1)}


def serve(work: Path, n_queries: int, passes: list[str]) -> dict[str, dict[str, float]]:
    """In this process: the pages of the first `n_queries` queries, once per pass name."""
    from benchmarks.search_scale import _queries
    from market.matching import engine

    app = throwaway_app(work)
    with app.app_context():
        urls = [f"{page}?{urlencode({'q': q})}" for q in _queries(n_queries) for page in PAGES]
        engine.warm_up()
    client = app.test_client()
    results = {}
    for name in passes:
        timings = []
        for url in urls:
            started = time.perf_counter()
            assert client.get(url).status_code == 200, url
            timings.append(time.perf_counter() - started)
        results[name] = percentiles(timings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--passes", default="", help=argparse.SUPPRESS)  # a child process's passes
    args = parser.parse_args()
    if args.passes:
        print("RESULT " + json.dumps(serve(args.workdir, args.queries, args.passes.split(","))))
        return
    forget_cached_searches(args.workdir / "index")
    results: dict[str, dict[str, float]] = {}
    for passes in ("first", "other worker,again"):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--workdir",
                str(args.workdir),
                "--queries",
                str(args.queries),
                "--passes",
                passes,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        results |= json.loads(line[len("RESULT ") :])
    for name, numbers in results.items():
        p50, p90, p99, mean = (numbers[key] for key in ("p50", "p90", "p99", "mean"))
        print(f"{name:>13}: p50 {p50} / p90 {p90} / p99 {p99} ms (mean {mean})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
