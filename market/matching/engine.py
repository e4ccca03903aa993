"""The process-wide search indexes (one for providers, one for needs) behind the app's config."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from indexer.backends.base import SearchBackend
from indexer.backends.embedded import EmbeddedIndex
from indexer.encoders import Encoder, load_encoder

PROVIDERS = "providers"
NEEDS = "needs"

_indexes: dict[tuple[str, str], EmbeddedIndex] = {}
_lock = threading.Lock()


def encoder() -> Encoder:
    return load_encoder(str(current_app.config["ENCODER"]))


def index_for(kind: str, *, allow_mismatch: bool = False) -> EmbeddedIndex:
    """The open index of `kind`; each process opens it once and shares memory-mapped files."""
    root = Path(str(current_app.config["INDEX_DIR"]))
    key = (str(root), kind)
    with _lock:
        index = _indexes.get(key)
        if index is None or (index.needs_rebuild and not allow_mismatch):
            index = EmbeddedIndex(root / kind, encoder(), allow_mismatch=allow_mismatch)
            _indexes[key] = index
        return index


def backend(kind: str) -> SearchBackend:
    return index_for(kind)


def forget_open_indexes() -> None:
    """Close every open index (tests and `market reindex` after changing encoders)."""
    with _lock:
        for index in _indexes.values():
            index.close()
        _indexes.clear()
