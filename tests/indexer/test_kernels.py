"""The compiled dense-search kernels against plain numpy, on the shapes the segments use."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from indexer.backends import kernels


def _bits(rng: np.random.Generator, words: int, n: int) -> np.ndarray:
    return rng.integers(0, np.iinfo(np.uint64).max, size=(words, n), dtype=np.uint64, endpoint=True)


@pytest.mark.parametrize("n", [0, 1, 7, 5000])
def test_hamming_distances_and_histogram_equal_numpy(n: int) -> None:
    rng = np.random.default_rng(n)
    bits = _bits(rng, 6, n)
    query = _bits(rng, 6, 1)[:, 0]
    expected = np.bitwise_count(bits ^ query[:, None]).sum(axis=0).astype(np.uint16)

    distance, histogram = kernels.hamming_distances(bits, query, None)

    assert distance.dtype == np.uint16 and np.array_equal(distance, expected)
    assert histogram.shape == (6 * 64 + 1,)
    assert np.array_equal(histogram, np.bincount(expected, minlength=6 * 64 + 1))


def test_vectors_not_allowed_are_far_and_not_counted() -> None:
    rng = np.random.default_rng(1)
    bits = _bits(rng, 6, 3000)
    query = _bits(rng, 6, 1)[:, 0]
    allowed = rng.random(3000) < 0.3
    expected = np.bitwise_count(bits ^ query[:, None]).sum(axis=0)

    distance, histogram = kernels.hamming_distances(bits, query, allowed)

    assert np.array_equal(distance[allowed], expected[allowed])
    assert (distance[~allowed] == np.iinfo(np.uint16).max).all()
    assert np.array_equal(histogram, np.bincount(expected[allowed], minlength=6 * 64 + 1))


def test_all_ones_against_all_zeros_is_every_bit() -> None:
    bits = np.full((6, 3), np.iinfo(np.uint64).max, dtype=np.uint64)
    distance, histogram = kernels.hamming_distances(bits, np.zeros(6, dtype=np.uint64), None)
    assert distance.tolist() == [384, 384, 384] and histogram[384] == 3


@pytest.mark.parametrize("n_rows", [0, 1, 15, 16, 17, 2000])
def test_int8_cosines_equal_numpy_on_scattered_rows(n_rows: int) -> None:
    rng = np.random.default_rng(n_rows)
    vectors = rng.integers(-127, 128, size=(5000, 384), dtype=np.int8)
    scale = rng.random(5000, dtype=np.float32) / 127
    rows = np.sort(rng.choice(5000, size=n_rows, replace=False))
    query = rng.standard_normal(384).astype(np.float32)
    expected = (vectors[rows].astype(np.float64) @ query.astype(np.float64)) * scale[rows]

    got = kernels.int8_cosines(vectors, scale, rows, query)

    assert got.dtype == np.float32 and got.shape == (n_rows,)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_int8_cosines_reads_the_last_row_of_a_read_only_map(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    vectors = rng.integers(-127, 128, size=(100, 384), dtype=np.int8)
    vectors.tofile(tmp_path / "v.i8")
    mapped = np.asarray(np.memmap(tmp_path / "v.i8", dtype=np.int8, mode="r", shape=(100, 384)))
    scale = np.ones(100, dtype=np.float32)
    query = np.ones(384, dtype=np.float32)
    got = kernels.int8_cosines(mapped, scale, np.array([0, 99]), query)
    assert got.tolist() == [
        float(vectors[0].astype(np.int64).sum()),
        float(vectors[99].astype(np.int64).sum()),
    ]


@pytest.mark.parametrize("n_rows", [0, 1, 17, 700])
def test_float16_cosines_equal_numpy_including_tiny_and_signed_values(n_rows: int) -> None:
    rng = np.random.default_rng(n_rows + 10)
    vectors = (rng.standard_normal((1000, 384)) / 20).astype(np.float16)
    # subnormal halves, signed zeros and the largest half are converted exactly too
    vectors[0, :6] = [6e-6, -6e-8, 0.0, -0.0, 65504.0, -1.0]
    rows = np.sort(rng.choice(1000, size=n_rows, replace=False))
    if n_rows:
        rows[0] = 0
    query = rng.standard_normal(384).astype(np.float32)
    expected = vectors[rows].astype(np.float64) @ query.astype(np.float64)

    got = kernels.float16_cosines(vectors, rows, query)

    assert got.dtype == np.float32 and got.shape == (n_rows,)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)


def test_rows_within_lists_the_rows_at_or_under_the_cutoff_in_order() -> None:
    distance = np.array([5, 65535, 3, 9, 3, 65535, 0], dtype=np.uint16)
    assert kernels.rows_within(distance, 3, 3).tolist() == [2, 4, 6]
    assert kernels.rows_within(distance, 384, 5).tolist() == [0, 2, 3, 4, 6]
    assert kernels.rows_within(distance, 3, 2).tolist() == [2, 4]  # a short count cannot overflow


def test_best_per_owner_keeps_each_document_once_with_its_best_vector() -> None:
    owner = np.array([0, 0, 0, 1, 2, 2, 3], dtype=np.int32)
    rows = np.array([0, 2, 4, 5, 6])
    scores = np.array([0.1, 0.7, 0.3, 0.9, -0.2], dtype=np.float32)
    docs, best = kernels.best_per_owner(owner, rows, scores)
    assert docs.tolist() == [0, 2, 3]
    np.testing.assert_allclose(best, [0.7, 0.9, -0.2])
    empty_docs, empty_best = kernels.best_per_owner(owner, np.zeros(0, np.int64), np.zeros(0, np.float32))
    assert len(empty_docs) == 0 and len(empty_best) == 0


NO_CACHE_LOCATION = """
import numpy as np
from numba.core import caching
caching.CacheImpl._locator_classes = []  # as for a read-only install run without a writable home
from indexer.backends import kernels
kernels.compile_now()
distance, _ = kernels.hamming_distances(np.ones((6, 2), np.uint64), np.zeros(6, np.uint64), None)
print(type(kernels._hamming._cache).__name__, distance.tolist())
"""


def test_without_a_writable_cache_the_kernels_compile_in_memory() -> None:
    """numba refuses `cache=True` when it finds nowhere to write: the app must still start."""
    done = subprocess.run(
        [sys.executable, "-c", NO_CACHE_LOCATION], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["NullCache", "[6,", "6]"]
