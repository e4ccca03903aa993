"""Recording match page views cheaply: at most one row per need, viewer and (UTC) day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market.db import db, utcnow
from market.match_log.models import MatchView

if TYPE_CHECKING:
    from market.needs.models import Need


def record_view(actor: Any, need: Need) -> None:
    """Called by the match page once it has shown the ranking to the actor (who may see it)."""
    viewer_id = getattr(actor, "id", None)
    if viewer_id is None:
        return
    now = utcnow()
    seen = db.session.scalar(
        select(MatchView.id).where(
            MatchView.need_id == need.id, MatchView.viewer_id == viewer_id, MatchView.day == now.date()
        )
    )
    if seen is not None:
        return
    try:
        with db.session.begin_nested():  # a concurrent first view the same day wins; this one is dropped
            db.session.add(MatchView(need_id=need.id, viewer_id=viewer_id, day=now.date(), created_at=now))
    except IntegrityError:
        pass
