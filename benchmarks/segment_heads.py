"""Reading the heads of a new query's candidates: one row at a time against one array per segment.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --prepare-only
    .venv/bin/python benchmarks/segment_heads.py --workdir /tmp/search-scale

A hit of the embedded index carries its document's head (title, filters, passage keys; see
indexer/backends/segment.py). A new query at 100,000 providers asks for 1,000 candidates, most of
whose heads the process has not kept. For each of the base segments of a prepared work directory, in a
process set up as a gunicorn worker (the warm-up frozen out of the garbage collector), this times
reading `--rows` random rows' heads with nothing kept, `--rounds` times: `heads_of([row])` for each
row, then `heads_of(rows)`, and checks that both give the same heads. Prints the medians.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workdir import throwaway_app
from market.gunicorn_conf import quiet_collector


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    app = throwaway_app(args.workdir, RATELIMIT_ENABLED=False)
    from market.matching import engine

    with app.app_context():
        for kind in ("providers", "needs"):
            base = engine.index_for(kind).view().base
            if base is None:
                continue
            quiet_collector()
            one_by_one, together = [], []
            for round_number in range(args.rounds):
                rows = random.Random(round_number).sample(range(base.n_docs), min(args.rows, base.n_docs))
                base._heads.clear()
                started = time.perf_counter()
                alone = [base.heads_of([row])[0] for row in rows]
                one_by_one.append(time.perf_counter() - started)
                base._heads.clear()
                started = time.perf_counter()
                if base.heads_of(rows) != alone:
                    raise SystemExit(f"{kind}: heads_of differs from head")
                together.append(time.perf_counter() - started)
            print(
                f"{kind} ({base.n_docs} documents), {args.rows} heads not kept, median of {args.rounds}: "
                f"one row at a time {statistics.median(one_by_one) * 1000:.1f} ms, "
                f"one array {statistics.median(together) * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
