"""The /api/v1 blueprint; routes are added by market.api.spec.operation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from market.errors import NotFound
from market.i18n import gettext as _
from market.ids import MAX_ID

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.url_value_preprocessor
def _refuse_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Ids beyond a 32-bit integer cannot exist; PostgreSQL would fail on them, so answer 404 first."""
    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        raise NotFound(_("资源不存在。"))
