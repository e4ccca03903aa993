"""CPU time of the suggestion vocabulary's entries (database read, index document, jieba), per list.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --prepare-only
    .venv/bin/python benchmarks/suggest_build.py --workdir /tmp/search-scale [--limit 4000] [--rounds 2]
        [--processes N]

For each round and list (providers, services), the first `--limit` entries that
`market suggest rebuild` would write are computed (`market.suggest.services._all_entries`), and the
wall time and this process's CPU time are printed; nothing is written to the store. With
`--processes N` (N > 1) the entries are computed by N processes as `market suggest rebuild
--processes N` does (their start-up, about a second each, is left out of the times). The whole
build of a list is `market suggest rebuild` (docs/search.md, "Suggestions").
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workdir import throwaway_app  # noqa: E402


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    app = throwaway_app(args.workdir)
    from indexer.processes import optional_pool
    from market.db import db
    from market.suggest import services

    with optional_pool(args.processes) as pool, app.app_context():
        if pool is not None:
            list(pool.map(services.entry_of, [(0, 0, "启动", "启动")] * args.processes))  # started
        for _round in range(args.rounds):
            for kind in ("providers", "services"):
                wall, cpu = time.perf_counter(), time.process_time()
                entries = services._entries_in(pool, kind) if pool else services._all_entries(kind)
                count = sum(1 for _ in itertools.islice(entries, args.limit))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                mine = f"{cpu:.2f} s of this process's CPU"
                print(f"{kind}: {count} entries in {wall:.2f} s, {mine}", flush=True)
                db.session.rollback()


if __name__ == "__main__":
    main()
