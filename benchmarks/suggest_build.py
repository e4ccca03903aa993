"""CPU time of the suggestion vocabulary's entries (database read, index document, jieba), per list.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --prepare-only
    .venv/bin/python benchmarks/suggest_build.py --workdir /tmp/search-scale [--limit 4000] [--rounds 2]

For each round and list (providers, services), the first `--limit` entries that
`market suggest rebuild` would write are computed (`market.suggest.services._all_entries`), and the
process CPU time is printed; nothing is written to the store. The whole build of a list is
`market suggest rebuild` (docs/search.md, "Suggestions").
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
    args = parser.parse_args()
    app = throwaway_app(args.workdir)
    from market.db import db
    from market.suggest import services

    with app.app_context():
        for _round in range(args.rounds):
            for kind in ("providers", "services"):
                started = time.process_time()
                entries = sum(1 for _ in itertools.islice(services._all_entries(kind), args.limit))
                spent = time.process_time() - started
                print(f"{kind}: {entries} entries in {spent:.2f} s of CPU", flush=True)
                db.session.rollback()


if __name__ == "__main__":
    main()
