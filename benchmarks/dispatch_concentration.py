"""How concentrated dispatch is on the demo history, with the old suggestions and with capacity-aware
spreading (issue 18, item 4).

    .venv/bin/python benchmarks/dispatch_concentration.py [--seed 7] [--limit 2] [--hold-days 60]

A throw-away app (SQLite and an index in a temporary directory) loads the demo with a fixed seed
(`load_demo(seed)`, 320 providers, 160 needs, its order history) and builds the providers' index.

- recorded: the demo history as the generator made it (its own field-and-province heuristic).
- Replay: every need that got orders on the history, in the order of its first order, is sent again
  to as many providers as it was then, chosen from the 派单 page's top 10 (the engine's ranking, seen
  by an admin):
  - old: the first N of the engine's ranking (what the page suggested before);
  - new: the same ranking spread by market.capacity.spread (providers close in 匹配度 with room and
    fewer dispatches in the last 30 days first) and "send to the top N" (market.capacity.spread.top_n:
    providers at capacity skipped), with loads kept by the replay itself: each replayed order keeps
    its provider busy for `--hold-days` days and counts as a dispatch for 30 days.
  The new replay runs twice: without limits (the demo's providers set none: only recent dispatches
  and orders in hand spread work) and with every provider limited to `--limit` engagements at once.

Concentration = the share of orders that went to the top 10 % of providers (the public providers
ranked by their number of orders; ties broken by id), and the Gini coefficient of orders per provider.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workdir import throwaway_app  # noqa: E402


def concentration(counts: Counter[int], providers: int) -> tuple[float, float]:
    """(share of all orders held by the top 10 % of `providers`, Gini over all `providers`)."""
    total = sum(counts.values())
    ranked = sorted(counts.values(), reverse=True) + [0] * (providers - len(counts))
    top = math.ceil(providers / 10)
    share = sum(ranked[:top]) / total if total else 0.0
    ascending = sorted(ranked)
    weighted = sum((i + 1) * x for i, x in enumerate(ascending))
    gini = (2 * weighted) / (providers * total) - (providers + 1) / providers if total else 0.0
    return share, gini


def replay(
    plan: list[tuple[datetime, Any, int]],
    ranking: dict[int, list[Any]],
    *,
    spread_it: bool,
    limit: int | None,
    hold: int,
) -> Counter[int]:
    from market.capacity.load import RECENT_DAYS, Load
    from market.capacity.spread import spread, top_n

    busy: dict[int, list[datetime]] = {}  # provider -> when each replayed order ends
    sent: dict[int, list[datetime]] = {}  # provider -> when each replayed dispatch was made
    counts: Counter[int] = Counter()
    for when, need, n in plan:
        matches = ranking[need.id]

        def load(m: Any, when: datetime = when) -> Load:
            pid = m.provider.id
            return Load(
                pid,
                active=sum(1 for end in busy.get(pid, []) if end > when),
                limit=limit,
                recent_dispatches=sum(1 for t in sent.get(pid, []) if when - t < timedelta(days=RECENT_DAYS)),
            )

        if spread_it:
            chosen = top_n(spread(matches, lambda m: m.reason.degree, load), n, lambda _m: False, False)
        else:
            chosen = matches[:n]
        for m in chosen:
            pid = m.provider.id
            counts[pid] += 1
            busy.setdefault(pid, []).append(when + timedelta(days=hold))
            sent.setdefault(pid, []).append(when)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--limit", type=int, default=2)
    parser.add_argument("--hold-days", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dispatch-concentration-"))
    app = throwaway_app(work)

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from market.auth.models import User
    from market.db import db
    from market.demo.load import load_demo
    from market.matching import engine, indexing
    from market.matching import services as matching
    from market.needs.models import Need
    from market.orders.models import Order
    from market.postings import PostingStatus
    from market.providers.models import Provider
    from market.reference.services import seed_reference_data

    with app.app_context():
        upgrade(revision="heads")
        seed_reference_data()
        db.session.commit()
        started = time.perf_counter()
        print(load_demo(seed=args.seed), file=sys.stderr)
        db.session.commit()
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        started = time.perf_counter()
        indexing.rebuild(engine.PROVIDERS)
        print(f"providers indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        public = db.session.scalar(
            select(func.count()).select_from(Provider).where(Provider.status == PostingStatus.APPROVED.value)
        )
        recorded: Counter[int] = Counter(
            dict(
                db.session.execute(select(Order.provider_id, func.count()).group_by(Order.provider_id)).all()
            )
        )
        rows = db.session.execute(
            select(Order.need_id, func.min(Order.created_at), func.count(func.distinct(Order.provider_id)))
            .where(Order.need_id.is_not(None))
            .group_by(Order.need_id)
            .order_by(func.min(Order.created_at))
        ).all()
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        plan, ranking = [], {}
        for need_id, first, n in rows:
            need = db.session.get(Need, need_id)
            ranking[need_id] = list(matching.providers_for_need(admin, need, k=10))
            plan.append((first, need, n))
        print(f"{len(plan)} needs ranked in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        on_needs: Counter[int] = Counter()
        for _when, need, _n in plan:
            on_needs.update(
                set(db.session.scalars(select(Order.provider_id).where(Order.need_id == need.id)))
            )
        results = {
            "recorded demo history (all orders)": recorded,
            "recorded demo history (providers per need)": on_needs,
            "replay, old suggestions (engine top N)": replay(
                plan, ranking, spread_it=False, limit=None, hold=args.hold_days
            ),
            "replay, new suggestions, no limits set": replay(
                plan, ranking, spread_it=True, limit=None, hold=args.hold_days
            ),
            f"replay, new suggestions, every provider limited to {args.limit}": replay(
                plan, ranking, spread_it=True, limit=args.limit, hold=args.hold_days
            ),
        }
        print(
            f"seed {args.seed}: {public} public providers (top 10 % = {math.ceil(public / 10)}), "
            f"{len(plan)} needs replayed, hold {args.hold_days} days"
        )
        print("| run | orders | providers with orders | top 10 % share | Gini |")
        print("|---|---|---|---|---|")
        for name, counts in results.items():
            share, gini = concentration(counts, public)
            print(f"| {name} | {sum(counts.values())} | {len(counts)} | {share:.1%} | {gini:.2f} |")


if __name__ == "__main__":
    main()
