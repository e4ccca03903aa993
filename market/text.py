"""Text every input path refuses, forms and API alike."""

from __future__ import annotations


def unstorable(value: str) -> bool:
    """NUL bytes and lone surrogates cannot be stored (PostgreSQL refuses NUL; UTF-8 refuses surrogates)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
