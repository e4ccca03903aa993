"""Ranking quality of the public provider search (/providers/?q=…) with the needs of market-dev as
queries, against the match page's ranking of the same needs (docs/search.md).

    python ../shared/data/market-dev/build.py /tmp/market-dev          # the BEIR files (README there)
    .venv/bin/python benchmarks/search_quality.py /tmp/market-dev [--json out.json]

The set's 150 providers (achievements and services included) and 50 needs are loaded as approved
postings into a throw-away app (SQLite and an index in a temporary directory), indexed with the
configured encoder, then each need is asked two ways:

- search: the provider list's search service with q = the need's title and text, as a person would
  paste them (cut at 500 characters on a word boundary, no filters), top 10;
- search, title: the same with q = the need's title alone (8-20 characters of plain language, the
  few words a person types into a search box);
- "+ weaker": each of the two followed by the weaker matches the page shows after a short list
  (market/search/services.py, `_weaker`), with how many were shown and how many of those are relevant;
- match page: `matching.services.providers_for_need` for the need (its field and region as soft
  boosts, as on the need's 推荐服务方 page), top 10.

Both are scored with the hand-made grades (nDCG@10, Recall@10, MRR@10; indexer.evaluate).
Fields and regions are mapped to the app's codes by name (region by prefix, field by shared
characters), so the match page's boosts mean what they mean in the app.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workdir import throwaway_app  # noqa: E402
from indexer.evaluate import read_qrels, score_run  # noqa: E402


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _first(value: Any) -> str:
    return str(value[0] if isinstance(value, list) and value else value or "")


def _field_code(name: str, fields: list[tuple[str, str]]) -> str:
    """The app field sharing most characters with the set's field name."""
    return max(fields, key=lambda f: (len(set(name) & set(f[1])), -len(f[1])))[0]


def _province(name: str, provinces: list[tuple[str, str]]) -> str:
    for code, zh in provinces:
        if zh.startswith(name) or name.startswith(zh[:2]):
            return code
    return provinces[0][0]


