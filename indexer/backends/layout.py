"""Where a large segment puts each document: near documents next to each other.

The dense search rescores a pool of ~5 % of all vectors (the nearest by sign bits) with int8 dot
products. With documents in insertion order that pool is scattered over the whole int8 array: at
3.6 M vectors one query read 181k rows of 384 bytes from ~181k different pages, and the pass waited
on memory (32 ms for 181k random rows against 9 ms for the same count in runs of 50 or more,
measured on the same machine, benchmarks in docs/scale-out.md). Laying documents out so that
neighbours in vector space are neighbours in the file turns most of those reads into short runs.

The order is a tree of halvings: project the documents onto their `_DIMS` principal directions
(from a sample), then split every part at the median of its own main direction until parts hold
at most `_LEAF` documents. Deterministic for the same vectors; search results do not depend on it.
"""

from __future__ import annotations

import numpy as np

_DIMS = 32  # principal directions the tree splits in: enough to place a document, cheap to sort
_LEAF = 64  # documents per part at which splitting stops
_SAMPLE = 20_000  # documents the principal directions are estimated from
_CHUNK = 65_536


def locality_order(points: np.ndarray, seed: int = 0) -> np.ndarray:
    """A permutation of `points` (one row per document) that puts near points next to each other."""
    n = len(points)
    if n <= _LEAF:
        return np.arange(n)
    projected = _principal_projection(points, seed)
    order = np.arange(n)
    parts = [(0, n)]
    while parts:
        lo, hi = parts.pop()
        if hi - lo <= _LEAF:
            continue
        rows = order[lo:hi]
        part = projected[rows]
        centred = part - part.mean(axis=0)
        _values, vectors = np.linalg.eigh(centred.T @ centred)
        along = centred @ vectors[:, -1]  # the part's own main direction
        middle = (hi - lo) // 2
        order[lo:hi] = rows[np.argpartition(along, middle)]
        parts += [(lo, lo + middle), (lo + middle, hi)]
    return order


def _principal_projection(points: np.ndarray, seed: int) -> np.ndarray:
    """Every point's coordinates on the `_DIMS` main directions of a sample (float32 [n, dims])."""
    n = len(points)
    sample_rows = np.sort(np.random.default_rng(seed).choice(n, size=min(n, _SAMPLE), replace=False))
    sample = np.asarray(points[sample_rows], dtype=np.float32)
    mean = sample.mean(axis=0)
    _u, _s, directions = np.linalg.svd(sample - mean, full_matrices=False)
    basis = np.ascontiguousarray(directions[:_DIMS].T, dtype=np.float32)
    out = np.empty((n, basis.shape[1]), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        chunk = np.asarray(points[start : start + _CHUNK], dtype=np.float32)
        out[start : start + len(chunk)] = (chunk - mean) @ basis
    return out
