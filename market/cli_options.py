"""Options more than one command takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def processes_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--processes N` (at least 1, default 1) for bulk work split over processes."""
    return click.option("--processes", type=click.IntRange(1), default=1, show_default=True, help=help_text)
