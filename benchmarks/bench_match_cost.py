"""What one match page costs before and after the query vector exists, on a real instance.

    KECHUANG_INSTANCE=/tmp/inst bash scripts/run.sh      # or any instance with the demo loaded
    KECHUANG_INSTANCE=/tmp/inst .venv/bin/python benchmarks/bench_match_cost.py [--needs 40]

Prints, for the instance's public needs (each as its own match page asks) and providers (their
recommended needs): the time to load jieba's dictionary in a fresh process, to encode each query
text with the model (no cache), to read its vector from the query store, and to rank with the
vector (`search_vector`, jieba terms included). Times are one at a time, in this process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import analysis  # noqa: E402
from indexer.documents import Query  # noqa: E402
from indexer.encoders import load_encoder  # noqa: E402
from indexer.query_store import text_key  # noqa: E402


def _ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def _row(name: str, times: list[float]) -> str:
    return f"| {name} | {len(times)} | {statistics.median(times):.2f} | {max(times):.2f} |"


def _rank_times(index: Any, texts: list[str], vectors: Any) -> list[float]:
    view = index.view()

    def rank(text: str, vector: Any) -> None:
        terms = analysis.query_terms(text)
        index.search_vector(view, Query(text=text), terms, vector, 30, index.fusion)

    return [_ms(lambda t=t, v=v: rank(t, v)) for t, v in zip(texts, vectors, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--needs", type=int, default=40, help="how many needs and providers to time")
    args = parser.parse_args()
    jieba_ms = _ms(analysis.load_dictionary)  # first thing in this process: a cold load

    from sqlalchemy import select

    from market import create_app
    from market.db import db
    from market.matching import engine
    from market.matching.documents import need_query_text, provider_query_text
    from market.needs.models import Need
    from market.providers.models import Provider

    app = create_app()
    with app.app_context():
        model = load_encoder(str(app.config["ENCODER"]))
        model.encode_queries(["预热"])  # load the model outside the timings
        stored = engine.encoder()
        needs = db.session.scalars(select(Need).where(Need.status == "approved").limit(args.needs))
        providers = db.session.scalars(
            select(Provider).where(Provider.status == "approved").limit(args.needs)
        )
        cases = [
            ("need", [need_query_text(n) for n in needs], engine.PROVIDERS),
            ("provider", [provider_query_text(p) for p in providers], engine.NEEDS),
        ]
        print(f"jieba dictionary, cold load: {jieba_ms:.0f} ms\n")
        print("| step | texts | median ms | max ms |\n|---|---|---|---|")
        for kind, texts, other in cases:
            encode = [_ms(lambda t=t: model._encode_query_batch([t])) for t in texts]  # type: ignore[attr-defined]
            keys = [text_key(stored.name, t) for t in texts]
            hits = len(stored.store.get_many(keys))
            read = [_ms(lambda k=k: stored.store.get_many([k])) for k in keys]
            rank = _rank_times(engine.index_for(other), texts, stored.encode_queries(texts))
            chars = statistics.median(len(t) for t in texts)
            print(_row(f"{kind}: encode with the model ({chars:.0f} chars median)", encode))
            print(_row(f"{kind}: read the stored vector ({hits} of {len(keys)} stored)", read))
            print(_row(f"{kind}: rank with the vector", rank))


if __name__ == "__main__":
    main()
