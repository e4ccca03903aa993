"""Row ids as they arrive from outside: URLs and JSON bodies."""

from __future__ import annotations

from typing import Any

MAX_ID = 2**31 - 1  # the largest value an INTEGER id column holds on PostgreSQL


def row_id(value: Any) -> int | None:
    """`value` if it could be a row's id (a JSON integer within the column's range), else None:
    a bigger number would overflow the database driver instead of simply finding nothing."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value
