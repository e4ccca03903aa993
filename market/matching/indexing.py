"""Bulk index maintenance: full rebuilds and reconciling the index with the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from indexer.backends.embedded import EmbeddedIndex
from indexer.documents import Document
from market.db import db
from market.matching import engine
from market.matching.documents import need_document, need_query_text, provider_document, provider_query_text
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Provider

BATCH = 500


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


def _public_rows(kind: str, ids: set[int] | None = None) -> Iterator[Any]:
    """Public postings in batches, providers with their achievements, services and fields."""
    model = _model(kind)
    query = select(model).where(model.status == PostingStatus.APPROVED).order_by(model.id)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    if model is Provider:
        query = query.options(
            selectinload(Provider.achievements),
            selectinload(Provider.services),
            selectinload(Provider.fields),
        )
    yield from db.session.scalars(query.execution_options(yield_per=BATCH))


def documents(kind: str, ids: set[int] | None = None) -> Iterator[Document]:
    """Public postings as documents."""
    to_document: Callable = provider_document if kind == engine.PROVIDERS else need_document
    return (to_document(row) for row in _public_rows(kind, ids))


def query_texts(kind: str) -> Iterator[str]:
    """What each public posting's own match page asks the other index with."""
    to_query: Callable = provider_query_text if kind == engine.PROVIDERS else need_query_text
    return (to_query(row) for row in _public_rows(kind))


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


def rebuild(kind: str, progress: Callable[[int], None] | None = None) -> None:
    index = _index(kind)
    index.rebuild(documents(kind), total=public_count(kind), progress=progress)
    engine.forget_open_indexes()  # reopen without allow_mismatch now that the model matches


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
    index.upsert(documents(kind))
    return len(wanted), len(removed)
