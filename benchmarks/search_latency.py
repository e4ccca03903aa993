"""Latency of the search pages (/needs/, /providers/, /services/ with q) on the demo data.

    .venv/bin/python benchmarks/search_latency.py [--providers 320] [--needs 160] [--users 1]

A throw-away app (SQLite and an index in a temporary directory) gets the demo data (`load_demo`) and
its index; then every page is requested through Flask's test client (the whole request: parsing,
the index, the database, the template), in three passes:

- new: each query for the first time (the query is encoded by the model: the expensive part);
- seen: the same queries again (query vectors and ranked lists come from the caches);
- filtered: the seen queries with a facet and a sort (the ranked set is reused, only filtering,
  sorting and the page's rows are computed).

Queries are the issue's examples plus the titles and the first sentence of demo needs (plain-language
problems). `--users N` runs N threads, each with its own queries (one process: this measures the
service's own cost under the GIL, not gunicorn's workers; benchmarks/bench_load.py is the page load test).

Against a running server instead (gunicorn, its own workers), with people's think time:

    .venv/bin/python benchmarks/search_latency.py --workdir /tmp/search-bench --prepare-only
    KECHUANG_INSTANCE=/tmp/search-bench/instance DATABASE_URL=sqlite:////tmp/search-bench/bench.db \
      INDEX_DIR=/tmp/search-bench/index RATELIMIT_ENABLED=0 .venv/bin/market serve --bind 127.0.0.1:8030
    .venv/bin/python benchmarks/search_latency.py --workdir /tmp/search-bench \
      --base http://127.0.0.1:8030 --users 50 --think 1000-3000

`--base` sends the same three passes over HTTP: `--users` threads, each with its own share of the
queries, each waiting a random think time (milliseconds, uniform) before every request. The stored
query vectors are deleted before the passes, so start the server fresh for each run (its workers
keep vectors and rankings in memory too) and the "new" pass is new to it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workdir import forget_cached_searches, throwaway_app  # noqa: E402

EXAMPLES = ["注塑件翘曲变形", "锂电池热失控预警", "污水处理厂污泥减量", "翘曲变形", "注塑 翘曲"]
PAGES = ("/needs/", "/providers/", "/services/")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_pass(
    app: Any, urls: list[str], users: int, base: str = "", think: tuple[int, int] = (0, 0)
) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()
    shares = [urls[i::users] for i in range(users)]

    def get(client: Any, url: str) -> None:
        if base:
            with urllib.request.urlopen(base + url, timeout=60) as response:
                response.read()
                assert response.status == 200, url
        else:
            assert client.get(url).status_code == 200, url

    def user(number: int, share: list[str]) -> None:
        client = None if base else app.test_client()
        # Each user its own think times: seeded by the share's length, the 50 users had two
        # sequences between them and sent their requests in two bursts of ~25 at the same instant.
        pause = random.Random(number)
        for url in share:
            if think[1]:
                time.sleep(pause.uniform(*think) / 1000)
            started = time.perf_counter()
            get(client, url)
            elapsed = time.perf_counter() - started
            with lock:
                timings.append(elapsed)

    threads = [threading.Thread(target=user, args=pair) for pair in enumerate(shares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=320)
    parser.add_argument("--needs", type=int, default=160)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path, help="keep (or reuse) the database and index here")
    parser.add_argument("--prepare-only", action="store_true", help="load and index, then stop")
    parser.add_argument("--base", default="", help="a running server's URL: measure it over HTTP")
    parser.add_argument("--think", default="0", help="think time per user in ms: MIN-MAX, or 0")
    parser.add_argument(
        "--warm",
        type=int,
        default=0,
        help="first send N other queries (titles of needs not measured), reported as the warm pass",
    )
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (int(low), int(high or low))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="search-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    prepared = (work / "bench.db").exists()
    app = throwaway_app(work)

    from urllib.parse import urlencode

    from flask_migrate import upgrade
    from sqlalchemy import select

    from market.db import db
    from market.demo.load import load_demo
    from market.matching import engine, indexing
    from market.needs.models import Need
    from market.reference.services import seed_reference_data

    with app.app_context():
        if not prepared:
            upgrade(revision="heads")
            seed_reference_data()
            db.session.commit()
            load_demo(n_providers=args.providers, n_needs=args.needs)
            db.session.commit()
            started = time.perf_counter()
            for kind in indexing.kinds("all"):
                indexing.rebuild(kind)
            print(f"indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if args.prepare_only:
            print(f"prepared {work}", file=sys.stderr)
            return
        needs = db.session.scalars(select(Need).order_by(Need.id).limit(args.queries + args.warm)).all()
        measured, others = needs[: args.queries], needs[args.queries :]
        queries = EXAMPLES + [
            n.title if i % 2 else n.description.split("。")[0] for i, n in enumerate(measured)
        ]
        warm_queries = [n.title for n in others]
        # A reused work directory keeps the last run's query vectors and rankings: forget them, so the
        # "new" pass encodes (a server measured with --base must be started after this, fresh).
        forget_cached_searches(work / "index")
        if not args.base:
            engine.warm_up()
    queries = queries[: args.queries]
    urls = [f"{page}?{urlencode({'q': q})}" for q in queries for page in PAGES]
    filtered = [
        f"{page}?{urlencode({'q': q, 'province': '32', 'sort': 'newest'})}" for q in queries for page in PAGES
    ]
    # A server in service has answered other queries before: its SQL statement and template caches,
    # the index pages and the encoder are warm. --warm sends such queries first (not the measured ones).
    warm = [f"{page}?{urlencode({'q': q})}" for q in warm_queries for page in PAGES]
    passes = (("warm", warm), ("new", urls), ("seen", urls), ("filtered", filtered))
    report: dict[str, dict[str, float]] = {}
    for name, pass_urls in passes:
        if not pass_urls:
            continue
        timings = run_pass(app, pass_urls, args.users, args.base.rstrip("/"), think)
        report[name] = {
            "requests": len(timings),
            "p50_ms": round(percentile(timings, 0.5), 1),
            "p90_ms": round(percentile(timings, 0.9), 1),
            "p99_ms": round(percentile(timings, 0.99), 1),
            "mean_ms": round(statistics.mean(timings) * 1000, 1),
        }
    where = args.base or "in process"
    print(f"{where}, {args.users} user(s), think {args.think} ms, load average {os.getloadavg()[0]:.1f}")
    print(f"{'pass':<10} {'requests':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for name, row in report.items():
        print(f"{name:<10} {row['requests']:>8} {row['p50_ms']:>8} {row['p90_ms']:>8} {row['p99_ms']:>8}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
