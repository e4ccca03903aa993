"""Latency of GET /api/v1/suggest (suggestions as you type), measured through the whole Flask stack.

    .venv/bin/python benchmarks/suggest_latency.py                       # the demo data set
    .venv/bin/python benchmarks/suggest_latency.py --copies 60            # + a vocabulary 60x as large
    .venv/bin/python benchmarks/suggest_latency.py --base http://127.0.0.1:8020 --users 20   # a server

Without `--base` it makes a throw-away instance (SQLite, its own index directory, rate limit off),
loads the demo (`market load-demo`: 320 providers, 160 needs by default), builds the suggestion
vocabulary of each kind (timed), and then asks what a person typing asks: every prefix (1 to 6
characters) of public need titles, provider names and expertise, and service titles, plus Latin
and full-width prefixes, in a shuffled order, through the app's test client (routing, rate limiter,
lookup, JSON), one request at a time. `--copies N` adds N renamed copies of every entry to the
store (new titles and terms: "<term>N"), to see the cost of a larger vocabulary; the periodic check
against the database is switched off for that run so it keeps them.

With `--base` it sends the same kind of prefixes to a running server from `--users` threads (each
request right after the previous answer) and reports the latency seen by the client.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LATIN = ("l", "le", "led", "a", "ai", "pl", "plc", "c", "co", "s", "si", "sic", "p", "pe", "pet", "m", "mo")


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "n": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def typed_prefixes(texts: Iterable[str], longest: int = 6) -> list[str]:
    """Every prefix a person typing these texts would have sent (1 .. `longest` characters)."""
    found: set[str] = set()
    for text in texts:
        text = text.strip()
        for n in range(1, min(longest, len(text)) + 1):
            found.add(text[:n])
    return sorted(found)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def workload(app: object, seed: int) -> list[tuple[str, str]]:
    """(kind, typed) pairs from the public postings of the instance."""
    from sqlalchemy import select

    from market.db import db
    from market.needs.models import Need
    from market.providers.models import Provider, ServiceItem

    with app.app_context():  # type: ignore[attr-defined]
        needs = list(db.session.scalars(select(Need.title).where(Need.status == "approved")))
        providers = list(db.session.scalars(select(Provider).where(Provider.status == "approved")))
        names = [p.name for p in providers] + [p.expertise[:12] for p in providers]
        services = list(db.session.scalars(select(ServiceItem.title)))
    pairs = [("needs", q) for q in typed_prefixes(needs)]
    pairs += [("providers", q) for q in typed_prefixes(names)]
    pairs += [("services", q) for q in typed_prefixes(services)]
    for kind in ("needs", "providers", "services"):
        pairs += [(kind, q) for q in LATIN] + [(kind, full_width(q.upper())) for q in LATIN]
    random.Random(seed).shuffle(pairs)
    return pairs


def make_instance(n_providers: int, n_needs: int) -> object:
    from market import create_app
    from market.cli import upgrade_database
    from market.db import commit
    from market.demo.load import load_demo

    folder = Path(tempfile.mkdtemp(prefix="kechuang-suggest-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "INDEX_DIR": str(folder / "index"),
            "INDEX_SYNC": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade_database()
        started = time.perf_counter()
        print(load_demo(n_providers=n_providers, n_needs=n_needs))
        commit()
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    return app


def build(app: object, copies: int) -> None:
    from market.suggest import services
    from market.suggest.store import Entry

    with app.app_context():  # type: ignore[attr-defined]
        for kind in services.KINDS:
            started = time.perf_counter()
            written = services.build(kind)
            terms = (
                services.store()._db().execute("SELECT count(*) FROM term WHERE kind = ?", (kind,)).fetchone()
            )
            print(
                f"built {kind}: {written} entries, {terms[0]} terms in {time.perf_counter() - started:.2f} s"
            )
        if copies:
            services.CHECK_EVERY = float("inf")  # keep the copies: they are not in the database
            store = services.store()
            for kind in services.KINDS:
                rows = (
                    store._db()
                    .execute("SELECT owner, posting_id, title, terms FROM entry WHERE kind = ?", (kind,))
                    .fetchall()
                )

                def entries(rows: list[tuple[int, int, str, str]] = rows) -> Iterator[tuple[int, Entry]]:
                    for n in range(copies + 1):
                        for owner, posting_id, title, terms in rows:
                            keys = frozenset(f"{t}{n or ''}" for t in terms.split("\n") if t)
                            name = f"{title}{n or ''}"
                            yield (
                                owner + n * 10_000_000,
                                Entry(
                                    posting_id + n * 10_000_000, name, keys, frozenset({name.lower(), *keys})
                                ),
                            )

                started = time.perf_counter()
                written = store.rebuild(kind, entries())
                total = store._db().execute("SELECT count(*) FROM term WHERE kind = ?", (kind,)).fetchone()
                print(
                    f"{kind}: rebuilt with {copies} renamed copies -> {written} entries, {total[0]} terms "
                    f"in {time.perf_counter() - started:.1f} s (writing only; no text analysis)"
                )


def run_in_process(app: object, pairs: list[tuple[str, str]], warm: int) -> dict[str, list[float]]:
    client = app.test_client()  # type: ignore[attr-defined]
    by_kind: dict[str, list[float]] = {"all": []}
    for i, (kind, typed) in enumerate(pairs):
        started = time.perf_counter()
        response = client.get("/api/v1/suggest", query_string={"kind": kind, "q": typed})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)[:200]
        if i >= warm:
            by_kind.setdefault(kind, []).append(elapsed)
            by_kind["all"].append(elapsed)
    return by_kind


def run_against(base: str, pairs: list[tuple[str, str]], users: int) -> dict[str, list[float]]:
    by_kind: dict[str, list[float]] = {"all": []}
    lock = threading.Lock()

    def one(pair: tuple[str, str]) -> None:
        kind, typed = pair
        url = f"{base}/api/v1/suggest?" + urllib.parse.urlencode({"kind": kind, "q": typed})
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as response:
            json.loads(response.read())
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            by_kind.setdefault(kind, []).append(elapsed)
            by_kind["all"].append(elapsed)

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(one, pairs))
    return by_kind


def report(by_kind: dict[str, list[float]]) -> None:
    print("\n| kind | requests | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for kind in ("needs", "providers", "services", "all"):
        if by_kind.get(kind):
            s = percentiles(by_kind[kind])
            cells = " | ".join(f"{s[name]:.2f}" for name in ("p50", "p95", "p99", "max"))
            print(f"| {kind} | {s['n']:.0f} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=320)
    parser.add_argument("--needs", type=int, default=160)
    parser.add_argument(
        "--copies", type=int, default=0, help="renamed copies of every entry added to the store"
    )
    parser.add_argument(
        "--requests", type=int, default=0, help="cap on the number of requests (0: all prefixes)"
    )
    parser.add_argument("--warm", type=int, default=50, help="first requests not counted")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--base", default="", help="a running server instead of an in-process instance")
    parser.add_argument("--users", type=int, default=10, help="with --base: concurrent clients")
    args = parser.parse_args()
    if args.base:
        texts = [
            unicodedata.normalize("NFC", t)
            for t in ("注塑件翘曲变形", "锂电池热失控预警", "污水处理厂污泥减量")
        ]
        pairs = [
            (kind, q)
            for kind in ("needs", "providers", "services")
            for q in typed_prefixes(texts) + list(LATIN)
        ]
        pairs = pairs * max(1, (args.requests or 3000) // len(pairs))
        random.Random(args.seed).shuffle(pairs)
        report(run_against(args.base.rstrip("/"), pairs, args.users))
        return
    app = make_instance(args.providers, args.needs)
    build(app, args.copies)
    pairs = workload(app, args.seed)
    if args.requests:
        pairs = pairs[: args.requests]
    print(f"{len(pairs)} requests ({args.warm} warm-up not counted)")
    report(run_in_process(app, pairs, args.warm))


if __name__ == "__main__":
    main()
