"""/healthz: is the database reachable and the search index readable? For load balancers and compose."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from indexer.backends.base import IndexUnavailable
from market.db import db
from market.matching import engine, indexing

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


def _check_index(database_ok: bool) -> dict[str, object]:
    counts: dict[str, object] = {}
    ok = True
    for kind in (engine.PROVIDERS, engine.NEEDS):
        try:
            index = engine.index_for(kind, allow_mismatch=True)
            documents = index.count()
        except IndexUnavailable as error:
            log.warning("health: search index unreadable: %s", error)
            engine.drop_embedded(kind)  # the next request reopens it instead of reusing a dead handle
            counts[kind] = {"error": "IndexUnavailable"}
            ok = False
            continue
        except Exception as error:  # e.g. the encoder failed to load: matching is down, the site is not
            log.warning("health: search index unusable: %s", error)
            counts[kind] = {"error": type(error).__name__}
            ok = False
            continue
        public = indexing.public_count(kind) if database_ok else documents
        # Fewer documents than public postings: deleted and recreated empty, or updates that failed.
        complete = documents >= public
        counts[kind] = {"documents": documents, "public": public, "needs_rebuild": index.needs_rebuild}
        ok = ok and complete and not index.needs_rebuild
    return {"ok": ok, **counts}


def _end_read_transaction() -> bool:
    """Close the check's read transaction here, so the request's commit hook has nothing to send
    down a connection that may have died since the count (that commit failing was a 500)."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:
        log.warning("health: database lost while ending the check: %s", error)
        return False
    return True


@bp.route("/healthz")
def healthz() -> Response:
    database = _check_database()
    try:
        index = _check_index(bool(database["ok"]))
    except SQLAlchemyError as error:  # the database went away between the two checks
        db.session.rollback()
        log.warning("health: database lost while counting postings: %s", error)
        database = {"ok": False, "error": type(error).__name__}
        index = _check_index(False)
    if database["ok"] and not _end_read_transaction():
        database = {"ok": False, "error": "ConnectionLost"}
    status = "ok" if database["ok"] and index["ok"] else ("degraded" if database["ok"] else "down")
    response = jsonify({"status": status, "database": database, "index": index})
    # Without the database nothing works: tell the load balancer to route elsewhere.
    response.status_code = 200 if database["ok"] else 503
    return response
