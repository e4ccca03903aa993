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
