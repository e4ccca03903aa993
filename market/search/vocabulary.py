"""The terms each public list's index knows, for typo correction and "did you mean" suggestions.

Built from the public postings in the database (the same rows the index holds, analysed the same
way), kept per process and rebuilt when the postings change (their number or latest change moves)
or after `TTL_SECONDS`. At most `MAX_ROWS` postings per kind are read, the newest first: at
100,000 providers the vocabulary is that of the newest ones, which still spans every field.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from indexer.spelling import Vocabulary
from market.db import db
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Provider
from market.reference.services import field_choices

TTL_SECONDS = 600
MAX_ROWS = 5000

_cache: dict[tuple[str, str], tuple[float, tuple[Any, ...], Vocabulary]] = {}
_lock = threading.Lock()


def _model(kind: str) -> type[Need] | type[Provider]:
    return Need if kind == "needs" else Provider


def _state(kind: str) -> tuple[Any, ...]:
    model = _model(kind)
    row = db.session.execute(
        select(func.count(), func.max(model.updated_at), func.max(model.approved_at)).where(
            model.status == PostingStatus.APPROVED
        )
    ).one()
    return tuple(str(value) for value in row)


def _texts(kind: str) -> Iterator[str]:
    if kind == "needs":
        needs = (
            select(Need)
            .where(Need.status == PostingStatus.APPROVED)
            .order_by(Need.approved_at.desc(), Need.id.desc())
            .limit(MAX_ROWS)
        )
        for need in db.session.scalars(needs):
            yield f"{need.title}\n{need.public_summary}\n{need.description}"
        return
    providers = (
        select(Provider)
        .where(Provider.status == PostingStatus.APPROVED)
        .order_by(Provider.approved_at.desc(), Provider.id.desc())
        .limit(MAX_ROWS)
        .options(selectinload(Provider.achievements), selectinload(Provider.services))
    )
    for provider in db.session.scalars(providers):
        yield provider.expertise
        for achievement in provider.achievements:
            yield f"{achievement.title}\n{achievement.description}"
        for service in provider.services:
            if service.active:
                yield f"{service.title}\n{service.description}"
    for _code, zh, en in field_choices():
        yield f"{zh} {en}"


def vocabulary(kind: str) -> Vocabulary:
    """The known terms of the `kind` index ("needs", or "providers" for providers and services)."""
    kind = "needs" if kind == "needs" else "providers"
    key = (str(db.engine.url), kind)
    state = _state(kind)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[1] == state and now - cached[0] < TTL_SECONDS:
            return cached[2]
    built = Vocabulary.of(_texts(kind))
    with _lock:
        _cache[key] = (now, state, built)
    return built


def forget() -> None:
    with _lock:
        _cache.clear()
