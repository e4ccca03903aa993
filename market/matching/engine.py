"""The process-wide search indexes (one for providers, one for needs) behind the app's config.

With ELASTICSEARCH_URL set, Elasticsearch serves searches and receives updates; when it is down
or slow, searches fall back to the embedded index with a notice, and `market index sync`
reconciles Elasticsearch with the database once it is back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import current_app

from indexer import analysis
from indexer.backends import kernels
from indexer.backends.base import EncoderMismatch, IndexUnavailable, SearchBackend
from indexer.backends.embedded import EmbeddedIndex
from indexer.documents import Hit, Query
from indexer.encoders import Encoder, load_encoder
from indexer.fusion import FusionConfig
from indexer.query_store import QUERY_STORE_FILE, QueryVectorStore, StoredQueryEncoder
from market.i18n import gettext as _

PROVIDERS = "providers"
NEEDS = "needs"

log = logging.getLogger(__name__)
_indexes: dict[tuple[str, str], Any] = {}
_encoders: dict[tuple[str, str], StoredQueryEncoder] = {}
_lock = threading.Lock()
_encoders_lock = threading.Lock()  # apart from _lock: index_for() asks for the encoder while holding it


def encoder() -> StoredQueryEncoder:
    """The configured model, its query vectors kept in this host's query store (shared by workers)."""
    spec = str(current_app.config["ENCODER"])
    directory = Path(str(current_app.config["INDEX_DIR"]))
    key = (spec, str(directory))
    with _encoders_lock:
        stored = _encoders.get(key)
        if stored is None:
            model: Encoder = load_encoder(spec)
            rows = int(current_app.config.get("QUERY_VECTOR_CACHE_ROWS", 100_000))
            store = QueryVectorStore(directory / QUERY_STORE_FILE, model.dim, max_rows=rows)
            stored = _encoders[key] = StoredQueryEncoder(model, store)
        return stored


def prepare_queries(texts: Iterable[str]) -> int:
    """Encode and keep the query vectors of postings just indexed, so their match pages do not."""
    return encoder().prepare(texts)


def _embedded_key(kind: str) -> tuple[str, str]:
    return str(Path(str(current_app.config["INDEX_DIR"]))), kind


def index_for(kind: str, *, allow_mismatch: bool = False) -> EmbeddedIndex:
    """The open embedded index of `kind`; each process opens it once and shares memory-mapped files."""
    key = _embedded_key(kind)
    with _lock:
        index = _indexes.get(key)
        if index is None or (index.needs_rebuild and not allow_mismatch):
            index = EmbeddedIndex(Path(key[0]) / kind, encoder(), allow_mismatch=allow_mismatch)
            _indexes[key] = index
        return index  # type: ignore[no-any-return]


def elastic_url() -> str:
    return str(current_app.config.get("ELASTICSEARCH_URL") or "")


def _elastic(kind: str, *, allow_mismatch: bool = False) -> SearchBackend:
    from indexer.backends.elastic import ElasticIndex

    url = elastic_url()
    name = f"{current_app.config['ELASTICSEARCH_INDEX_PREFIX']}-{kind}"  # the alias (docs/configuration.md)
    key = (url, name)
    with _lock:
        index = _indexes.get(key)
        if index is None or (index.needs_rebuild and not allow_mismatch):
            index = ElasticIndex(url, name, encoder(), allow_mismatch=allow_mismatch)
            _indexes[key] = index
        return index  # type: ignore[no-any-return]


def backend(kind: str, *, allow_mismatch: bool = False) -> Any:
    """Where writes and searches go: Elasticsearch when configured, else the embedded index."""
    if elastic_url():
        return _elastic(kind, allow_mismatch=allow_mismatch)
    return index_for(kind, allow_mismatch=allow_mismatch)


def drop_embedded(kind: str) -> None:
    """Forget this process's handle on a damaged embedded index; the next use opens it afresh."""
    with _lock:
        index = _indexes.pop(_embedded_key(kind), None)
    if index is not None:
        index.close()


def embedded_search(kind: str, query: Query, k: int, fusion: FusionConfig | None = None) -> list[Hit]:
    try:
        return index_for(kind).search(query, k=k, fusion=fusion)
    except IndexUnavailable:
        log.error("the %s index is missing or damaged; run `market reindex`", kind)
        drop_embedded(kind)
        raise


def search(kind: str, query: Query, k: int, fusion: FusionConfig | None = None) -> tuple[list[Hit], str]:
    """Ranked hits and a notice for the page ("" when the configured backend answered); `fusion`
    overrides the index's fusion settings (the list search asks for more candidates)."""
    if not elastic_url():
        return embedded_search(kind, query, k, fusion), ""
    from indexer.backends.elastic import BackendUnavailable

    try:
        return _elastic(kind).search(query, k=k, fusion=fusion), ""
    except BackendUnavailable as error:
        log.warning("elasticsearch unavailable, falling back to the embedded index: %s", error)
        notice = _("搜索服务暂时不可用，以下结果来自本地备用索引，可能不是最新。")
        return embedded_search(kind, query, k, fusion), notice


def warm_up() -> None:
    """Load the encoder and jieba's dictionary and run one search per index now, so the first match
    page of a fresh worker does not pay for them (0.5 s, measured) while every concurrent request
    queues behind it: that cold start was the match page's p99 under load (docs/performance.md)."""
    analysis.load_dictionary()
    kernels.compile_now()
    encoder().encode_queries(["预热"])
    for kind in (PROVIDERS, NEEDS):
        try:
            index_for(kind).search(Query(text="预热"), k=1)
        except (IndexUnavailable, EncoderMismatch) as error:  # the pages say what to do about it
            log.warning("warm-up: the %s index is not usable: %s", kind, error)


def forget_open_indexes() -> None:
    """Close every open index (tests and `market reindex` after changing encoders)."""
    with _lock:
        for index in _indexes.values():
            index.close()
        _indexes.clear()
    with _encoders_lock:
        for stored in _encoders.values():
            stored.store.close()
        _encoders.clear()
