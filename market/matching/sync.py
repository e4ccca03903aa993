"""Keeping the search indexes in step with the database after every commit.

Changes are noted at flush time and applied after the commit succeeds, so the index never
shows what was rolled back. If applying fails the data is still safe in the database and
`market index sync` reconciles the two.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from market.db import db, on_commit
from market.matching import engine
from market.matching.documents import need_document, need_query_text, provider_document, provider_query_text
from market.needs.models import Need
from market.providers.models import Achievement, Provider, ServiceItem

log = logging.getLogger(__name__)
KEY = "index_changes"


def _note(session: Session, kind: str, object_id: int | None) -> None:
    if object_id is not None:
        session.info.setdefault(KEY, {"need": set(), "provider": set()})[kind].add(object_id)


def posting_of(obj: object) -> tuple[str, int | None] | None:
    """The posting a changed row belongs to in search, ("need" | "provider", its id), or None: an
    achievement or a service is part of its provider's posting. The one place that says so (the
    index updates here and the list counts' stamp in market.search.list_cache both ask it)."""
    if isinstance(obj, Need):
        return "need", obj.id
    if isinstance(obj, Provider):
        return "provider", obj.id
    if isinstance(obj, Achievement | ServiceItem):
        return "provider", obj.provider_id
    return None


def _track(session: Session, _context: UOWTransaction) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        posting = posting_of(obj)
        if posting is not None:
            _note(session, *posting)


def install() -> None:
    if not event.contains(Session, "after_flush", _track):
        event.listen(Session, "after_flush", _track)
    on_commit(_apply_after_commit)


def _apply_after_commit(info: dict[str, Any]) -> None:
    changes = info.get(KEY)
    if not changes or not has_app_context() or not current_app.config.get("INDEX_SYNC", True):
        return
    try:
        apply_changes(changes["need"], changes["provider"])
    except Exception:  # the commit stands; `market index sync` repairs the index later
        log.exception(
            "search index update failed for needs=%s providers=%s", changes["need"], changes["provider"]
        )


def apply_changes(need_ids: set[int], provider_ids: set[int]) -> None:
    _sync(engine.NEEDS, Need, need_ids, need_document, need_query_text)
    _sync(engine.PROVIDERS, Provider, provider_ids, provider_document, provider_query_text)
    db.session.rollback()  # release the read transaction the loads opened


def _sync(
    kind: str, model: type[Need] | type[Provider], ids: set[int], to_document: Any, to_query: Any
) -> None:
    if not ids:
        return
    index = engine.backend(kind)
    rows = {row.id: row for row in db.session.scalars(db.select(model).where(model.id.in_(ids)))}
    public = [rows[i] for i in sorted(ids) if i in rows and rows[i].is_public]
    hidden = [str(i) for i in ids if i not in rows or not rows[i].is_public]
    if public:
        index.upsert([to_document(row) for row in public])
        # The posting's own match page asks with this text: encode it now, not when it is viewed.
        engine.prepare_queries(to_query(row) for row in public)
    if hidden:
        index.delete(hidden)
