"""The services list of a query right after its providers list, as a visitor moves between them.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --prepare-only
    .venv/bin/python benchmarks/services_after_providers.py --workdir /tmp/search-scale

In one process set up as a gunicorn worker (warm-up frozen out of the collector, the worker's
thresholds), with the stored query vectors and shared rankings forgotten first: for each of
`--queries` queries (search_scale.py's), `/providers/?q=` then `/services/?q=`, timing the second.
Both lists rank with the providers index, so the services page finds the ranking kept; what it may
still do is read the candidates' facts from the database. Prints the median and mean.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workdir import fresh_worker_client


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    _app, client, queries = fresh_worker_client(args.workdir, args.queries)
    times = []
    for query in queries:
        assert client.get(f"/providers/?{urlencode({'q': query})}").status_code == 200
        started = time.perf_counter()
        assert client.get(f"/services/?{urlencode({'q': query})}").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"services page after the providers page ({len(times)} queries): "
        f"median {statistics.median(times):.1f} ms, mean {statistics.mean(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
