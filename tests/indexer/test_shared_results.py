"""Ranked lists shared by the processes of a host (indexer/shared_cache.py): a list one worker ranked
is not ranked again by the next, is equal to it field by field, and never outlives its generation.

Two `EmbeddedIndex` objects on one folder are two workers: each has its own caches and view."""

from __future__ import annotations

import dataclasses
import datetime
import pickle
import sqlite3
import time
import zlib
import zoneinfo
from pathlib import Path

import pytest

from indexer.backends.embedded import LONG_RESULTS_FROM, SHARED_RESULTS_FILE, EmbeddedIndex
from indexer.backends.store import STATE_FILE
from indexer.documents import Hit, Query
from indexer.encoders import Encoder
from indexer.shared_cache import SharedCache, shared_key
from tests.indexer.test_embedded import PROVIDERS, CountingEncoder


def full(hits: list[Hit]) -> list[tuple]:
    """Every field of every hit, the best passage read from the searching worker's own segments."""
    return [tuple(getattr(hit, f.name) for f in dataclasses.fields(Hit)) for hit in hits]


@pytest.mark.parametrize("k", [3, LONG_RESULTS_FROM + 1])
def test_a_list_one_worker_ranked_is_not_ranked_again_by_another(
    tmp_path: Path, encoder: Encoder, k: int
) -> None:
    first_worker, second_worker = CountingEncoder(encoder), CountingEncoder(encoder)
    one = EmbeddedIndex(tmp_path, first_worker)
    one.rebuild(PROVIDERS[:4])
    one.upsert(PROVIDERS[4:])  # some documents in the delta: passages from both segments
    two = EmbeddedIndex(tmp_path, second_worker)
    query = Query("高温合金叶片检测", boosts={"province": ("44",)})

    ranked = one.search(query, k=k)
    taken = two.search(query, k=k)

    assert (first_worker.queries, second_worker.queries) == (1, 0)
    assert full(taken) == full(ranked) and ranked[0].id == "alloy"
    assert all(hit.best_passage is not None for hit in taken if hit.best_passage_key)
    one.close()
    two.close()


