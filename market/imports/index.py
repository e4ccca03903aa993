"""The search index after a bulk import: one background pass after the commit, not one per row.

`detach_index_changes` takes the import's changes out of the per-commit sync (market/matching/sync.py)
and the hook below applies them in a thread once the transaction is committed. If the process
dies first, `market index sync` repairs the index; the data itself is already safe.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, has_app_context

from market.db import db, on_commit
from market.matching import sync

log = logging.getLogger(__name__)
KEY = "import_index_changes"


def detach_index_changes() -> None:
    db.session.flush()
    changes = db.session.info.pop(sync.KEY, None)
    if changes:
        db.session.info[KEY] = changes


def _update_in_background(info: dict[str, Any]) -> None:
    changes = info.get(KEY)
    if not changes or not has_app_context() or not current_app.config.get("INDEX_SYNC", True):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=_apply,
        args=(app, set(changes["need"]), set(changes["provider"])),
        name="import-index",
        daemon=True,
    )
    thread.start()


def _apply(app: Flask, need_ids: set[int], provider_ids: set[int]) -> None:
    with app.app_context():
        try:
            sync.apply_changes(need_ids, provider_ids)
            log.info(
                "search index updated after import: %d needs, %d providers", len(need_ids), len(provider_ids)
            )
        except Exception:
            log.exception("search index update after import failed; run `market index sync`")
        finally:
            db.session.remove()


on_commit(_update_in_background)
