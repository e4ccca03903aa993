"""Process pools for bulk work (encoding, jieba analysis) that would otherwise use one core."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any


def spawned_pool(
    processes: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """`processes` fresh interpreters. Spawned, not forked: a forked copy of a process holding an
    OpenMP runtime's threads (the encoder) or Flask's state may hang."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(processes, mp_context=context, initializer=initializer, initargs=initargs)


@contextmanager
def optional_pool(processes: int) -> Iterator[ProcessPoolExecutor | None]:
    """A `spawned_pool` of `processes` when more than one (shut down afterwards), else None: the
    work then stays in this process (`--processes 1`)."""
    if processes <= 1:
        yield None
        return
    pool = spawned_pool(processes)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
