"""可能重复 marks on the review queue: how many near-duplicates each pending need has, for a whole page
of rows at once, from stored query vectors only.

The review page (market.assistant.duplicates.near_duplicates) encodes a need's text when its vector
is not stored yet; a queue of many rows must not, so a need whose vector is not stored gets no mark
here (it is stored when its owner's page or its review page first compares it, or when it is indexed).
The cost of a page is bounded: two look-ups in the query store, two SQL queries, and one search of
the embedded need index per marked row (at most MAX_MARKED rows), with the vector already at hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
from sqlalchemy import select

from indexer.backends.base import IndexUnavailable
from indexer.documents import Query
from indexer.query_store import text_key
from market import permissions
from market.assistant.duplicates import DUPLICATE_COSINE, MAX_PENDING, MAX_SHOWN
from market.assistant.services import NEED_POOL
from market.db import db
from market.matching import engine
from market.matching.documents import need_query_text
from market.matching.services import INDEX_ERRORS
from market.needs.models import Need
from market.postings import PostingStatus

log = logging.getLogger(__name__)
MAX_MARKED = 100  # queue rows looked at per page (oldest first, as the queue shows them)
Vectors = dict[int, np.ndarray]


def queue_marks(actor: Any, needs: list[Need]) -> dict[int, int]:
    """Need id → how many open needs read like it (at most MAX_SHOWN, as the review page's panel shows);
    needs without near-duplicates, without a stored vector or outside the actor's reach are left out."""
    rows = [n for n in needs[:MAX_MARKED] if n.status == PostingStatus.PENDING]
    rows = [n for n in rows if permissions.can_see_matches(actor, n)]
    if not rows:
        return {}
    try:
        return _marks(rows)
    except (*INDEX_ERRORS, IndexUnavailable) as error:  # the queue still works, unmarked
        log.warning("duplicate marks unavailable: %s", error)
        return {}


def _marks(rows: list[Need]) -> dict[int, int]:
    pending = {n.id: n for n in _latest_pending()} | {n.id: n for n in rows}
    vectors = stored(pending.values())
    if not any(n.id in vectors for n in rows):
        return {}
    index = _need_index()
    hits = {n.id: _public_hits(index, n, vectors[n.id]) for n in rows if n.id in vectors}
    public = _public({i for ids in hits.values() for i in ids})
    vectors |= stored(public.values())
    pending_ids = [i for i in pending if i in vectors]
    matrix = np.stack([vectors[i] for i in pending_ids]) if pending_ids else np.empty((0, 0))
    marks: dict[int, int] = {}
    for need_id, found in hits.items():
        vector = vectors[need_id]
        alike = {i for i, c in zip(pending_ids, matrix @ vector, strict=True) if c >= DUPLICATE_COSINE}
        public_found = [i for i in found if i in public and i in vectors]
        alike |= {i for i in public_found if vectors[i] @ vector >= DUPLICATE_COSINE}
        alike.discard(need_id)
        if alike:
            marks[need_id] = min(len(alike), MAX_SHOWN)
    return marks


def stored(needs: Iterable[Need]) -> Vectors:
    """The stored query vectors of the needs' texts, by need id; a need without one is left out (never
    encoded here)."""
    encoder = engine.encoder()
    keys = {need.id: text_key(encoder.name, need_query_text(need)) for need in needs}
    found = encoder.store.get_many(list(set(keys.values())))
    return {need_id: found[key] for need_id, key in keys.items() if key in found}


def _need_index() -> Any:
    """The embedded need index (with Elasticsearch configured, its local fallback: Elasticsearch would
    encode the text itself); None when there is none, and the queue compares with pending needs only."""
    try:
        return engine.index_for(engine.NEEDS)
    except (*INDEX_ERRORS, IndexUnavailable) as error:
        log.warning("duplicate marks without public needs: %s", error)
        return None


def _public_hits(index: Any, need: Need, vector: np.ndarray) -> list[int]:
    """The index's nearest public needs for a vector already known."""
    view = index.view() if index is not None else None
    if view is None or view.n_live == 0:
        return []
    # Dense only: a duplicate is decided on the vectors, and the query's terms (jieba, about 10 ms a
    # text) would only add lexical candidates the cosine check then drops.
    dense = index.fusion.with_method("dense")
    found = index.search_vector(view, Query(text=need.title), [], vector, NEED_POOL, dense)
    return [int(hit.id) for hit in found if hit.id.isdecimal() and int(hit.id) != need.id]


def _public(ids: set[int]) -> dict[int, Need]:
    if not ids:
        return {}
    rows = db.session.scalars(select(Need).where(Need.id.in_(ids), Need.status == PostingStatus.APPROVED))
    return {row.id: row for row in rows}


def _latest_pending() -> list[Need]:
    """The needs the review page compares with (market.assistant.duplicates._pending): the latest pending."""
    query = select(Need).where(Need.status == PostingStatus.PENDING).order_by(Need.id.desc())
    query = query.limit(MAX_PENDING)
    return list(db.session.scalars(query))
