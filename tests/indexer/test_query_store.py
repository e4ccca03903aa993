"""Query vectors kept on disk: shared across processes, never an error, bounded, keyed by model."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from indexer.encoders import MAX_QUERY_CHARS, Encoder
from indexer.query_store import QueryVectorStore, StoredQueryEncoder, text_key

NEED = "冬季零下20度电动重卡续航下降40%，需要电池包保温和低温自加热方案"


class CountingModel:
    """The real encoder, counting the query texts it is asked to encode."""

    def __init__(self, inner: Encoder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.dim = inner.dim
        self.encoded: list[str] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += texts
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


def _stored(encoder: Encoder, path: Path, **options: int) -> tuple[StoredQueryEncoder, CountingModel]:
    model = CountingModel(encoder)
    return StoredQueryEncoder(model, QueryVectorStore(path, model.dim, **options)), model


def test_stored_vectors_equal_the_models_and_skip_it_next_time(tmp_path: Path, encoder: Encoder) -> None:
    first, model = _stored(encoder, tmp_path / "q.sqlite")
    vectors = first.encode_queries([NEED, "焊接变形控制", NEED])
    np.testing.assert_allclose(vectors[0], encoder.encode_queries([NEED])[0], atol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert model.encoded == [NEED, "焊接变形控制"]  # the repeated text once

    again, other_model = _stored(encoder, tmp_path / "q.sqlite")  # another worker on the host
    np.testing.assert_array_equal(again.encode_queries([NEED, "焊接变形控制"]), vectors[:2])
    assert other_model.encoded == []
    np.testing.assert_array_equal(again.encode_passages(["焊接"]), encoder.encode_passages(["焊接"]))


def _read_in_child(path: str, dim: int, key: bytes, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    found = QueryVectorStore(Path(path), dim).get_many([key])
    out.put(found[key].tolist() if key in found else None)


def test_a_vector_stored_by_one_process_is_read_by_another(tmp_path: Path, encoder: Encoder) -> None:
    stored, _ = _stored(encoder, tmp_path / "q.sqlite")
    vector = stored.encode_queries([NEED])[0]
    out: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("spawn").Process(
        target=_read_in_child,
        args=(str(tmp_path / "q.sqlite"), encoder.dim, text_key(encoder.name, NEED), out),
    )
    child.start()
    child.join(60)
    np.testing.assert_array_equal(np.asarray(out.get(timeout=5), dtype=np.float32), vector)


def test_prepare_encodes_only_what_is_missing_in_batches(tmp_path: Path, encoder: Encoder) -> None:
    stored, model = _stored(encoder, tmp_path / "q.sqlite")
    texts = [f"{NEED} 第{i}版" for i in range(5)]
    assert stored.prepare(texts[:2]) == 2
    assert stored.prepare([*texts, texts[0], "  "], batch=2) == 3  # blank texts are never queries
    assert sorted(model.encoded) == sorted(texts)
    assert stored.store.count() == 5


def test_another_model_or_an_edited_text_misses(tmp_path: Path, encoder: Encoder) -> None:
    stored, _ = _stored(encoder, tmp_path / "q.sqlite")
    stored.encode_queries([NEED])
    renamed = CountingModel(encoder, name="other-model")
    StoredQueryEncoder(renamed, QueryVectorStore(tmp_path / "q.sqlite", encoder.dim)).encode_queries([NEED])
    assert renamed.encoded == [NEED]
    edited, model = _stored(encoder, tmp_path / "q.sqlite")
    edited.encode_queries([NEED + "。"])
    assert model.encoded == [NEED + "。"]


def test_texts_beyond_what_the_model_reads_share_a_vector(tmp_path: Path, encoder: Encoder) -> None:
    stored, model = _stored(encoder, tmp_path / "q.sqlite")
    head = "电" * MAX_QUERY_CHARS
    stored.encode_queries([head + "甲"])
    stored.encode_queries([head + "乙"])
    assert len(model.encoded) == 1


def test_oldest_vectors_are_evicted_beyond_the_cap(tmp_path: Path, encoder: Encoder) -> None:
    stored, model = _stored(encoder, tmp_path / "q.sqlite", max_rows=3)
    texts = [f"需求{i}" for i in range(5)]
    for text in texts:
        stored.encode_queries([text])
    assert stored.store.count() == 3
    stored.encode_queries(texts[-3:])
    assert model.encoded == texts  # the newest three were still there
    stored.encode_queries(texts[:1])
    assert model.encoded == [*texts, texts[0]]  # the oldest was evicted


def test_deleted_store_is_recreated(tmp_path: Path, encoder: Encoder) -> None:
    stored, model = _stored(encoder, tmp_path / "q.sqlite")
    stored.encode_queries([NEED])
    for path in tmp_path.glob("q.sqlite*"):
        path.unlink()
    stored.encode_queries([NEED])
    assert model.encoded == [NEED, NEED]
    assert stored.store.count() == 1 and (tmp_path / "q.sqlite").exists()


@pytest.mark.parametrize("damage", [b"not a database at all" * 100, b""])
def test_damaged_store_costs_an_encoding_not_an_error(
    tmp_path: Path, encoder: Encoder, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "q.sqlite"
    path.write_bytes(damage)
    stored, model = _stored(encoder, path)
    vectors = stored.encode_queries([NEED])
    np.testing.assert_allclose(vectors[0], encoder.encode_queries([NEED])[0], atol=1e-6)
    assert model.encoded == [NEED]
    if damage:
        assert "is damaged" in caplog.text
    # It started afresh: the next worker reads the vector instead of encoding it.
    again, other = _stored(encoder, path)
    np.testing.assert_array_equal(again.encode_queries([NEED]), vectors)
    assert other.encoded == []


def test_vectors_of_another_size_are_ignored(tmp_path: Path, encoder: Encoder) -> None:
    path = tmp_path / "q.sqlite"
    QueryVectorStore(path, 8).put_many([(text_key(encoder.name, NEED), np.ones(8, dtype=np.float32))])
    stored, model = _stored(encoder, path)
    assert stored.encode_queries([NEED]).shape == (1, encoder.dim)
    assert model.encoded == [NEED]