def test_after_a_write_the_other_worker_ranks_again(tmp_path: Path, encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    one = EmbeddedIndex(tmp_path, encoder)
    one.rebuild(PROVIDERS[:3])
    two = EmbeddedIndex(tmp_path, counting)
    query = Query("废水处理")
    before = {hit.id for hit in one.search(query, k=3)}

    one.upsert(PROVIDERS[3:])  # a new generation: the shared list of the old one is never read
    after = {hit.id for hit in two.search(query, k=3)}

    assert counting.queries == 1 and after != before
    one.close()
    two.close()


def test_switched_off_each_worker_ranks_for_itself(tmp_path: Path, encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    one = EmbeddedIndex(tmp_path, encoder, shared_result_rows=0)
    one.rebuild(PROVIDERS)
    one.search(Query("电池"), k=3)
    two = EmbeddedIndex(tmp_path, counting, shared_result_rows=0)
    two.search(Query("电池"), k=3)
    assert counting.queries == 1 and not (tmp_path / SHARED_RESULTS_FILE).exists()
    one.close()
    two.close()


# ---- the cache file itself ------------------------------------------------------------------------------


def test_plain_values_come_back_as_they_went_in(tmp_path: Path) -> None:
    cache = SharedCache(tmp_path / "shared.sqlite")
    value = (
        (("7", 0.5, None, "标题"),),
        [{"province": ("32", "44")}],
        {"total": 3, "when": datetime.datetime(2026, 12, 3, 8, 30), "deadline": datetime.date(2027, 1, 1)},
    )
    cache.put(("k", 1), value)
    assert SharedCache(tmp_path / "shared.sqlite").get(("k", 1)) == value
    assert cache.get(("k", 2)) is None
    # PostgreSQL's driver gives date-times in a named zone: the same instant comes back, in UTC.
    shanghai = datetime.datetime(2026, 12, 3, 16, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    cache.put("zoned", [shanghai])
    (back,) = cache.get("zoned")
    assert back == shanghai and back.utcoffset() == datetime.timedelta(0)


def test_only_plain_values_are_loaded(tmp_path: Path) -> None:
    """The file could be written by anyone who can write the index folder: loading a value must not
    construct anything but containers, numbers, strings and dates."""
    path = tmp_path / "shared.sqlite"
    cache = SharedCache(path)
    cache.put("key", 1)
    hostile = zlib.compress(pickle.dumps(Path("/etc/passwd")))  # any class but the allowed dates
    with sqlite3.connect(path) as db:
        db.execute("UPDATE shared_values SET value = ?", (hostile,))
    assert SharedCache(path).get("key") is None


def test_a_damaged_file_is_a_miss_and_is_started_again(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    path.write_bytes(b"not a database" * 100)
    cache = SharedCache(path)
    assert cache.get("key") is None
    cache.put("key", [1, 2])
    assert cache.get("key") == [1, 2]


def test_the_oldest_rows_go_first(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    for number in range(5):  # a process evicts at its first put: five processes here
        SharedCache(path, max_rows=3).put(number, number)
    cache = SharedCache(path, max_rows=3)
    assert [cache.get(number) for number in range(5)] == [None, None, 2, 3, 4]
    for number in range(5, 5 + 33):  # and at every 32nd put after its first
        cache.put(number, number)
    assert [cache.get(number) for number in range(34, 38)] == [None, 35, 36, 37]


def test_rows_older_than_the_time_to_live_go(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    SharedCache(path, ttl_s=60).put("old", 1)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE shared_values SET stored = stored - 3600")
    cache = SharedCache(path, ttl_s=60)
    cache.put("new", 2)
    assert (cache.get("old"), cache.get("new")) == (None, 2)


def test_a_put_that_finds_the_file_locked_is_skipped_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    cache = SharedCache(path)
    cache.put("first", 1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker writing
    try:
        started = time.perf_counter()
        cache.put("second", 2)
        assert time.perf_counter() - started < 0.05  # no busy wait
        assert cache.get("first") == 1  # reads go on
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert cache.get("second") is None
    cache.put("second", 2)
    assert cache.get("second") == 2


def test_a_file_that_cannot_be_made_is_only_a_miss(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("where the folder should be")  # (as root, a read-only folder is still writable)
    cache = SharedCache(blocked / "shared.sqlite")
    cache.put("key", 1)  # no exception
    assert cache.get("key") is None


def test_keys_are_their_plain_form() -> None:
    assert shared_key(("q", 3)) == shared_key(("q", 3)) != shared_key(("q", "3"))


def test_an_index_made_again_in_the_same_folder_does_not_read_the_old_ones_lists(
    tmp_path: Path, encoder: Encoder
) -> None:
    """Its generations start at 0 again: the shared lists are keyed by the store's instance too."""
    old = EmbeddedIndex(tmp_path, encoder)
    old.upsert(PROVIDERS[:2])  # generation 1, no base
    query = Query("废水处理 电池 合金")
    before = {hit.id for hit in old.search(query, k=10)}
    old.close()
    for leftover in tmp_path.glob(f"{STATE_FILE}*"):
        leftover.unlink()
    assert (tmp_path / SHARED_RESULTS_FILE).exists()

    new = EmbeddedIndex(tmp_path, encoder)
    new.upsert(PROVIDERS[2:4])  # generation 1 again
    after = {hit.id for hit in new.search(query, k=10)}
    assert after == {doc.id for doc in PROVIDERS[2:4]} and not after & before
    new.close()


def test_threads_share_one_connection(tmp_path: Path) -> None:
    """gunicorn's 64 threads a worker: one connection (a few file descriptors) per process and file,
    not one per thread, and every thread still reads what it and the others wrote."""
    import os
    import threading

    path = tmp_path / "shared.sqlite"
    cache = SharedCache(path)
    wrong: list[tuple[int, int]] = []

    def work(thread: int) -> None:
        for number in range(20):
            cache.put((thread, number), [thread, number])
            if cache.get((thread, number)) != [thread, number]:
                wrong.append((thread, number))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    opened = [
        target
        for fd in os.listdir("/proc/self/fd")
        if (target := os.path.realpath(f"/proc/self/fd/{fd}")).startswith(str(path))
    ]
    assert len(opened) <= 3, opened  # the file, its -wal and its -shm
