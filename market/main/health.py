"""/healthz: is the database reachable and the search index readable? For load balancers and compose."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from market.db import db
from market.matching import engine

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _check_database() -> dict[str, object]:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as error:  # any driver error means "down" to a health check
        db.session.rollback()
        log.warning("health: database unreachable: %s", error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_index() -> dict[str, object]:
    counts: dict[str, object] = {}
    try:
        for kind in (engine.PROVIDERS, engine.NEEDS):
            index = engine.index_for(kind, allow_mismatch=True)
            counts[kind] = {"documents": index.count(), "needs_rebuild": index.needs_rebuild}
    except Exception as error:  # a broken index degrades matching, not the whole site
        log.warning("health: search index unreadable: %s", error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, **counts}


@bp.route("/healthz")
def healthz() -> Response:
    database, index = _check_database(), _check_index()
    status = "ok" if database["ok"] and index["ok"] else ("degraded" if database["ok"] else "down")
    response = jsonify({"status": status, "database": database, "index": index})
    # Without the database nothing works: tell the load balancer to route elsewhere.
    response.status_code = 200 if database["ok"] else 503
    return response
