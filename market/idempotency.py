"""Once only: a double click or a retried request creates one record, not two (issue 12, point 10).

One mechanism for pages and the API. Create forms carry a hidden one-time key (`once_field()`); API
creates honour the `Idempotency-Key` header. The first request with a key inserts a row (user, key,
endpoint) under a unique constraint in the same transaction as the record it creates, and stores where
it led (pages: the redirect; API: status, body and Location). A concurrent duplicate waits on that
unique index until the first commits, then fails to insert and answers with the stored result: the
redirect with an info message, or the first response again. Keys live for 24 hours.

This module is the shared core and the page half; the API half (the header, the `idempotent` decorator)
is market/api/idempotency.py, so that this module, which the feature views use, does not import the API.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import flash, redirect, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint, delete, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from market import permissions
from market.db import db, utcnow
from market.errors import Conflict
from market.i18n import gettext as _

FORM_FIELD = "once_key"
LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
REDIRECTS = (301, 302, 303, 307, 308)


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    endpoint: Mapped[str] = mapped_column(String(100))
    # sha256 of method, path and body for the API (a reused key must carry the same request); "" for forms
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    status_code: Mapped[int | None]
    location: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


# ---- the shared core ----------------------------------------------------------------------------------


def claim(user_id: int, key: str, endpoint: str, fingerprint: str = "") -> tuple[IdempotencyKey, bool]:
    """The key's row and whether this request is the first to use it (and so should do the work)."""
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < utcnow() - LIFETIME
        )
    )
    found = _find(user_id, key)
    if found is not None:
        return found, False
    row = IdempotencyKey(user_id=user_id, key=key, endpoint=endpoint, fingerprint=fingerprint)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # A concurrent request with the same key got there first: the unique index made this one wait
        # for its commit. Nothing else is written yet, so start over and answer with what it created.
        db.session.rollback()
        found = _find(user_id, key)
        if found is None:
            raise Conflict(_("同一请求正在处理中，请稍后刷新查看结果。")) from None
        return found, False
    return row, True


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )


def holds(row: IdempotencyKey) -> bool:
    """Still part of this unit of work: a refusal that rolled back took the claim with it."""
    return bool(inspect(row).persistent)


# ---- pages: a hidden one-time key in create forms ------------------------------------------------------


def once_field() -> Markup:
    """The hidden input for a create form. A form shown again with errors keeps the key it was sent
    with (nothing was created yet), so the corrected submit is still the same one."""
    submitted = request.form.get(FORM_FIELD, "") if request.method == "POST" else ""
    key = submitted if _FORM_KEY.fullmatch(submitted) else secrets.token_urlsafe(18)
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, key)


def create_once(work: Callable[[], Response]) -> Response:
    """Run a create view's `work` (which answers with a redirect) once per form key; a repeat of the
    key redirects where the first submit went, with an info message. Forms without a key (old pages,
    scripts) are not protected but still work."""
    key = request.form.get(FORM_FIELD, "")
    user = permissions._user(current_user)
    if user is None or not _FORM_KEY.fullmatch(key):
        return work()
    endpoint = request.endpoint or ""
    row, first = claim(user.id, key, endpoint)
    if not first:
        if row.endpoint != endpoint or not row.location:
            raise Conflict(_("该表单已经提交过。请刷新页面后重新填写。"))
        flash(_("该表单已经提交过，没有重复创建；这是第一次提交的结果。"), "info")
        return redirect(row.location)
    response = work()
    if holds(row):
        if response.status_code in REDIRECTS and response.location:
            row.status_code, row.location = response.status_code, response.location
        else:  # nothing was created: the key stays usable
            db.session.delete(row)
        db.session.flush()
    return response
