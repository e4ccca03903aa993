"""Bulk index maintenance: full rebuilds and reconciling the index with the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from indexer.backends.embedded import EmbeddedIndex
from indexer.documents import Document
from indexer.encoders import Encoder, ParallelPassageEncoder
from indexer.passage_store import EncodingStats, PassageVectorStore, StoredPassageEncoder
from indexer.processes import optional_pool
from market.db import db
from market.matching import engine
from market.matching.documents import need_document, need_query_text, provider_document, provider_query_text
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Provider

BATCH = 500
_IDS_PER_QUERY = 10_000  # PostgreSQL takes at most 65,535 parameters a statement


def kinds(which: str) -> tuple[str, ...]:
    return (engine.PROVIDERS, engine.NEEDS) if which == "all" else (which,)


def _model(kind: str) -> type[Need] | type[Provider]:
    return Provider if kind == engine.PROVIDERS else Need


def public_count(kind: str) -> int:
    model = _model(kind)
    return (
        db.session.scalar(
            select(func.count()).select_from(model).where(model.status == PostingStatus.APPROVED)
        )
        or 0
    )


def public_ids(kind: str) -> set[str]:
    model = _model(kind)
    return {
        str(i) for i in db.session.scalars(select(model.id).where(model.status == PostingStatus.APPROVED))
    }


def public_rows(kind: str, ids: set[int] | None = None) -> Iterator[Any]:
    """Public postings (of `ids` only, when given) in batches, by id; providers with what their index
    document reads (achievements, services, fields, sub-fields) loaded with them."""
    model = _model(kind)
    query = select(model).where(model.status == PostingStatus.APPROVED).order_by(model.id)
    if model is Provider:
        query = query.options(
            selectinload(Provider.achievements),
            selectinload(Provider.services),
            selectinload(Provider.fields),
            selectinload(Provider.subfields),
        )
    if ids is None:
        yield from db.session.scalars(query.execution_options(yield_per=BATCH))
        return
    # In id order, a slice at a time: PostgreSQL takes at most 65,535 parameters a statement (a
    # benchmark asked for 100,000 providers at once).
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IDS_PER_QUERY):
        chunk = ordered[start : start + _IDS_PER_QUERY]
        yield from db.session.scalars(query.where(model.id.in_(chunk)).execution_options(yield_per=BATCH))


def documents(kind: str, ids: set[int] | None = None) -> Iterator[Document]:
    """Public postings as documents."""
    to_document: Callable = provider_document if kind == engine.PROVIDERS else need_document
    return (to_document(row) for row in public_rows(kind, ids))


def query_texts(kind: str) -> Iterator[str]:
    """What each public posting's own match page asks the other index with."""
    to_query: Callable = provider_query_text if kind == engine.PROVIDERS else need_query_text
    return (to_query(row) for row in public_rows(kind))


def prepare_queries(kind: str) -> int:
    """Encode the query vectors of every public posting not yet in the query store."""
    return engine.prepare_queries(query_texts(kind))


def _index(kind: str) -> EmbeddedIndex:
    # Elasticsearch when configured (same interface), else the embedded index.
    return engine.backend(kind, allow_mismatch=True)  # type: ignore[no-any-return]


def count(kind: str) -> int:
    return _index(kind).count()


def is_stale(kind: str) -> bool:
    index = _index(kind)
    return index.needs_rebuild or index.ids() != public_ids(kind)


def passage_store_path(kind: str) -> Path:
    return Path(str(current_app.config["INDEX_DIR"])) / f"passages-{kind}.sqlite"


@contextmanager
def stored_passages(index: Any, kind: str, processes: int = 1) -> Iterator[StoredPassageEncoder]:
    """While it lasts, `index` encodes passages through the kind's passage store: texts encoded
    before are read back, the rest encoded (on `processes` processes when more than 1) and kept."""
    model: Encoder = index.encoder
    parallel = (
        ParallelPassageEncoder(str(current_app.config["ENCODER"]), processes, inner=model)
        if processes > 1
        else None
    )
    store = PassageVectorStore(passage_store_path(kind), model.dim)
    stored = StoredPassageEncoder(parallel or model, store)
    index.encoder = stored  # same name and dimension: searches meanwhile are unaffected
    try:
        yield stored
    finally:
        index.encoder = model
        store.close()
        if parallel is not None:
            parallel.close()


def rebuild(
    kind: str, progress: Callable[[int, EncodingStats], None] | None = None, processes: int = 1
) -> EncodingStats:
    """Rebuild the index of `kind`, encoding only passages whose text is not in its passage store.

    Each batch of new vectors is stored as soon as it is encoded, so a rebuild stopped half-way
    (Ctrl-C, a crash) starts again where it stopped; once it completes, vectors of texts that no
    longer exist are dropped from the store. With `processes` > 1 the passages are encoded and the
    documents' terms (jieba) analysed by that many processes each."""
    index = _index(kind)
    with stored_passages(index, kind, processes) as stored, optional_pool(processes) as pool:
        report = (lambda done: progress(done, stored.stats)) if progress else None
        index.rebuild(documents(kind), total=public_count(kind), progress=report, pool=pool)
        stored.prune()
    engine.forget_open_indexes()  # reopen without allow_mismatch now that the model matches
    return stored.stats


def reconcile(kind: str) -> tuple[int, int]:
    """Add or refresh every public posting and remove what is no longer public; returns the counts."""
    index = _index(kind)
    if index.needs_rebuild:
        rebuild(kind)
        return count(kind), 0
    wanted = public_ids(kind)
    removed = index.ids() - wanted
    if removed:
        index.delete(removed)
    with stored_passages(index, kind):
        index.upsert(documents(kind))
    return len(wanted), len(removed)
