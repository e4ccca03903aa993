"""A small thread-safe LRU map (query vectors, ranked results)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        self.put_many([(key, value)])

    def get_many(self, keys: list[K]) -> list[V | None]:
        """`get` of each key, under one lock (a ranking reads a thousand heads at once)."""
        with self._lock:
            items = self._items
            found = [items.get(key) for key in keys]
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    items.move_to_end(key)
            return found

    def put_many(self, pairs: list[tuple[K, V]]) -> None:
        """`put` of each pair in order, under one lock."""
        if self._size <= 0:
            return
        with self._lock:
            items = self._items
            for key, value in pairs:
                items[key] = value
                items.move_to_end(key)
            while len(items) > self._size:
                items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def discard_where(self, stale: Callable[[K], bool]) -> None:
        """Drop every entry whose key is `stale`."""
        with self._lock:
            for key in [key for key in self._items if stale(key)]:
                del self._items[key]

    def items(self) -> list[tuple[K, V]]:
        """A snapshot of the entries, oldest first."""
        with self._lock:
            return list(self._items.items())

    def __len__(self) -> int:
        return len(self._items)
