"""Process pools for bulk work (encoding, jieba analysis) that would otherwise use one core."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def spawned_pool(
    processes: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """`processes` fresh interpreters. Spawned, not forked: a forked copy of a process holding an
    OpenMP runtime's threads (the encoder) or Flask's state may hang."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(processes, mp_context=context, initializer=initializer, initargs=initargs)
