"""The throw-away app a benchmark measures: SQLite and an index in its own work directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def throwaway_app(work: Path, **config: Any) -> Any:
    """An app whose database and index live in `work` (index updates left to the benchmark: it
    indexes in bulk), with no model download; `config` adds or overrides settings."""
    os.environ.setdefault("KECHUANG_INSTANCE", str(work / "instance"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from market import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.db'}",
            "INDEX_DIR": str(work / "index"),
            "INDEX_SYNC": False,
            "TESTING": True,
            **config,
        }
    )


def forget_cached_searches(index_dir: Path) -> None:
    """Delete what a reused work directory keeps of the last run's searches, so the "new" pass
    encodes and ranks again: the stored query vectors, the indexes' shared ranked lists and the
    search pages' shared ranked-set facts (indexer/shared_cache.py). A server measured with --base
    must be started after this, fresh (its workers keep the same in memory)."""
    from indexer.backends.embedded import SHARED_RESULTS_FILE
    from indexer.query_store import QUERY_STORE_FILE
    from market.search.list_cache import SHARED_FILE

    for pattern in (f"{QUERY_STORE_FILE}*", f"{SHARED_FILE}*", f"*/{SHARED_RESULTS_FILE}*"):
        for stale in index_dir.glob(pattern):
            stale.unlink()


def fresh_worker_client(work: Path, n_queries: int) -> tuple[Any, Any, list[str]]:
    """The app of `work` set up as a gunicorn worker that has not seen the first `n_queries` of
    search_scale.py's queries: stored query vectors and shared rankings forgotten, encoder and index
    warmed, one warm-up request, then the warm-up frozen out of the collector and the worker's
    thresholds set. Returns the app, a test client and the queries."""
    from benchmarks.search_scale import _queries
    from market.gunicorn_conf import quiet_collector

    app = throwaway_app(work, RATELIMIT_ENABLED=False)
    from market.matching import engine

    with app.app_context():
        queries = _queries(n_queries)
        forget_cached_searches(work / "index")
        engine.warm_up()
    client = app.test_client()
    client.get("/needs/?q=warm")
    quiet_collector()
    return app, client, queries
