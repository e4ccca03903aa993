"""The review queue's 可能重复 marks (market.assistant.duplicate_marks): the time to mark a page of
pending needs, from stored query vectors only, on the demo of benchmarks/assistant_bench.py.

    .venv/bin/python benchmarks/duplicate_marks_bench.py --dir /tmp/assistant-bench --rows 100

`--rows` public demo needs are copied as pending needs (one sentence added, so each copy has a
near-duplicate), their query vectors stored as the owner's page would store them, and the marks of
all copies computed `--runs` times as an admin's queue would; the copies are rolled back afterwards
(the query store keeps their vectors: it is only a cache).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.assistant_bench import instance, percentiles  # noqa: E402


def marks_timing(app: object, rows: int, runs: int) -> dict[str, object]:
    from sqlalchemy import select

    from market.assistant import duplicate_marks
    from market.auth.models import Role, User
    from market.db import db
    from market.matching import engine
    from market.matching.documents import need_query_text
    from market.needs.models import Need

    with app.app_context():  # type: ignore[attr-defined]
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).limit(1))
        public = list(db.session.scalars(select(Need).where(Need.status == "approved").limit(rows)))
        copies = []
        for need in public:
            copy = Need(
                organisation_id=need.organisation_id,
                author_id=need.author_id,
                title=need.title,
                description=need.description + "急需，欢迎联系。",
                field_code=need.field_code,
                province=need.province,
                city=need.city,
                cooperation_mode=need.cooperation_mode,
                status="pending",
            )
            db.session.add(copy)
            copies.append(copy)
        db.session.flush()
        engine.prepare_queries(need_query_text(n) for n in copies)
        duplicate_marks.queue_marks(admin, copies[:1])  # the index opened once, as in a warm worker
        samples, marked = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            marked = len(duplicate_marks.queue_marks(admin, copies))
            samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return {"rows": len(copies), "marked": marked, "ms": percentiles(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("duplicate marks", marks_timing(instance(args.dir), args.rows, args.runs), flush=True)


if __name__ == "__main__":
    main()