def load(app: Any, data: Path) -> tuple[dict[int, str], dict[str, int]]:
    """Providers and needs as approved postings; returns provider id -> corpus id, query id -> need id."""
    from sqlalchemy import select

    from market.auth.models import Organisation, OrgKind, Role, User
    from market.db import db
    from market.needs.models import Need
    from market.providers.models import Achievement, Provider, ServiceItem
    from market.reference.models import Field, Region

    fields = [(f.code, f.name_zh) for f in db.session.scalars(select(Field))]
    provinces = [
        (r.code, r.name_zh) for r in db.session.scalars(select(Region).where(Region.parent_code.is_(None)))
    ]
    org = Organisation(name="基准测试企业", kind=OrgKind.ENTERPRISE.value, province=provinces[0][0])
    author = User(
        email="bench@example.com",
        name="基准",
        password_hash="-",
        role=Role.ENTERPRISE.value,
        session_token=secrets.token_hex(16),
    )
    author.organisation = org
    db.session.add_all([org, author])
    corpus_of: dict[int, str] = {}
    for row in _read_jsonl(data / "corpus.jsonl"):
        provider = Provider(
            kind=_first(row.get("kind")) or "expert",
            name=_first(row.get("name")) or row["title"],
            title=row["title"][:120],
            expertise=row["text"],
            province=_province(_first(row.get("region")), provinces),
            status="approved",
        )
        provider.fields = [db.session.get(Field, _field_code(_first(row.get("field")), fields))]
        provider.achievements = [
            Achievement(kind="project", title=text[:200], description="")
            for text in row.get("achievements", [])
        ]
        provider.services = [
            ServiceItem(category="consulting", title=text[:120], description="", delivery_mode="online")
            for text in row.get("services", [])
        ]
        db.session.add(provider)
        db.session.flush()
        corpus_of[provider.id] = row["_id"]
    need_of: dict[str, int] = {}
    for row in _read_jsonl(data / "queries.jsonl"):
        need = Need(
            organisation=org,
            author=author,
            title=row["title"][:120],
            description=row["text"],
            field_code=_field_code(_first(row.get("field")), fields),
            province=_province(_first(row.get("region")), provinces),
            cooperation_mode="develop",
            status="approved",
        )
        db.session.add(need)
        db.session.flush()
        need_of[row["_id"]] = need.id
    admin = User(
        email="bench-admin@example.com",
        name="管理员",
        password_hash="-",
        role=Role.ADMIN.value,
        session_token=secrets.token_hex(16),
    )
    db.session.add(admin)
    db.session.commit()
    return corpus_of, need_of


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="the market-dev BEIR directory (build.py OUTDIR)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="search-quality-"))
    app = throwaway_app(work)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from market.auth.models import User
    from market.db import db
    from market.matching import indexing
    from market.matching.services import providers_for_need
    from market.needs.models import Need
    from market.reference.services import seed_reference_data
    from market.search import services as search

    qrels = read_qrels(args.data / "qrels.tsv")
    with app.app_context():
        upgrade(revision="heads")
        seed_reference_data()
        db.session.commit()
        corpus_of, need_of = load(app, args.data)
        started = time.perf_counter()
        for kind in indexing.kinds("all"):
            indexing.rebuild(kind)
        print(f"indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        admin = db.session.scalar(select(User).where(User.email == "bench-admin@example.com"))
        searches = ("search", "search, title")
        runs: dict[str, dict[str, list[str]]] = {name: {} for name in (*searches, "match page")}
        runs.update({f"{name} + weaker": {} for name in searches})
        timings: dict[str, list[float]] = {name: [] for name in runs}
        weaker_shown = dict.fromkeys(searches, 0)
        weaker_relevant = dict.fromkeys(searches, 0)
        with app.test_request_context("/"):
            for query_id, need_id in need_of.items():
                need = db.session.get(Need, need_id)
                for name, query in (
                    ("search", f"{need.title}\n{need.description}"),
                    ("search, title", need.title),
                ):
                    started = time.perf_counter()
                    result = search.search(search.PROVIDERS, search.SearchRequest(q=query, per_page=10))
                    timings[name].append(time.perf_counter() - started)
                    runs[name][query_id] = [corpus_of[row.obj.id] for row in result.page.items]
                    weaker = [corpus_of[row.obj.id] for row in result.weaker]
                    runs[f"{name} + weaker"][query_id] = runs[name][query_id] + weaker
                    weaker_shown[name] += len(weaker)
                    weaker_relevant[name] += sum(qrels.get(query_id, {}).get(doc, 0) > 0 for doc in weaker)
                started = time.perf_counter()
                matches = providers_for_need(admin, need, k=10)
                timings["match page"].append(time.perf_counter() - started)
                runs["match page"][query_id] = [corpus_of[m.provider.id] for m in matches]
    report = {
        name: {
            **score_run(run, qrels),
            "ms_p50": round(statistics.median(timings[name]) * 1000, 1) if timings[name] else None,
            "queries": len(run),
        }
        for name, run in runs.items()
    }
    for name in searches:
        # The weaker matches shown after a short list: how many, and how many of them are relevant.
        report[f"{name} + weaker"]["weaker_shown"] = weaker_shown[name]
        report[f"{name} + weaker"]["weaker_relevant"] = weaker_relevant[name]
    print(f"{'ranking':<24} {'nDCG@10':>8} {'R@10':>7} {'MRR@10':>7} {'ms p50':>7}  weaker shown / relevant")
    for name, scores in report.items():
        ms = f"{scores['ms_p50']:>7.1f}" if scores["ms_p50"] is not None else f"{'':>7}"
        weaker = (
            f"  {scores['weaker_shown']} / {scores['weaker_relevant']}" if "weaker_shown" in scores else ""
        )
        print(
            f"{name:<24} {scores['ndcg@10']:>8.4f} {scores['recall@10']:>7.4f} "
            f"{scores['mrr@10']:>7.4f} {ms}{weaker}"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
