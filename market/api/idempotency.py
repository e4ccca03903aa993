"""The API half of once-only creates: the `Idempotency-Key` header (the core is market/idempotency.py).

An API create decorated with `idempotent` runs once per user and key; a retry with the same key answers
the stored first response again, marked with `Idempotent-Replayed: true`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from werkzeug.wrappers import Response

from market.api.auth import require_user
from market.api.errors import BadRequest
from market.db import db
from market.errors import Conflict, ValidationFailed
from market.i18n import gettext as _
from market.idempotency import MAX_KEY_LENGTH, IdempotencyKey, claim, holds

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII: a UUID, a ULID or any client's own scheme; no spaces or control characters.
_API_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")

View = TypeVar("View", bound=Callable[..., Any])

# The API operations that honour the header; the OpenAPI document declares it for exactly these.
IDEMPOTENT_ENDPOINTS: set[str] = set()
HEADER_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (e.g. a UUID) of up to 255 visible ASCII characters. Retrying with the same "
        "key within 24 hours answers the first response again (status, body, Location; header "
        "`Idempotent-Replayed: true`) instead of creating a second record. The same key with a different "
        "request body or path is refused with 422; while the first request is still running, 409."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
}


def idempotent(view: View) -> View:
    """Decorate an API create operation: a request with `Idempotency-Key` runs once per user and key."""
    IDEMPOTENT_ENDPOINTS.add(view.__name__)

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _API_KEY.fullmatch(key):
            raise BadRequest(_("Idempotency-Key 应为 1–255 个可见 ASCII 字符（例如一个 UUID）。"))
        user = require_user()
        endpoint, fingerprint = request.endpoint or "", _fingerprint()
        row, first = claim(user.id, key, endpoint, fingerprint)
        if not first:
            return _replay(row, endpoint, fingerprint)
        response = current_app.make_response(view(*args, **kwargs))
        if holds(row) and response.status_code < 300:
            row.status_code = response.status_code
            row.body = response.get_data(as_text=True)
            row.location = response.headers.get("Location", "")[:500]
            db.session.flush()
        return response

    return cast(View, run)


def _fingerprint() -> str:
    raw = request.get_data(cache=True)
    with contextlib.suppress(ValueError):  # the same JSON with other spacing or key order is the same request
        raw = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + raw).hexdigest()


def _replay(row: IdempotencyKey, endpoint: str, fingerprint: str) -> Response:
    if row.endpoint != endpoint or row.fingerprint != fingerprint:
        raise ValidationFailed(
            _("这个 Idempotency-Key 已用于另一个请求（路径或请求体不同）；新的请求请使用新的键。")
        )
    if row.status_code is None:
        raise Conflict(_("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。"))
    response = Response(row.body or "", status=row.status_code, mimetype="application/json")
    if row.location:
        response.headers["Location"] = row.location
    response.headers[REPLAYED_HEADER] = "true"
    return response
