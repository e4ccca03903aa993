"""The batch calls of the LRU map behave as the same single calls in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.lru import LruCache

KEYS = st.integers(0, 6)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("get"), st.lists(KEYS, max_size=5)),
        st.tuples(st.just("put"), st.lists(st.tuples(KEYS, st.integers(1, 99)), max_size=5)),
    ),
    max_size=20,
)


@given(st.integers(0, 4), OPS)
def test_batches_equal_single_calls_in_order(size: int, ops: list) -> None:
    batched: LruCache[int, int] = LruCache(size)
    single: LruCache[int, int] = LruCache(size)
    for op, args in ops:
        if op == "get":
            assert batched.get_many(args) == [single.get(key) for key in args]
        else:
            batched.put_many(args)
            for key, value in args:
                single.put(key, value)
        assert batched.items() == single.items()


def test_a_batch_get_keeps_what_it_found() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put_many([("a", 1), ("b", 2)])
    assert cache.get_many(["a", "z"]) == [1, None]
    cache.put("c", 3)  # "b" was the least recently used
    assert cache.items() == [("a", 1), ("c", 3)]
