"""Bulk import throughput: 10,000 generated rows through parse → validate → write → commit.

    .venv/bin/python benchmarks/bench_import.py                                  # SQLite (temp file)
    .venv/bin/python benchmarks/bench_import.py --database postgresql://postgres@127.0.0.1:5432/kechuang_bench
    .venv/bin/python benchmarks/bench_import.py --kind providers --rows 10000 --format xlsx

Rows come from market.demo.generate (realistic Chinese titles, descriptions, achievements and services)
written in the import layout. Two paths are timed: `cli` (what `market import` does, in one process)
and `web` (upload, stepwise validation through the JSON endpoint, commit: what the browser drives).
Index updates are off, as in a real import (they run after the commit, see docs/import.md).
A PostgreSQL database named in --database is dropped and created afresh.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from market import taxonomy  # noqa: E402
from market.demo.generate import DemoNeed, DemoProvider, generate  # noqa: E402
from market.imports import export  # noqa: E402

PASSWORD = "Bench-pass-2026"


def _label(terms: tuple[taxonomy.Term, ...], code: str) -> str:
    return taxonomy.label(terms, code)


def need_rows(needs: tuple[DemoNeed, ...], enterprises: dict[str, str]) -> list[list[str]]:
    return [
        [
            enterprises[n.enterprise_key],
            n.title[:120],
            n.description,
            n.field,
            n.province,
            n.city,
            str(n.budget_min),
            str(n.budget_max),
            "",
            _label(taxonomy.COOPERATION_MODES, n.cooperation_mode),
            n.public_summary,
            n.confidential_details,
            "是" if n.is_open_call else "否",
        ]
        for n in needs
    ]


def provider_rows(providers: tuple[DemoProvider, ...], limit: int) -> list[list[str]]:
    """Whole providers (with their achievement and service rows) up to `limit` rows."""
    rows: list[list[str]] = []
    for p in providers:
        group = [
            [
                "服务方",
                _label(taxonomy.PROVIDER_KINDS, p.kind),
                p.name,
                p.title,
                p.organisation,
                p.province,
                p.city,
                "；".join(p.fields),
                p.expertise,
                "是",
                *[""] * 10,
            ]
        ]
        group += [
            [
                "成果",
                *[""] * 9,
                _label(taxonomy.ACHIEVEMENT_KINDS, a.kind),
                a.title,
                a.description,
                str(a.year),
                *[""] * 6,
            ]
            for a in p.achievements
        ]
        group += [
            [
                "服务",
                *[""] * 13,
                _label(taxonomy.SERVICE_CATEGORIES, s.category),
                s.title,
                s.description,
                _label(taxonomy.DELIVERY_MODES, s.delivery_mode),
                s.price_note,
                "是",
            ]
            for s in p.services
        ]
        if len(rows) + len(group) > limit:
            break
        rows += group
    return rows


def make_file(kind: str, n_rows: int, fmt: str) -> bytes:
    if kind == "needs":
        data = generate(seed=11, n_providers=40, n_needs=n_rows)
        rows = need_rows(data.needs, {e.key: e.name for e in data.enterprises})
    else:
        data = generate(seed=11, n_providers=n_rows // 4, n_needs=10)
        rows = provider_rows(data.providers, n_rows)
    header = export.headers(kind)
    return export.to_csv(header, rows) if fmt == "csv" else export.to_xlsx(header, rows, kind)


def _database_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{tempfile.mkdtemp(prefix='kc-bench-')}/bench.db"
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
    from market.auth import services as auth
    from market.auth.models import Role
    from market.cli import upgrade_database
    from market.db import commit

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INDEX_SYNC": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "INDEX_DIR": tempfile.mkdtemp(prefix="kc-bench-index-"),
        }
    )
    with app.app_context():
        upgrade_database()
        auth.create_user(email="bench@example.com", name="基准", password=PASSWORD, role=Role.ADMIN)
        commit()
    return app


def _wipe(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete

    from market.db import db
    from market.imports.models import ImportBatch, ImportRow
    from market.needs.models import Need
    from market.providers.models import Achievement, Provider, ServiceItem, provider_fields

    with app.app_context():
        for table in (
            ServiceItem.__table__,
            Achievement.__table__,
            provider_fields,
            Need.__table__,
            Provider.__table__,
            ImportRow.__table__,
            ImportBatch.__table__,
        ):
            db.session.execute(delete(table))
        db.session.commit()


def run_cli(app, kind: str, data: bytes, name: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from market.auth.models import User
    from market.db import commit, db
    from market.imports import batches
    from market.imports.reading import read_table
    from market.imports.validate import records_from_rows

    with app.app_context():
        actor = db.session.scalar(select(User))
        t0 = time.perf_counter()
        table = read_table(data, kind, name)
        records = records_from_rows(kind, table.rows)
        t1 = time.perf_counter()
        valid, errors = batches.validate_records(kind, actor, records)
        assert not errors, [str(e) for e in errors[:5]]
        t2 = time.perf_counter()
        batches.write(kind, actor, valid, publish=True)
        commit()
        t3 = time.perf_counter()
    return {
        "rows": len(records),
        "read": t1 - t0,
        "validate": t2 - t1,
        "write+commit": t3 - t2,
        "total": t3 - t0,
    }


def run_web(app, kind: str, data: bytes, name: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post("/auth/login", data={"email": "bench@example.com", "password": PASSWORD})
    t0 = time.perf_counter()
    response = client.post(
        f"/imports/{kind}",
        data={"file": (io.BytesIO(data), name), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    batch = int(response.headers["Location"].rsplit("/", 1)[1])
    t1 = time.perf_counter()
    while (
        state := client.post(
            f"/imports/batch/{batch}/step", headers={"Accept": "application/json"}
        ).get_json()
    )["status"] == "validating":
        pass
    assert state["status"] == "ready", state
    t2 = time.perf_counter()
    assert client.post(f"/imports/batch/{batch}/commit").status_code == 302
    t3 = time.perf_counter()
    return {
        "rows": state["total"],
        "upload+parse": t1 - t0,
        "validate": t2 - t1,
        "commit": t3 - t2,
        "total": t3 - t0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", help="PostgreSQL URL (dropped and recreated); default: a temp SQLite file"
    )
    parser.add_argument("--kind", choices=["needs", "providers", "both"], default="both")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--path", choices=["cli", "web", "both"], default="both")
    args = parser.parse_args()
    app = _app(_database_url(args.database))
    engine = "postgresql" if args.database else "sqlite"
    for kind in ("needs", "providers") if args.kind == "both" else (args.kind,):
        data = make_file(kind, args.rows, args.format)
        for path in ("cli", "web") if args.path == "both" else (args.path,):
            _wipe(app)
            runner = run_cli if path == "cli" else run_web
            times = runner(app, kind, data, f"{kind}.{args.format}")
            parts = "  ".join(f"{k} {v:.2f}s" for k, v in times.items() if k != "rows")
            print(
                f"{engine:10} {kind:9} {args.format:4} {path:3}  {int(times['rows']):6} rows  "
                f"{times['rows'] / times['total']:7.0f} rows/s  ({parts}; {len(data) / 1e6:.1f} MB)"
            )


if __name__ == "__main__":
    main()
