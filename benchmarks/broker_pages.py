"""Broker pages at real volume: one region holding 5,000 needs and 20,000 orders (issue 18, item 1).

    .venv/bin/python benchmarks/broker_pages.py                         # SQLite (temp file)
    .venv/bin/python benchmarks/broker_pages.py --database postgresql://postgres@127.0.0.1:5432/kechuang_bench_broker
    .venv/bin/python benchmarks/broker_pages.py --needs 5000 --orders 20000 --runs 40
    .venv/bin/python benchmarks/broker_pages.py --only reports             # one page (by name)

Rows are bulk-inserted straight into the tables (the services would take minutes for 20,000 orders):
needs in every posting state, orders in every order state with their audit entries, deals on the
signed ones and follow-ups with next dates (a share of them overdue), all in one province (江苏, 32),
plus a few in a second province that the broker must not see. Each broker page is then requested
`--runs` times by a logged-in broker of that province through the Flask test client, after one warm-up
request, and its p50 / p99 wall time printed (ms). The target is p99 under 300 ms (docs/performance.md).
A PostgreSQL database named in --database is dropped and created afresh.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-pass-2026"
TOO_SLOW_MS = 5000
PROVINCE, OTHER = "32", "11"
NEED_STATES = ("pending", "approved", "approved", "approved", "returned", "solved", "closed")
# Order states in rough proportion to a real history: most are still waiting or stopped.
ORDER_PATHS: dict[str, tuple[str, ...]] = {
    "ordered": ("ordered",),
    "dispatched": ("dispatched",),
    "accepted": ("ordered", "accepted"),
    "negotiating": ("ordered", "accepted", "negotiating"),
    "signed": ("dispatched", "accepted", "negotiating", "signed"),
    "delivered": ("ordered", "accepted", "negotiating", "signed", "delivered"),
    "reviewed": ("ordered", "accepted", "negotiating", "signed", "delivered", "reviewed"),
    "declined": ("dispatched", "declined"),
    "cancelled": ("ordered", "cancelled"),
    "expired": ("ordered", "expired"),
}
ACTIONS = {
    "accepted": "accept",
    "negotiating": "negotiate",
    "signed": "sign",
    "delivered": "deliver",
    "reviewed": "review",
    "declined": "decline",
    "cancelled": "cancel",
    "expired": "expire",
}


def _database_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{tempfile.mkdtemp(prefix='kc-bench-broker-')}/bench.db"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


def _app(url: str):  # type: ignore[no-untyped-def]
    from market import create_app
    from market.cli import upgrade_database

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INDEX_SYNC": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "INDEX_DIR": tempfile.mkdtemp(prefix="kc-bench-broker-index-"),
        }
    )
    with app.app_context():
        upgrade_database()
    return app


def _chunks(rows: list[dict[str, Any]], size: int = 2000) -> Any:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def populate(app: Any, n_needs: int, n_orders: int, n_providers: int, seed: int = 18) -> dict[str, int]:
    """Bulk rows in one region (and a few outside it); returns ids the page list needs."""
    from sqlalchemy import insert, select

    from market.auth import services as auth
    from market.auth.models import Organisation, OrgKind, Role, broker_regions
    from market.db import commit, db
    from market.needs.models import Need
    from market.orders.models import AuditLog, Deal, FollowUp, Order
    from market.providers.models import Provider, provider_fields
    from market.reference.models import Field

    rng = random.Random(seed)
    now = datetime.now().astimezone()
    with app.app_context():
        broker = auth.create_user(
            email="broker@bench.example", name="基准经纪人", password=PASSWORD, role=Role.BROKER
        )
        db.session.flush()
        db.session.execute(insert(broker_regions), [{"user_id": broker.id, "region_code": PROVINCE}])
        owner = auth.create_user(
            email="owner@bench.example", name="基准企业", password=PASSWORD, role=Role.ENTERPRISE
        )
        db.session.flush()
        fields = list(db.session.scalars(select(Field.code)))
        orgs = [
            {"name": f"基准企业{i:03d}有限公司", "kind": OrgKind.ENTERPRISE.value, "province": PROVINCE}
            for i in range(100)
        ]
        db.session.execute(insert(Organisation), orgs)
        org_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
        kinds = ("expert", "society", "team", "institution")
        db.session.execute(
            insert(Provider),
            [
                {
                    "kind": kinds[i % 4],
                    "name": f"基准服务方{i:04d}",
                    "province": PROVINCE if i % 3 else OTHER,
                    "expertise": "动力电池热管理、储能系统集成与检测。",
                    "status": "approved",
                    "approved_at": now - timedelta(days=400),
                }
                for i in range(n_providers)
            ],
        )
        provider_ids = list(db.session.scalars(select(Provider.id).order_by(Provider.id)))
        db.session.execute(
            insert(provider_fields),
            [{"provider_id": p, "field_code": fields[i % len(fields)]} for i, p in enumerate(provider_ids)],
        )

        need_rows = []
        for i in range(n_needs + 50):
            created = now - timedelta(days=rng.uniform(0, 720))
            status = NEED_STATES[i % len(NEED_STATES)]
            need_rows.append(
                {
                    "organisation_id": rng.choice(org_ids),
                    "author_id": owner.id,
                    "title": f"基准需求 {i:05d}：低温环境下电池续航衰减的热管理改进",
                    "description": "需要一套可量产的电池包低温预热与保温方案。",
                    "field_code": fields[i % len(fields)],
                    "province": PROVINCE if i < n_needs else OTHER,
                    "cooperation_mode": "develop",
                    "status": status,
                    "approved_at": created + timedelta(days=1) if status != "pending" else None,
                    "created_at": created,
                    "updated_at": created + timedelta(days=rng.uniform(1, 30)),
                }
            )
        for chunk in _chunks(need_rows):
            db.session.execute(insert(Need), chunk)
        need_ids = list(
            db.session.scalars(
                select(Need.id).where(Need.province == PROVINCE, Need.status == "approved").order_by(Need.id)
            )
        )
        # Orders go to two thirds of the approved needs, so the rest are "stale" needs to dispatch.
        with_orders = need_ids[: len(need_ids) * 2 // 3]
        states = list(ORDER_PATHS)
        orders = []
        for i in range(n_orders):
            state = states[i % len(states)]
            created = now - timedelta(days=rng.uniform(1, 700))
            orders.append(
                {
                    "origin": "dispatched" if ORDER_PATHS[state][0] == "dispatched" else "ordered",
                    "status": state,
                    "version": len(ORDER_PATHS[state]),
                    "organisation_id": rng.choice(org_ids),
                    "provider_id": rng.choice(provider_ids),
                    "need_id": rng.choice(with_orders) if i % 10 else None,
                    "created_by_id": owner.id,
                    "province": PROVINCE if i % 50 else OTHER,
                    "title": f"基准订单 {i:05d}：电池包低温预热方案",
                    "created_at": created,
                    "updated_at": created,
                    "status_changed_at": created + timedelta(days=rng.uniform(0, 20)),
                }
            )
        for chunk in _chunks(orders):
            db.session.execute(insert(Order), chunk)
        rows = db.session.execute(select(Order.id, Order.status, Order.created_at).order_by(Order.id)).all()
        audit, deals, follow_ups = [], [], []
        for order_id, status, created in rows:
            path = ORDER_PATHS[status]
            audit.append(
                {
                    "order_id": order_id,
                    "party": "enterprise",
                    "action": "create",
                    "from_status": "",
                    "to_status": path[0],
                    "version": 1,
                    "created_at": created,
                }
            )
            for step, (before, after) in enumerate(itertools.pairwise(path), start=2):
                audit.append(
                    {
                        "order_id": order_id,
                        "party": "provider",
                        "action": ACTIONS[after],
                        "from_status": before,
                        "to_status": after,
                        "version": step,
                        "created_at": created + timedelta(days=step * 3),
                    }
                )
            if "signed" in path:
                deals.append(
                    {
                        "order_id": order_id,
                        "contract_type": "develop",
                        "recorded_by_id": owner.id,
                        "value_wan": Decimal(rng.randint(5, 500)),
                        "signed_on": (created + timedelta(days=9)).date(),
                    }
                )
            if order_id % 3 == 0:
                follow_ups.append(
                    {
                        "order_id": order_id,
                        "author_id": broker.id,
                        "kind": "note",
                        "body": "电话沟通进展。",
                        "next_follow_up_on": date.today() + timedelta(days=rng.randint(-60, 30)),
                        "created_at": created + timedelta(days=2),
                    }
                )
        for table, data in ((AuditLog, audit), (Deal, deals), (FollowUp, follow_ups)):
            for chunk in _chunks(data):
                db.session.execute(insert(table), chunk)
        commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load on a live server: without statistics the
            # planner guesses row counts and picks nested loops over 20,000 orders.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        first_need = need_ids[-1]
        print(
            f"rows: {n_needs} needs + 50 elsewhere, {n_orders} orders, {len(audit)} audit entries, "
            f"{len(deals)} deals, {len(follow_ups)} follow-ups, {n_providers} providers",
            flush=True,
        )
        return {"broker": broker.id, "need": first_need}


def pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    return [
        ("board", "/broker/"),
        ("board, field + period filter", "/broker/?field=ev&period=365"),
        ("reports", "/broker/reports"),
        ("needs list, page 1", "/broker/list/needs"),
        ("needs list, page 100", "/broker/list/needs?page=100"),
        ("needs list, state + field filter", "/broker/list/needs?state=approved&field=ev&page=2"),
        ("orders list, state filter, page 50", "/broker/list/orders?state=ordered&page=50"),
        ("orders list, kind filter", "/broker/list/orders?kind=expert&page=3"),
        ("stale needs list", "/broker/list/stale-needs?page=5"),
        ("waiting orders list", "/broker/list/waiting-orders?page=5"),
        ("overdue follow-ups list", "/broker/list/overdue-follow-ups?page=5"),
        ("dispatch page", f"/orders/dispatch/{ids['need']}"),
        ("order inbox (broker)", "/orders/?page=20"),
    ]


def measure(app: Any, ids: dict[str, int], runs: int, only: str = "") -> list[tuple[str, str, float, float]]:
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "broker@bench.example", "password": PASSWORD})
    assert response.status_code == 302, response.data[:300]
    results = []
    for name, url in [(name, url) for name, url in pages(ids) if only in name]:
        start = time.perf_counter()
        assert client.get(url).status_code == 200, url  # warm-up: templates compiled, caches filled
        warm_up = (time.perf_counter() - start) * 1000
        if warm_up > TOO_SLOW_MS:  # not repeated: one answer already says it misses by far
            results.append((name, url, warm_up, warm_up))
            print(f"{name:38} {warm_up:7.0f} (one request, not repeated)   {url}", flush=True)
            continue
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - start) * 1000)
            assert status == 200, (url, status)
        times.sort()
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        results.append((name, url, statistics.median(times), p99))
        print(f"{name:38} {statistics.median(times):7.1f} {p99:7.1f}   {url}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="PostgreSQL URL (dropped and created); default a temp SQLite file")
    parser.add_argument("--needs", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    args = parser.parse_args()
    url = _database_url(args.database)
    app = _app(url)
    start = time.perf_counter()
    ids = populate(app, args.needs, args.orders, args.providers)
    print(f"populated in {time.perf_counter() - start:.1f} s ({url.split('@')[-1]})")
    print(f"{'page':38} {'p50 ms':>7} {'p99 ms':>7}")
    results = measure(app, ids, args.runs, args.only)
    worst = max(r[3] for r in results)
    print(f"slowest p99: {worst:.1f} ms ({'meets' if worst < 300 else 'MISSES'} the 300 ms target)")


if __name__ == "__main__":
    main()
