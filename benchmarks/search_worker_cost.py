"""What one worker spends on search pages that the page timings hide, on a prepared work directory.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --prepare-only
    .venv/bin/python benchmarks/search_worker_cost.py --workdir /tmp/search-scale [--index-dir DIR]

Two measures, in one process set up as a gunicorn worker is (warm-up, then `gc.freeze()` and the
worker's collection thresholds, market/gunicorn_conf.py):

- **new pages without encoding**: `--queries` need titles (their first 30 characters) are encoded and
  stored first, then each is requested once on every list (/providers/, /needs/, /services/): the
  page's own work and the index search for a query the worker has not ranked, without the model,
  and the mean time per page spent in the collector's collections (`--thresholds` sets the
  collector's thresholds instead of the worker's, to compare);
- **the garbage collector's share**: after `--gc-queries` queries on the three lists, the number of
  objects the collector tracks and the time of one full collection (`gc.collect()`), then the same
  with the search pages' kept ranked sets dropped. Every full collection walks every tracked object,
  and the caches of a worker that has served many queries are most of them (docs/search.md).

`--index-dir` searches another copy of the index (e.g. one written by an older version).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workdir import throwaway_app  # noqa: E402
from market.gunicorn_conf import GC_THRESHOLDS, quiet_collector  # noqa: E402

PAGES = ("/providers/", "/needs/", "/services/")


def _titles(app: object, count: int, seed: int) -> list[str]:
    from sqlalchemy import select

    from market.db import db
    from market.matching import engine
    from market.needs.models import Need

    with app.app_context():  # type: ignore[attr-defined]
        engine.warm_up()
        titles = [
            t[:30] for t in db.session.scalars(select(Need.title).order_by(Need.id.desc()).limit(4 * count))
        ]
        random.Random(seed).shuffle(titles)
        titles = titles[:count]
        engine.encoder().encode_queries(titles)  # stored: the pages below do not encode
    return titles


def _as_a_worker(thresholds: tuple[int, ...]) -> None:
    quiet_collector()
    gc.set_threshold(*thresholds)


class _CollectionClock:
    """Wall time spent in the garbage collector's collections while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def new_pages(app: object, titles: list[str]) -> dict[str, tuple[float, float]]:
    """Per page: p50 and mean ms; under "collections", the mean ms per page spent collecting."""
    client = app.test_client()  # type: ignore[attr-defined]
    result = {}
    clock = _CollectionClock()
    gc.callbacks.append(clock)
    for page in PAGES:
        times = []
        for title in titles:
            started = time.perf_counter()
            assert client.get(f"{page}?q={quote(title)}").status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        result[page] = (times[len(times) // 2], sum(times) / len(times))
    gc.callbacks.remove(clock)
    result["collections"] = (float("nan"), clock.seconds * 1000 / (len(titles) * len(PAGES)))
    return result


def collector_share(app: object, titles: list[str]) -> list[tuple[str, int, float]]:
    client = app.test_client()  # type: ignore[attr-defined]
    for title in titles:
        for page in PAGES:
            client.get(f"{page}?q={quote(title)}")
    print(f"  memory after the queries: {_memory()}")
    rows = [("after the queries", *_full_collection())]
    kept = app.extensions.get("list_derived_cache")  # type: ignore[attr-defined]
    if kept is not None:
        kept.clear()
        rows.append(("without the kept ranked sets", *_full_collection()))
    return rows


def _memory() -> str:
    """This process's private (RssAnon) and mapped-file (RssFile: the index's shared pages) memory."""
    sizes = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile"):
            sizes[name] = int(value.split()[0]) / 1024
    return f"private {sizes.get('RssAnon', 0):,.0f} MB, mapped files {sizes.get('RssFile', 0):,.0f} MB"


def _full_collection() -> tuple[int, float]:
    gc.collect()
    tracked = len(gc.get_objects())
    started = time.perf_counter()
    gc.collect()
    return tracked, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path, help="search this index instead of WORKDIR/index")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--gc-queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--thresholds",
        default=",".join(map(str, GC_THRESHOLDS)),
        help="the collector's thresholds after the warm-up (default: market/gunicorn_conf.py's)",
    )
    args = parser.parse_args()
    thresholds = tuple(int(value) for value in args.thresholds.split(","))
    config = {"RATELIMIT_ENABLED": False}
    if args.index_dir:
        config["INDEX_DIR"] = str(args.index_dir)
    app = throwaway_app(args.workdir, **config)
    # Two samples, so the first measure's queries do not depend on --gc-queries.
    titles = _titles(app, args.queries, args.seed)
    more = _titles(app, args.gc_queries, args.seed + 1)
    _as_a_worker(thresholds)
    print(f"collector thresholds {thresholds}")
    print(f"memory after the warm-up: {_memory()}")
    print(f"new pages, query vectors stored ({args.queries} queries):")
    for page, (p50, mean) in new_pages(app, titles).items():
        if page == "collections":
            print(f"  in the collector's collections: {mean:.1f} ms per page (mean)")
        else:
            print(f"  {page:<12} p50 {p50:6.1f} ms  mean {mean:6.1f} ms")
    print(f"garbage collector after {args.gc_queries} more queries x {len(PAGES)} pages:")
    for label, tracked, ms in collector_share(app, more):
        print(f"  {label:<30} {tracked:>10,} tracked objects, full collection {ms:6.0f} ms")


if __name__ == "__main__":
    main()
