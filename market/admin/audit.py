"""Recording admin changes, and keeping every worker's reference caches in step with them.

Fields and regions are cached per process (market/reference/services). With several gunicorn
workers, a change made in one would leave the others stale, so each request compares the newest
admin event id (a primary-key lookup) with the one this process last saw and clears its caches
when it moved. Every taxonomy change writes an admin event in the same transaction.
"""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import func, select

from market.admin.models import AdminEvent
from market.db import db, on_commit
from market.reference import services as reference

CHANGED = "reference_changed"
_seen: dict[str, int | None] = {"version": None}


def record(actor: Any, action: str, target: str, detail: str = "", *, taxonomy: bool = False) -> None:
    db.session.add(
        AdminEvent(actor_id=getattr(actor, "id", None), action=action, target=target[:80], detail=detail)
    )
    if taxonomy:
        db.session.info[CHANGED] = True
    db.session.flush()


def reference_version() -> int:
    return db.session.scalar(select(func.max(AdminEvent.id))) or 0


def refresh_if_changed() -> None:
    """Per request: drop this process's cached fields and regions if another process changed them."""
    if request.endpoint in ("static", "health.healthz"):  # health must answer even with the DB down
        return
    version = reference_version()
    if _seen["version"] is not None and version != _seen["version"]:
        reference.clear_caches()
    _seen["version"] = version


def _clear_after_commit(info: dict[str, Any]) -> None:
    if info.get(CHANGED):
        reference.clear_caches()


on_commit(_clear_after_commit)
