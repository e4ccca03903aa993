"""Collapse concurrent identical computations into one (Go's singleflight).

When a popular need's matches drop out of the cache (a fresh worker, an index update), every
concurrent viewer missed the cache and ranked the same query again, one after another behind the
encoder's lock: 50 users saw up to 2.6 s. With this, the first caller computes and the others wait
for its result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Call(Generic[V]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: V | None = None
        self.error: BaseException | None = None


class SingleFlight(Generic[K, V]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[K, _Call[V]] = {}

    def run(self, key: K, compute: Callable[[], V]) -> V:
        """`compute()`, or the result of the call for `key` already in flight in another thread."""
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if call is None:
                call = self._calls[key] = _Call()
        if not leader:
            call.done.wait()
            if call.error is not None:
                raise call.error
            return call.value  # type: ignore[return-value]
        try:
            call.value = compute()
            return call.value
        except BaseException as error:
            call.error = error
            raise
        finally:
            with self._lock:
                del self._calls[key]
            call.done.set()
