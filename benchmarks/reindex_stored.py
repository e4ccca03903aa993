"""A reindex with nothing to encode: every vector is in the passage store, so the time is the database
read, the word analysis (jieba) and the segment write. `--processes` values are alternated per round.

    .venv/bin/python benchmarks/search_scale.py --providers 20000 --needs 4000 --workdir /tmp/ss20k \
        --prepare-only --no-suggest
    .venv/bin/python benchmarks/reindex_stored.py --workdir /tmp/ss20k [--kind providers] \
        [--processes 1 2] [--rounds 2]

Each run is `market.matching.indexing.rebuild(kind, processes=N)`, what `market reindex --processes N`
does before it prepares the stored query vectors (left out here: grown postings have none, and
encoding them is the encoder's rate, docs/scale-out.md). Prints wall time, this process's CPU and
its children's (the pool's processes, counted once they have exited), and the texts encoded, which
must be 0 for the numbers to mean what they say.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workdir import throwaway_app  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--kind", choices=("providers", "needs"), default="providers")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    app = throwaway_app(args.workdir)
    from market.matching import indexing

    with app.app_context():
        for round_number in range(1, args.rounds + 1):
            for processes in args.processes:
                wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
                stats = indexing.rebuild(args.kind, processes=processes)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                children = _children_cpu() - children
                print(
                    f"round {round_number}, --processes {processes}: {indexing.count(args.kind)} "
                    f"{args.kind} in {wall:.1f} s; CPU {cpu:.1f} s here + {children:.1f} s in the pool; "
                    f"{stats.encoded} encoded, {stats.reused} reused",
                    flush=True,
                )


if __name__ == "__main__":
    main()
