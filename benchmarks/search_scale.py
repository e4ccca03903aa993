"""The search pages at scale: 100,000 providers and 20,000 needs (bulk demo data), in process.

    .venv/bin/python benchmarks/search_scale.py --workdir /tmp/search-scale --json /tmp/search-scale.json
    .venv/bin/python benchmarks/search_scale.py --providers 20000 --needs 4000 --workdir /tmp/search-scale-20k

Build (skipped when `--workdir` already holds a finished build; `--prepare-only` stops after it):

1. A SQLite database in the work directory gets the schema, the reference data and the ordinary demo
   (`load_demo`, 320 providers and 160 needs, through the services): enterprises, brokers, users.
2. Source vectors: every text the index encodes for the demo's public providers and needs (the whole
   profile, each achievement, each service; each need's title + text: `document_vector_texts` of
   `provider_document` / `need_document`) is encoded once by the bundled encoder, through the kind's
   passage store (`indexer/passage_store.py`), so the demo rows are indexed with their real vectors.
   About 2,200 texts: a few minutes on two cores.
3. Bulk postings: `benchmarks.grow_corpus.grow_corpus` grows N documents around the real ones, as it
   does for the scale proof: each grown document has an anchor (a demo posting) and a partner (one of
   the anchor's 10 nearest demo postings); its vector of each slot (whole profile, then each passage)
   is `(1 - t) * anchor + t * partner` for that slot, `t ~ U(0, 0.5)`, plus Gaussian noise with the
   per-dimension spread of real vectors around their neighbours' mean, scaled so a grown document is
   as close to its nearest real one as real documents are to each other (`calibrate_noise`), then
   normalised. The texts are made to fit that vector: the anchor's texts, slot by slot, with each
   sentence replaced with probability 0.3 by a sentence of the partner's text of the same slot, every
   number redrawn with the same digit count, a new person's name for an expert (organisations keep
   the anchor's name with a branch number), a random province; providers keep the anchor's fields,
   sub-fields, achievements' and services' titles, kinds and categories (so the passage count of
   each slot is the anchor's: ~3 achievements and ~2 services per provider); needs keep the anchor's
   field, mode and budget, and half of the titles get the province as a prefix. Rows are inserted in
   bulk (core `insert` of 2,000-row chunks), already approved.
4. The vectors of the bulk texts are written into the passage stores, keyed as the index looks them
   up (encoder name + exact text, read back from the database through `indexing.documents`), then
   the indexes are rebuilt through the normal path (`indexing.rebuild`, what `market reindex` calls),
   which reads every vector from the store and encodes only what it lacks (printed: should be 0).
5. The suggestion vocabularies are built (`market.suggest.services.build`, what `market suggest
   rebuild` calls). Each step's time is printed.

Measure (a fresh process each run: query vectors and ranked lists are cold; the stored query vectors
are deleted first, so "new" is new): through Flask's test client, one request at a time (helpers of
benchmarks/search_latency.py and benchmarks/suggest_latency.py):

- new: `/needs/?q=`, `/providers/?q=`, `/services/?q=` with queries never seen (each encoded);
- seen: the same again; page2: the same with `page=2`; filtered: with a region facet and sort 最新;
- list: the lists without a query, with a facet filter (needs by field, providers by region,
  services by category) and page 2 of the same (facets counted in the database: list_facets.py);
- suggest: `/api/v1/suggest` with prefixes (1-6 characters) of bulk titles and names.

`--profile URL` prints a cProfile of one request (after the passes, so caches are warm as in "seen").
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.grow_corpus import GrownCorpus, RealCorpus, SourceDoc, grow_corpus  # noqa: E402
from benchmarks.search_latency import EXAMPLES, PAGES, percentile, run_pass  # noqa: E402
from benchmarks.suggest_latency import typed_prefixes  # noqa: E402
from benchmarks.workdir import forget_cached_searches, throwaway_app  # noqa: E402

SWAP = 0.3  # share of sentences taken from the partner
CHUNK = 2_000
BUILT = "built.json"
_SENTENCE = re.compile(r"(?<=[。；！？\n])")
_NUMBER = re.compile(r"\d+(?!\d|\. )")  # not the "1. " of a numbered list


# ---- timing and text variation ---------------------------------------------------------------------


@contextmanager
def step(name: str, times: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    times[name] = round(time.perf_counter() - started, 1)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {name}: {times[name]:.1f} s (max RSS {rss:.0f} MB)", file=sys.stderr, flush=True)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s]


def mix(anchor: str, partner: str, rng: random.Random) -> str:
    """The anchor's sentences, each replaced by one of the partner's with probability SWAP, and every
    number redrawn with as many digits (so texts differ even where no sentence was swapped)."""
    theirs = sentences(partner)
    out = [rng.choice(theirs) if theirs and rng.random() < SWAP else s for s in sentences(anchor)]
    return _NUMBER.sub(lambda m: _redraw(m.group(), rng), "".join(out))


def _redraw(digits: str, rng: random.Random) -> str:
    if len(digits) == 1:
        return str(rng.randint(1, 9))
    return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))


# ---- step 2: the real vectors of the demo postings -------------------------------------------------


@dataclass
class Source:
    """A demo posting as the source of bulk ones: its row's values and its slot texts' vectors."""

    row: dict[str, Any]
    slots: list[str]  # the partner's text per slot, for mixing (provider: expertise, then passages)
    achievements: list[dict[str, Any]]
    services: list[dict[str, Any]]
    fields: list[str]
    subfields: list[str]


def _real_corpus(kind: str, docs: list[Any], times: dict[str, float]) -> tuple[RealCorpus, list[str]]:
    """Encode every slot text of `docs` (documents of the demo's public postings) once, through the
    kind's passage store; the corpus grow_corpus grows from, and the document ids in its order."""
    from indexer.preparation import document_vector_texts
    from market.matching import engine, indexing

    texts = [document_vector_texts(doc) for doc in docs]
    flat = [t for group in texts for t in group]
    with step(f"encode {len(flat)} {kind} source texts", times):
        index = engine.backend(kind, allow_mismatch=True)
        with indexing.stored_passages(index, kind) as stored:
            vectors = stored.encode_passages(flat)
    owner = np.repeat(np.arange(len(docs), dtype=np.int32), [len(g) for g in texts])
    real_docs = [SourceDoc(doc.id, doc.title, doc.text, ()) for doc in docs]
    return RealCorpus(real_docs, vectors.astype(np.float32), owner, np.zeros((0, vectors.shape[1]))), [
        doc.id for doc in docs
    ]


def provider_sources(ids: list[str]) -> list[Source]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from market.db import db
    from market.providers.models import Provider

    rows = {
        str(p.id): p
        for p in db.session.scalars(
            select(Provider)
            .where(Provider.id.in_([int(i) for i in ids]))
            .options(
                selectinload(Provider.achievements),
                selectinload(Provider.services),
                selectinload(Provider.fields),
                selectinload(Provider.subfields),
            )
        )
    }
    out = []
    for i in ids:
        p = rows[i]
        achievements = [
            {"kind": a.kind, "title": a.title, "description": a.description, "year": a.year}
            for a in p.achievements
        ]
        services = [
            {
                "category": s.category,
                "title": s.title,
                "description": s.description,
                "delivery_mode": s.delivery_mode,
                "price_note": s.price_note,
            }
            for s in p.services
            if s.active
        ]
        row = {
            "kind": p.kind,
            "name": p.name,
            "title": p.title,
            "affiliation": p.affiliation,
            "expertise": p.expertise,
        }
        slots = (
            [p.expertise] + [a["description"] for a in achievements] + [s["description"] for s in services]
        )
        out.append(Source(row, slots, achievements, services, list(p.field_codes), list(p.subfield_codes)))
    return out


def need_sources(ids: list[str]) -> list[Source]:
    from sqlalchemy import select

    from market.db import db
    from market.needs.models import Need

    rows = {str(n.id): n for n in db.session.scalars(select(Need).where(Need.id.in_([int(i) for i in ids])))}
    keep = (
        "organisation_id",
        "author_id",
        "title",
        "description",
        "field_code",
        "subfield_code",
        "budget_min",
        "budget_max",
        "cooperation_mode",
        "public_summary",
        "is_open_call",
    )
    out = []
    for i in ids:
        n = rows[i]
        row = {key: getattr(n, key) for key in keep}
        out.append(Source(row, [n.description], [], [], [], []))
    return out


# ---- step 3: bulk postings -------------------------------------------------------------------------


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _provinces() -> list[str]:
    from sqlalchemy import select

    from market.db import db
    from market.reference.models import Region

    return sorted(db.session.scalars(select(Region.code).where(Region.parent_code.is_(None))))


def _stamps(rng: random.Random, now: datetime) -> dict[str, Any]:
    created = now - timedelta(days=rng.uniform(1, 720))
    return {
        "status": "approved",
        "created_at": created,
        "updated_at": created,
        "submitted_at": created,
        "approved_at": created + timedelta(hours=rng.uniform(1, 72)),
    }


def insert_providers(sources: list[Source], grown: GrownCorpus, seed: int) -> list[int]:
    """Bulk providers, one per grown document, in order; returns their ids."""
    from sqlalchemy import func, insert, select

    from market.db import db
    from market.demo.naming import person_name
    from market.providers.models import (
        Achievement,
        Provider,
        ServiceItem,
        provider_fields,
        provider_subfields,
    )

    rng = random.Random(seed)
    now = datetime.now(UTC)
    provinces = _provinces()
    first = (db.session.scalar(select(func.max(Provider.id))) or 0) + 1
    rows, links, sublinks, achievements, services = [], [], [], [], []
    for i, (a, b) in enumerate(zip(grown.anchors, grown.partners, strict=True)):
        anchor, partner = sources[a], sources[b]
        pid = first + i
        kind = anchor.row["kind"]
        name = person_name(rng) if kind == "expert" else f"{anchor.row['name']}（{i % 97 + 1}）"
        rows.append(
            {
                "id": pid,
                "kind": kind,
                "name": name[:120],
                "title": anchor.row["title"],
                "affiliation": anchor.row["affiliation"],
                "province": rng.choice(provinces),
                "expertise": mix(anchor.row["expertise"], partner.row["expertise"], rng),
                "available": i % 9 != 0,
                **_stamps(rng, now),
            }
        )
        links += [{"provider_id": pid, "field_code": code} for code in anchor.fields]
        sublinks += [{"provider_id": pid, "subfield_code": code} for code in anchor.subfields]
        # Slot s of the anchor is mixed with slot s (mod its count) of the partner, as its vector is.
        for s, item in enumerate(anchor.achievements, start=1):
            other = partner.slots[s % len(partner.slots)]
            achievements.append(
                {**item, "provider_id": pid, "description": mix(item["description"], other, rng)}
            )
        for s, item in enumerate(anchor.services, start=1 + len(anchor.achievements)):
            other = partner.slots[s % len(partner.slots)]
            services.append(
                {
                    **item,
                    "provider_id": pid,
                    "description": mix(item["description"], other, rng),
                    "active": True,
                }
            )
    for table, table_rows in (
        (Provider, rows),
        (provider_fields, links),
        (provider_subfields, sublinks),
        (Achievement, achievements),
        (ServiceItem, services),
    ):
        for chunk in _chunks(table_rows):
            db.session.execute(insert(table), chunk)
    db.session.commit()
    print(
        f"  {len(rows)} providers, {len(achievements)} achievements, {len(services)} services",
        file=sys.stderr,
    )
    return [r["id"] for r in rows]


def insert_needs(sources: list[Source], grown: GrownCorpus, seed: int) -> list[int]:
    from sqlalchemy import func, insert, select

    from market.db import db
    from market.demo.naming import province_name
    from market.needs.models import Need

    rng = random.Random(seed + 1)
    now = datetime.now(UTC)
    provinces = _provinces()
    first = (db.session.scalar(select(func.max(Need.id))) or 0) + 1
    rows = []
    for i, (a, b) in enumerate(zip(grown.anchors, grown.partners, strict=True)):
        anchor, partner = sources[a].row, sources[b].row
        province = rng.choice(provinces)
        title = anchor["title"] if i % 2 else f"{province_name(province)}企业：{anchor['title']}"
        rows.append(
            {
                **anchor,
                "id": first + i,
                "title": title[:120],
                "description": mix(anchor["description"], partner["description"], rng),
                "public_summary": mix(anchor["public_summary"], partner["public_summary"], rng),
                "confidential_details": "",
                "province": province,
                "deadline": date.today() + timedelta(days=rng.randint(30, 365)),
                **_stamps(rng, now),
            }
        )
    for chunk in _chunks(rows):
        db.session.execute(insert(Need), chunk)
    db.session.commit()
    print(f"  {len(rows)} needs", file=sys.stderr)
    return [r["id"] for r in rows]


# ---- step 4: the bulk vectors into the passage stores, then the normal rebuild ---------------------


def store_vectors(kind: str, ids: list[int], grown: GrownCorpus) -> tuple[int, int]:
    """Write each bulk posting's grown vectors under the exact texts the index will ask for; returns
    (texts stored, postings whose slot count differed from the anchor's: their extra slots reuse the
    whole-profile vector)."""
    from indexer.passage_store import PassageVectorStore, passage_key
    from indexer.preparation import document_vector_texts
    from market.matching import engine, indexing

    name = engine.backend(kind, allow_mismatch=True).encoder.name
    store = PassageVectorStore(indexing.passage_store_path(kind), grown.vectors.shape[1])
    row_of = {pid: row for row, pid in enumerate(ids)}
    starts = np.concatenate([[0], np.cumsum(grown.n_passages)])
    written = mismatched = 0
    batch: dict[bytes, np.ndarray] = {}
    for doc in indexing.documents(kind, set(ids)):
        row = row_of[int(doc.id)]
        vectors = grown.vectors[starts[row] : starts[row + 1]]
        texts = document_vector_texts(doc)
        mismatched += len(texts) != len(vectors)
        for slot, text in enumerate(texts):
            batch[passage_key(name, text)] = vectors[slot] if slot < len(vectors) else vectors[0]
        if len(batch) >= 20_000:
            store.put_many(batch.items(), run=0)
            written += len(batch)
            batch = {}
    store.put_many(batch.items(), run=0)
    written += len(batch)
    store.close()
    return written, mismatched


def build(work: Path, n_providers: int, n_needs: int, seed: int, suggest: bool) -> dict[str, Any]:
    from flask_migrate import upgrade

    from market.db import db
    from market.demo.load import load_demo
    from market.matching import engine, indexing
    from market.reference.services import seed_reference_data
    from market.suggest import services as suggestions

    times: dict[str, float] = {}
    with step("schema + demo (load_demo 320/160)", times):
        upgrade(revision="heads")
        seed_reference_data()
        db.session.commit()
        load_demo()
        db.session.commit()
    made: dict[str, int] = {}
    for kind, count, to_sources, insert_rows in (
        (engine.PROVIDERS, n_providers, provider_sources, insert_providers),
        (engine.NEEDS, n_needs, need_sources, insert_needs),
    ):
        real, ids = _real_corpus(kind, list(indexing.documents(kind)), times)
        sources = to_sources(ids)
        with step(f"grow {count} {kind} vectors", times):
            grown = grow_corpus(real, count, seed=seed)
        with step(f"insert {count} {kind}", times):
            new_ids = insert_rows(sources, grown, seed)
        with step(f"store {kind} vectors", times):
            stored, mismatched = store_vectors(kind, new_ids, grown)
        print(f"  {stored} texts stored; {mismatched} postings with a different slot count", file=sys.stderr)
        made[f"{kind}_texts"] = stored
        del grown
    for kind in indexing.kinds("all"):
        with step(f"reindex {kind}", times):
            stats = indexing.rebuild(kind)
        print(f"  reused {stats.reused}, encoded {stats.encoded}", file=sys.stderr)
        made[f"{kind}_encoded_in_rebuild"] = stats.encoded
        made[f"{kind}_indexed"] = indexing.count(kind)
    if suggest:
        for kind in suggestions.KINDS:
            with step(f"suggest vocabulary {kind}", times):
                made[f"suggest_{kind}"] = suggestions.build(kind)
    info = {"providers": n_providers, "needs": n_needs, "seed": seed, "times_s": times, **made}
    (work / BUILT).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


# ---- measuring -------------------------------------------------------------------------------------


def _queries(n: int) -> list[str]:
    """The issue's examples, then demo need titles and first sentences (as search_latency.py)."""
    from sqlalchemy import select

    from market.db import db
    from market.needs.models import Need

    needs = db.session.scalars(select(Need).order_by(Need.id).limit(n)).all()
    return (EXAMPLES + [x.title if i % 2 else x.description.split("。")[0] for i, x in enumerate(needs)])[:n]


def _list_urls() -> list[str]:
    """No query: each list with a facet filter and sort, plain, and page 2."""
    from sqlalchemy import func, select

    from market.db import db
    from market.needs.models import Need
    from market.providers.models import ServiceItem

    fields = db.session.execute(
        select(Need.field_code, func.count()).group_by(Need.field_code).order_by(func.count().desc())
    ).all()
    categories = db.session.execute(
        select(ServiceItem.category, func.count())
        .group_by(ServiceItem.category)
        .order_by(func.count().desc())
    ).all()
    urls = []
    for field, _ in fields[:10]:
        urls += [
            f"/needs/?{urlencode({'field': field})}",
            f"/needs/?{urlencode({'field': field, 'page': 2})}",
        ]
        urls += [f"/providers/?{urlencode({'field': field, 'available': 'yes'})}"]
    for province in ("32", "44", "11", "33", "51"):
        urls += [f"/providers/?{urlencode({'province': province})}"]
        urls += [f"/providers/?{urlencode({'province': province, 'page': 2})}"]
        urls += [f"/needs/?{urlencode({'province': province, 'sort': 'deadline'})}"]
    for category, _ in categories[:8]:
        urls += [f"/services/?{urlencode({'category': category})}"]
        urls += [f"/services/?{urlencode({'category': category, 'page': 2})}"]
    return urls + [f"{page}?{urlencode({'page': p})}" for page in PAGES for p in (1, 2)]


def _suggest_urls(n: int, seed: int) -> list[str]:
    from sqlalchemy import select

    from market.db import db
    from market.needs.models import Need
    from market.providers.models import Provider, ServiceItem

    rng = random.Random(seed)
    pick = rng.sample
    needs = list(db.session.scalars(select(Need.title).order_by(Need.id.desc()).limit(400)))
    names = list(db.session.scalars(select(Provider.expertise).order_by(Provider.id.desc()).limit(400)))
    services = list(db.session.scalars(select(ServiceItem.title).order_by(ServiceItem.id.desc()).limit(400)))
    pairs = [("needs", q) for q in typed_prefixes(pick(needs, min(60, len(needs))))]
    pairs += [("providers", q) for q in typed_prefixes([t[:12] for t in pick(names, min(60, len(names)))])]
    pairs += [("services", q) for q in typed_prefixes(pick(services, min(60, len(services))))]
    rng.shuffle(pairs)
    return [f"/api/v1/suggest?{urlencode({'kind': kind, 'q': q})}" for kind, q in pairs[:n]]


def _summary(timings: Sequence[float]) -> dict[str, float]:
    return {
        "requests": len(timings),
        "p50_ms": round(percentile(list(timings), 0.5), 1),
        "p90_ms": round(percentile(list(timings), 0.9), 1),
        "p99_ms": round(percentile(list(timings), 0.99), 1),
        "max_ms": round(max(timings) * 1000, 1),
    }


def _by_page(app: Any, urls: list[str]) -> dict[str, dict[str, float]]:
    """One request at a time (search_latency.run_pass, one user), summarised per list and overall."""
    out: dict[str, dict[str, float]] = {}
    timings = run_pass(app, urls, 1)  # one user: sequential, so the timings follow `urls`
    prefix_of: Callable[[str], str] = lambda url: url.split("?")[0]  # noqa: E731
    for page in sorted({prefix_of(u) for u in urls}):
        out[page] = _summary([t for u, t in zip(urls, timings, strict=True) if prefix_of(u) == page])
    out["all"] = _summary(timings)
    return out


def measure(app: Any, work: Path, n_queries: int, n_suggest: int, seed: int) -> dict[str, Any]:
    from market.matching import engine

    with app.app_context():
        queries = _queries(n_queries)
        lists = _list_urls()
        suggest = _suggest_urls(n_suggest, seed)
        # What the last run stored (query vectors, shared ranked lists) would make "new" seen: forget it.
        forget_cached_searches(work / "index")
        engine.warm_up()
    searched = [f"{page}?{urlencode({'q': q})}" for q in queries for page in PAGES]
    passes = {
        "new": searched,
        "seen": searched,
        "page2": [f"{page}?{urlencode({'q': q, 'page': 2})}" for q in queries for page in PAGES],
        "filtered": [
            f"{page}?{urlencode({'q': q, 'province': '32', 'sort': 'newest'})}"
            for q in queries
            for page in PAGES
        ],
        "list": lists,
        "list (again)": lists,
        "suggest": suggest,
    }
    return {name: _by_page(app, urls) for name, urls in passes.items()}


def profile(app: Any, url: str) -> str:
    client = app.test_client()
    client.get(url)  # warm: the profile is of a seen request
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    status = client.get(url).status_code
    profiler.disable()
    elapsed = (time.perf_counter() - started) * 1000
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    return f"{url}: {status}, {elapsed:.0f} ms under the profiler\n{out.getvalue()}"


def print_table(report: dict[str, Any], header: str) -> None:
    print(header)
    print("| pass | page | requests | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for name, pages in report.items():
        for page, row in pages.items():
            cells = " | ".join(str(row[k]) for k in ("requests", "p50_ms", "p90_ms", "p99_ms", "max_ms"))
            print(f"| {name} | {page} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=30, help="query texts per pass (x3 pages)")
    parser.add_argument("--suggest-requests", type=int, default=600)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--workdir", type=Path, help="keep (or reuse) the database and index here")
    parser.add_argument("--prepare-only", action="store_true", help="build, then stop")
    parser.add_argument("--no-suggest", action="store_true", help="skip the suggestion vocabularies")
    parser.add_argument(
        "--reuse-vectors",
        type=Path,
        help="an earlier work directory: copy its passage stores, so the demo texts are not encoded again",
    )
    parser.add_argument(
        "--database",
        default="",
        help="a database URL instead of the work directory's SQLite file (an empty PostgreSQL database)",
    )
    parser.add_argument("--profile", action="append", default=[], help="a URL to profile (repeatable)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import tempfile

    work = args.workdir or Path(tempfile.mkdtemp(prefix="search-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    database = {"SQLALCHEMY_DATABASE_URI": args.database} if args.database else {}
    app = throwaway_app(work, RATELIMIT_ENABLED=False, **database)
    if (work / BUILT).exists():
        info = json.loads((work / BUILT).read_text(encoding="utf-8"))
        print(
            f"reusing the build in {work}: {info['providers']} providers, {info['needs']} needs",
            file=sys.stderr,
        )
    else:
        print(f"building in {work}: {args.providers} providers, {args.needs} needs", file=sys.stderr)
        if args.reuse_vectors:
            (work / "index").mkdir(exist_ok=True)
            for stored in (args.reuse_vectors / "index").glob("passages-*.sqlite"):
                shutil.copyfile(stored, work / "index" / stored.name)
        with app.app_context():
            info = build(work, args.providers, args.needs, args.seed, not args.no_suggest)
    if args.prepare_only:
        return
    load_before = os.getloadavg()
    report = measure(app, work, args.queries, args.suggest_requests, args.seed)
    load_after = os.getloadavg()
    header = (
        f"{info['providers']} bulk providers + demo, {info['needs']} bulk needs + demo; in process, "
        f"one request at a time; load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print_table(report, header)
    for url in args.profile:
        print(profile(app, url))
    if args.json:
        payload = {"build": info, "load_average": [load_before[0], load_after[0]], "passes": report}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
