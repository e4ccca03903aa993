"""Compiled inner loops of the large-segment dense search (numba): the sign-bit Hamming pass over
every vector, the int8 rescoring of its pool and the float16 scoring of the final candidates.

In numpy these passes were bound by temporaries, not by memory (issue 19): the Hamming pass made an
xor, a popcount and an add array per word, and the int8 pass gathered rows into a copy and widened
them to float32 before a matrix-vector product. Here each pass reads its input once:

- `hamming_distances` reads a vector's sign words, counts with the CPU's popcount instruction and
  builds the histogram in the same loop.
- `int8_cosines` reads each pooled row once, widening and multiplying in registers. The pool's rows
  lie all over the int8 array (in short runs since the locality layout, layout.py), so the loop
  waited on memory for each row in turn; it now asks for the row `_PREFETCH_AHEAD` places ahead
  (LLVM's prefetch intrinsic) while it works.
- `float16_cosines` widens each half in a register; numpy's float16 -> float32 copy of ~7,000 rows
  took 9 ms of a 1M-document query, the products 1 ms.

Compiled on first use and cached on disk next to this file (or in numba's user-wide cache; in
memory only when neither can be written, `_compiled`); the gunicorn master compiles them before it
forks the workers, so no request pays for the compilation. `nogil` lets gthread workers search in
parallel threads. numpy references for each live in the tests (tests/indexer/test_kernels.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Rows asked for ahead of the one being scored: 4-32 measured alike (33-37 ms for 181k rows of 3.6 M
# on 2 slow cores, against 54 ms without); 16 leaves room for a faster core.
_PREFETCH_AHEAD = 16
_CACHE_LINE = 64
_NO_FILTER = np.zeros(0, dtype=np.bool_)


def _compiled(**options: Any) -> Any:
    """`njit(nogil=True)` with numba's on-disk cache where one can be written (next to this file, or
    numba's user-wide cache under the home directory). Without either (a read-only install run by
    a user without a writable home), numba refuses `cache=True` at import: compiled in memory at
    start-up instead (~3 s per process), rather than the app failing to start."""

    def decorate(function: Any) -> Any:
        try:
            return njit(cache=True, nogil=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available for file ..."
            return njit(nogil=True, **options)(function)

    return decorate


@intrinsic
def _popcount(typingctx: Any, word: Any) -> Any:
    """Set bits of a uint64 (LLVM ctpop: one POPCNT instruction on x86-64 since 2008)."""
    if word != types.uint64:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


@intrinsic
def _half(typingctx: Any, bits: Any) -> Any:
    """The float32 value of IEEE half-precision bits (numba has no float16 type on the CPU; LLVM's
    fpext compiles to the F16C conversion instruction)."""
    if bits != types.uint16:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.fpext(builder.bitcast(args[0], ir.HalfType()), ir.FloatType())

    return types.float32(types.uint16), codegen


@intrinsic
def _prefetch_row(typingctx: Any, matrix: Any, row: Any) -> Any:
    """Hint the CPU to load every cache line of `matrix[row]` (a C-contiguous 2-D array) for
    reading; changes nothing if ignored."""
    if not isinstance(matrix, types.Array) or matrix.ndim != 2 or matrix.layout != "C":
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        shape = cgutils.unpack_tuple(builder, array.shape)
        strides = cgutils.unpack_tuple(builder, array.strides)
        zero = context.get_constant(types.intp, 0)
        first = cgutils.get_item_pointer2(
            context, builder, array.data, shape, strides, array_type.layout, [args[1], zero]
        )
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        prefetch = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32]),
            "llvm.prefetch.p0",
        )
        start = builder.bitcast(first, byte_pointer)
        row_bytes = strides[0]  # C layout: the row's width in bytes
        # One hint per cache line of the row; the row width is known only at run time.
        with cgutils.for_range_slice(
            builder,
            context.get_constant(types.intp, 0),
            row_bytes,
            context.get_constant(types.intp, _CACHE_LINE),
        ) as (offset, _):
            address = builder.gep(start, [offset])
            # read (0), keep in all cache levels (3), data cache (1)
            builder.call(
                prefetch, [address, ir.Constant(int32, 0), ir.Constant(int32, 3), ir.Constant(int32, 1)]
            )
        return context.get_dummy_value()

    return types.void(matrix, row), codegen


@njit(inline="always")
def _prefetch_ahead(matrix: np.ndarray, rows: np.ndarray, j: int) -> None:
    """Before scoring `rows[j]`: ask for the row `_PREFETCH_AHEAD` places ahead (and, at the start,
    for the rows up to it)."""
    n = rows.shape[0]
    if j == 0:
        for i in range(min(_PREFETCH_AHEAD, n)):
            _prefetch_row(matrix, rows[i])
    if j + _PREFETCH_AHEAD < n:
        _prefetch_row(matrix, rows[j + _PREFETCH_AHEAD])


@_compiled()
def _hamming(
    bits: np.ndarray,
    query_words: np.ndarray,
    allowed: np.ndarray,
    distance: np.ndarray,
    histogram: np.ndarray,
) -> None:
    n_words, n = bits.shape
    filtered = allowed.shape[0] == n
    for i in range(n):
        if filtered and not allowed[i]:
            distance[i] = 65535
            continue
        total = 0
        for w in range(n_words):
            total += _popcount(bits[w, i] ^ query_words[w])
        distance[i] = total
        histogram[total] += 1


def hamming_distances(
    bits: np.ndarray, query_words: np.ndarray, vector_allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Hamming distance of every vector (`bits`: uint64 [words, vectors], word-major) to the query's
    sign words, and the histogram of the allowed ones; vectors not allowed get 65535 and are not
    counted."""
    n_words, n = bits.shape
    distance = np.empty(n, dtype=np.uint16)
    histogram = np.zeros(64 * n_words + 1, dtype=np.int64)
    allowed = _NO_FILTER if vector_allowed is None else np.asarray(vector_allowed, dtype=np.bool_)
    _hamming(np.asarray(bits), np.asarray(query_words, dtype=np.uint64), allowed, distance, histogram)
    return distance, histogram


@_compiled()
def _rows_within(distance: np.ndarray, cutoff: int, out: np.ndarray) -> None:
    found = 0
    for i in range(distance.shape[0]):
        if distance[i] <= cutoff and found < out.shape[0]:  # never past the end, whatever the count
            out[found] = i
            found += 1


def rows_within(distance: np.ndarray, cutoff: int, count: int) -> np.ndarray:
    """Ascending rows whose distance is at most `cutoff`; the caller knows how many from the
    histogram (`count`), so the rows are written in one pass without a boolean temporary."""
    out = np.empty(count, dtype=np.int64)
    _rows_within(distance, cutoff, out)
    return out


@_compiled()
def _best_per_owner(
    owner: np.ndarray, rows: np.ndarray, scores: np.ndarray, owners: np.ndarray, best: np.ndarray
) -> int:
    n = 0
    for j in range(rows.shape[0]):
        o = owner[rows[j]]
        if n and owners[n - 1] == o:
            if scores[j] > best[n - 1]:
                best[n - 1] = scores[j]
        else:
            owners[n] = o
            best[n] = scores[j]
            n += 1
    return n


def best_per_owner(owner: np.ndarray, rows: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each owner of the (ascending) vector `rows` once, with the best of its rows' scores: vectors
    are grouped by document, so owners come in order."""
    owners = np.empty(len(rows), dtype=np.int64)
    best = np.empty(len(rows), dtype=np.float32)
    n = _best_per_owner(np.asarray(owner), np.asarray(rows, dtype=np.int64), scores, owners, best)
    return owners[:n], best[:n]


@_compiled(fastmath=True)
def _int8_cosines(
    vectors: np.ndarray, rows: np.ndarray, query: np.ndarray, scale: np.ndarray, out: np.ndarray
) -> None:
    n = rows.shape[0]
    dim = vectors.shape[1]
    for j in range(n):
        _prefetch_ahead(vectors, rows, j)
        row = rows[j]
        total = np.float32(0.0)
        for k in range(dim):
            total += np.float32(vectors[row, k]) * query[k]
        out[j] = total * scale[row]


def int8_cosines(vectors: np.ndarray, scale: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`scale[row] * (vectors[row] . query)` for each of `rows` (int8 vectors, float32 query)."""
    out = np.empty(len(rows), dtype=np.float32)
    _int8_cosines(
        np.ascontiguousarray(vectors),
        np.asarray(rows, dtype=np.int64),
        np.ascontiguousarray(query, dtype=np.float32),
        np.asarray(scale, dtype=np.float32),
        out,
    )
    return out


@_compiled(fastmath=True)
def _float16_cosines(half_bits: np.ndarray, rows: np.ndarray, query: np.ndarray, out: np.ndarray) -> None:
    n = rows.shape[0]
    dim = half_bits.shape[1]
    for j in range(n):
        _prefetch_ahead(half_bits, rows, j)
        row = rows[j]
        total = np.float32(0.0)
        for k in range(dim):
            total += _half(half_bits[row, k]) * query[k]
        out[j] = total


def float16_cosines(vectors: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`vectors[row] . query` for each of `rows` (float16 vectors, float32 query), without the
    float32 copy of the rows numpy needed (a conversion that cost more than the products)."""
    out = np.empty(len(rows), dtype=np.float32)
    _float16_cosines(
        np.ascontiguousarray(vectors, dtype=np.float16).view(np.uint16),
        np.asarray(rows, dtype=np.int64),
        np.ascontiguousarray(query, dtype=np.float32),
        out,
    )
    return out


def compile_now() -> None:
    """Compile (or load from the on-disk cache) every kernel, so that a worker's first large search
    does not pay for it."""
    hamming_distances(np.zeros((6, 1), dtype=np.uint64), np.zeros(6, dtype=np.uint64), None)
    hamming_distances(np.zeros((6, 1), dtype=np.uint64), np.zeros(6, dtype=np.uint64), np.ones(1, bool))
    int8_cosines(np.zeros((1, 8), dtype=np.int8), np.ones(1, np.float32), np.zeros(1, np.int64), np.ones(8))
    float16_cosines(np.zeros((1, 8), dtype=np.float16), np.zeros(1, np.int64), np.ones(8))
    rows_within(np.zeros(1, dtype=np.uint16), 0, 1)
    best_per_owner(np.zeros(1, dtype=np.int32), np.zeros(1, np.int64), np.ones(1, np.float32))
