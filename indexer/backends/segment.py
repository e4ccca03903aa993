"""Immutable index segments in a columnar layout, either memory-mapped from a directory (the large
base segment, shared by all worker processes through the page cache) or held in RAM (the small
delta of recent upserts, rebuilt by each process when the generation counter moves).

Layout of a segment directory (all arrays are `.npy`, opened with mmap_mode="r"):

- documents: `ids.bin` + `id_offsets` (utf-8 ids), `id_hashes` (sorted) + `id_rows` for lookup,
  `records.bin` + `record_offsets` (JSON: title, passages, filters), `heads` + `head_offsets` (JSON:
  title, filters and the passages' keys, what a hit needs of every candidate: a record with its
  passages' texts took most of the time of building a search page's 1,000 hits), `doc_len` (BM25 length).
  Segments written before heads existed have none and read their records instead.
- BM25 postings in CSR form keyed by a 64-bit term hash: `term_hashes` (sorted), `term_offsets`,
  `post_docs` (document rows, ascending within a term), `post_tf`
- filter postings, same CSR form keyed by the hash of "key<US>value": `filter_*`
- vectors: row 0 of each document is the whole document, then one row per passage;
  `vec_i8` + `vec_scale` (int8 of `vector - centre` with a per-row scale; `centre` is the
  corpus mean fixed when the segment's first batch was quantised), `vec_bits` (sign bits of the centred
  vector as uint64 [words, vectors], for the coarse first pass), `vec_f16` (the vectors themselves in
  float16, read only for the final candidates' scores), `vec_owner` (document row),
  `vec_slot` (-1 document, else passage index), `doc_vec_offsets` (CSR from document to its
  vector rows), `mean` (exact mean of the stored vectors: the sign-bit centre), `centre`
- `meta.json`, written last: a directory without it is an unfinished build and is ignored.

Terms are stored only as hashes: no process needs the vocabulary as strings (the query supplies
its own terms), and a sorted uint64 array is searched in place without loading a dict.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

import numpy as np

from indexer.backends.kernels import float16_cosines, int8_cosines
from indexer.backends.layout import locality_order
from indexer.documents import Passage, passages_from_record
from indexer.lru import LruCache

# 3: vectors quantised relative to `centre` (format 2 quantised raw vectors; it needs a rebuild).
# 4: adds `vec_f16`, float16 copies the final candidates are scored with (format 3 needs a rebuild).
SEGMENT_FORMAT = 4
_META = "meta.json"
_UNIT_SEPARATOR = "\x1f"
_QUANTISE_BLOCK = 65536
# Segments with more vectors than this are laid out in locality order (indexer/backends/layout.py);
# below it the search scores every vector (EmbeddedIndex.exact_vectors), so order does not matter.
LOCALITY_MIN_VECTORS = 20_000
PARSED_RECORDS = 2048  # documents whose passages a process keeps parsed per segment
PARSED_HEADS = 8192  # heads (a few hundred bytes each) a process keeps parsed per segment


def hash_key(text: str) -> int:
    """Stable 64-bit hash (Python's hash() is salted per process, which would break a shared index)."""
    return int.from_bytes(blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def hash_keys(texts: Iterable[str]) -> np.ndarray:
    return np.fromiter((hash_key(text) for text in texts), dtype=np.uint64)


def filter_key(key: str, value: str) -> str:
    return f"{key}{_UNIT_SEPARATOR}{value}"


def quantise(vectors: np.ndarray, centre: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """int8 of `vectors - centre` with one scale per row: a quarter of float32.

    Centring matters: e5 vectors share a large common component, so raw codes spend most of their
    range on it; quantising the residual cut the cosine error 2.2x (docs/scale-out.md).

    Row blocks keep the float32 temporaries small: whole-array, 3.6 M vectors needed ~4 copies of
    5.5 GB and the 1M-document scale run was killed for memory (same codes either way)."""
    codes = np.empty(np.shape(vectors), dtype=np.int8)
    scale = np.empty(len(vectors), dtype=np.float32)
    offset = None if centre is None else np.asarray(centre, dtype=np.float32)
    for start in range(0, len(vectors), _QUANTISE_BLOCK):
        block = np.asarray(vectors[start : start + _QUANTISE_BLOCK], dtype=np.float32)
        if offset is not None:
            block = block - offset
        rows_scale = np.maximum(np.abs(block).max(axis=1) / 127.0, 1e-12).astype(np.float32)
        scale[start : start + len(block)] = rows_scale
        codes[start : start + len(block)] = np.clip(np.rint(block / rows_scale[:, None]), -127, 127)
    return codes, scale


def dequantise(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * scale[:, None]


def half(vectors: np.ndarray) -> np.ndarray:
    """The float16 copy a segment keeps next to the int8 codes: int8 rounding alone capped dense
    ranking recall@20 at 0.92 on 100k grown documents, while float16's error (~1e-4 on a cosine)
    is far below the gaps between neighbouring ranks (docs/scale-out.md)."""
    return np.ascontiguousarray(vectors, dtype=np.float16)


def sign_bits(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Packed sign bits of the centred vectors, padded to whole uint64 words for popcount.

    Centring matters: e5 vectors share a large common component, so raw signs are nearly identical
    across documents; ranking by q.(x - mean) is the same as by q.x since q.mean is constant."""
    packed = np.packbits(np.asarray(vectors, dtype=np.float32) - mean > 0, axis=1)
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.pad(packed, ((0, 0), (0, pad)))
    return np.ascontiguousarray(packed)


@dataclass
class SegmentData:
    """An unsorted, in-memory segment under construction (one batch of prepared documents, or the
    live documents of old segments during compaction)."""

    ids: list[str]
    records: list[bytes]
    doc_len: np.ndarray  # float32 [N]
    term_hashes: np.ndarray  # uint64 [P] one entry per (term, document)
    term_docs: np.ndarray  # int32 [P]
    term_tf: np.ndarray  # float32 [P]
    filter_hashes: np.ndarray  # uint64 [F]
    filter_docs: np.ndarray  # int32 [F]
    vec_i8: np.ndarray  # int8 [M, dim]
    vec_scale: np.ndarray  # float32 [M]
    vec_owner: np.ndarray  # int32 [M], ascending
    vec_slot: np.ndarray  # int16 [M]
    vec_f16: np.ndarray  # float16 [M, dim] the vectors themselves (not centred)
    vec_centre: np.ndarray | None = None  # float32 [dim] the codes are relative to; None = zero

    @property
    def n_docs(self) -> int:
        return len(self.ids)

    def with_dtypes(self) -> SegmentData:
        self.term_docs = self.term_docs.astype(np.int32, copy=False)
        self.filter_docs = self.filter_docs.astype(np.int32, copy=False)
        self.vec_owner = self.vec_owner.astype(np.int32, copy=False)
        return self

    @staticmethod
    def empty(dim: int) -> SegmentData:
        return SegmentData(
            ids=[],
            records=[],
            doc_len=np.zeros(0, np.float32),
            term_hashes=np.zeros(0, np.uint64),
            term_docs=np.zeros(0, np.int32),
            term_tf=np.zeros(0, np.float32),
            filter_hashes=np.zeros(0, np.uint64),
            filter_docs=np.zeros(0, np.int32),
            vec_i8=np.zeros((0, dim), np.int8),
            vec_scale=np.zeros(0, np.float32),
            vec_owner=np.zeros(0, np.int32),
            vec_slot=np.zeros(0, np.int16),
            vec_f16=np.zeros((0, dim), np.float16),
        )


def batch_centre(vectors: np.ndarray) -> np.ndarray | None:
    """The centre a new segment quantises against: the mean of its first batch (64 documents,
    hundreds of vectors, estimate the common component well), kept for every later batch."""
    return np.asarray(vectors, dtype=np.float32).mean(axis=0) if len(vectors) else None


def recentre(part: SegmentData, centre: np.ndarray | None) -> SegmentData:
    """Re-quantise a part against another centre (rare: parts normally share their segment's),
    from its float16 vectors rather than its codes, so no rounding error is compounded."""
    if _same_centre(part.vec_centre, centre) or len(part.vec_i8) == 0:
        part.vec_centre = centre
        return part
    part.vec_i8, part.vec_scale = quantise(part.vec_f16.astype(np.float32), centre)
    part.vec_centre = centre
    return part


def _same_centre(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))


def concat_segment_data(parts: Sequence[SegmentData], dim: int) -> SegmentData:
    """Append parts, shifting document rows; later parts must not repeat ids of earlier ones.
    All parts end up quantised against the first part's centre."""
    if not parts:
        return SegmentData.empty(dim)
    centre = parts[0].vec_centre
    parts = [recentre(part, centre) for part in parts]
    offsets = np.cumsum([0] + [part.n_docs for part in parts[:-1]])
    return SegmentData(
        ids=[doc_id for part in parts for doc_id in part.ids],
        records=[record for part in parts for record in part.records],
        doc_len=np.concatenate([part.doc_len for part in parts]),
        term_hashes=np.concatenate([part.term_hashes for part in parts]),
        term_docs=np.concatenate([part.term_docs + off for part, off in zip(parts, offsets, strict=True)]),
        term_tf=np.concatenate([part.term_tf for part in parts]),
        filter_hashes=np.concatenate([part.filter_hashes for part in parts]),
        filter_docs=np.concatenate(
            [part.filter_docs + off for part, off in zip(parts, offsets, strict=True)]
        ),
        vec_i8=np.concatenate([part.vec_i8 for part in parts]),
        vec_scale=np.concatenate([part.vec_scale for part in parts]),
        vec_owner=np.concatenate([part.vec_owner + off for part, off in zip(parts, offsets, strict=True)]),
        vec_slot=np.concatenate([part.vec_slot for part in parts]),
        vec_f16=np.concatenate([part.vec_f16 for part in parts]),
        vec_centre=centre,
    ).with_dtypes()


def _first_vectors(data: SegmentData) -> np.ndarray:
    """Each document's first vector row (its whole-text vector). A document without vectors gets the
    row where its vectors would start, i.e. the next document's first (the last row at the end):
    it has nothing to be near, so any place in the order is right for it."""
    offsets = _doc_vec_offsets(data.vec_owner, data.n_docs)
    return np.minimum(offsets[:-1], max(len(data.vec_owner) - 1, 0))


def reordered(data: SegmentData, order: np.ndarray) -> SegmentData:
    """The same documents with document `order[i]` at row i (postings, filters and vectors follow)."""
    order = np.asarray(order, dtype=np.int64)
    new_row = np.empty_like(order)
    new_row[order] = np.arange(len(order))
    offsets = _doc_vec_offsets(data.vec_owner, data.n_docs)
    counts = np.diff(offsets)[order]
    starts = offsets[:-1][order]
    # vector rows of the documents in their new order, each document's vectors kept together
    vector_order = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    return SegmentData(
        ids=[data.ids[i] for i in order.tolist()],
        records=[data.records[i] for i in order.tolist()],
        doc_len=data.doc_len[order],
        term_hashes=data.term_hashes,
        term_docs=new_row[data.term_docs],
        term_tf=data.term_tf,
        filter_hashes=data.filter_hashes,
        filter_docs=new_row[data.filter_docs],
        vec_i8=data.vec_i8[vector_order],
        vec_scale=data.vec_scale[vector_order],
        vec_owner=np.repeat(np.arange(len(order)), counts),
        vec_slot=data.vec_slot[vector_order],
        vec_f16=data.vec_f16[vector_order],
        vec_centre=data.vec_centre,
    ).with_dtypes()


def _csr(keys: np.ndarray, docs: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sort (key, doc) pairs and return unique keys, offsets and the sorted columns."""
    order = np.lexsort((docs, keys))
    keys_sorted = keys[order]
    unique, starts = np.unique(keys_sorted, return_index=True)
    offsets = np.append(starts, len(keys_sorted)).astype(np.int64)
    return (
        unique.astype(np.uint64),
        offsets,
        docs[order].astype(np.int32),
        *(value[order] for value in values),
    )


def _blob(items: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(item) for item in items), dtype=np.int64, count=len(items))
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.frombuffer(b"".join(items), dtype=np.uint8), offsets


@dataclass(frozen=True, slots=True)
class Head:
    """A parsed head, in tuples of strings only: the garbage collector stops tracking those, and a
    worker keeps thousands of heads and ranked hits (with dicts and lists of the JSON, every full
    collection walked them: 1.4 s per collection after 300 queries at 100,000 providers)."""

    title: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    passage_keys: tuple[str, ...]

    @classmethod
    def of(cls, parsed: dict) -> Head:
        """From a head's JSON, or a whole record's (segments written before heads)."""
        keys = parsed.get("passage_keys")
        if keys is None:
            keys = [passage[0] for passage in parsed.get("passages", ())]
        filters = tuple((key, tuple(values)) for key, values in parsed.get("filters", {}).items())
        return cls(parsed.get("title", ""), filters, tuple(keys))


def _head(record: bytes) -> bytes:
    """What every hit reads of its document (see the module docstring): the record without the
    passages' labels and texts."""
    head = Head.of(json.loads(record))
    written = {"title": head.title, "filters": dict(head.filters), "passage_keys": head.passage_keys}
    return json.dumps(written, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _doc_vec_offsets(vec_owner: np.ndarray, n_docs: int) -> np.ndarray:
    counts = np.bincount(vec_owner, minlength=n_docs) if len(vec_owner) else np.zeros(n_docs, np.int64)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def _mean_vector(codes: np.ndarray, scale: np.ndarray, centre: np.ndarray) -> np.ndarray:
    total = np.zeros(len(centre), dtype=np.float64)
    for start in range(0, len(codes), 65536):
        total += dequantise(codes[start : start + 65536], scale[start : start + 65536]).sum(axis=0)
    return (total / max(len(codes), 1) + centre).astype(np.float32)


def _sign_bits_word_major(
    codes: np.ndarray, scale: np.ndarray, centre: np.ndarray, mean: np.ndarray
) -> np.ndarray:
    """Sign bits as uint64 [words, vectors]: word-major, so the Hamming pass reads each word of all
    vectors as one contiguous run (a per-row sum over 6 words was the slowest step)."""
    words = (codes.shape[1] + 63) // 64
    out = np.zeros((words, len(codes)), dtype=np.uint64)
    for start in range(0, len(codes), 65536):
        chunk = sign_bits(
            dequantise(codes[start : start + 65536], scale[start : start + 65536]), mean - centre
        )
        out[:, start : start + len(chunk)] = chunk.view(np.uint64).T
    return out


def segment_arrays(data: SegmentData, dim: int) -> dict[str, np.ndarray]:
    """Everything a `Segment` reads, computed from unsorted `SegmentData`."""
    term_hashes, term_offsets, post_docs, post_tf = _csr(data.term_hashes, data.term_docs, data.term_tf)
    filter_hashes, filter_offsets, filter_docs = _csr(data.filter_hashes, data.filter_docs)
    ids_blob, id_offsets = _blob([doc_id.encode("utf-8") for doc_id in data.ids])
    records_blob, record_offsets = _blob(data.records)
    heads_blob, head_offsets = _blob([_head(record) for record in data.records])
    id_hashes = hash_keys(data.ids)
    id_order = np.argsort(id_hashes, kind="stable")
    if not np.all(np.diff(data.vec_owner) >= 0):
        raise ValueError("vectors must be grouped by document in document order")
    centre = np.zeros(dim, np.float32) if data.vec_centre is None else data.vec_centre.astype(np.float32)
    mean = _mean_vector(data.vec_i8, data.vec_scale, centre)
    return {
        "ids": ids_blob,
        "id_offsets": id_offsets,
        "id_hashes": id_hashes[id_order],
        "id_rows": id_order.astype(np.int32),
        "records": records_blob,
        "record_offsets": record_offsets,
        "heads": heads_blob,
        "head_offsets": head_offsets,
        "doc_len": data.doc_len.astype(np.float32),
        "term_hashes": term_hashes,
        "term_offsets": term_offsets,
        "post_docs": post_docs,
        "post_tf": post_tf.astype(np.float32),
        "filter_hashes": filter_hashes,
        "filter_offsets": filter_offsets,
        "filter_docs": filter_docs,
        "vec_i8": np.ascontiguousarray(data.vec_i8, dtype=np.int8),
        "vec_scale": data.vec_scale.astype(np.float32),
        "vec_bits": _sign_bits_word_major(data.vec_i8, data.vec_scale, centre, mean),
        "vec_owner": data.vec_owner.astype(np.int32),
        "vec_slot": data.vec_slot.astype(np.int16),
        "vec_f16": half(data.vec_f16),
        "doc_vec_offsets": _doc_vec_offsets(data.vec_owner, data.n_docs),
        "mean": mean,
        "centre": centre,
    }


def write_segment(directory: Path, data: SegmentData, encoder_name: str, dim: int) -> None:
    """Write a segment directory; `meta.json` goes last and atomically, marking it complete."""
    directory.mkdir(parents=True, exist_ok=False)
    if len(data.vec_owner) > LOCALITY_MIN_VECTORS:
        data = reordered(data, locality_order(data.vec_f16[_first_vectors(data)]))
    arrays = segment_arrays(data, dim)
    for name, array in arrays.items():
        np.save(directory / f"{name}.npy", array, allow_pickle=False)
    meta = {
        "format": SEGMENT_FORMAT,
        "encoder": encoder_name,
        "dim": dim,
        "n_docs": data.n_docs,
        "n_vectors": len(data.vec_owner),
        "total_len": float(data.doc_len.sum()),
    }
    temporary = directory / f"{_META}.tmp"
    temporary.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(temporary, directory / _META)
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Segment:
    """Read access to one segment; arrays are memory maps (base) or plain arrays (delta)."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        self.meta = meta
        self.mapped_sizes: dict[Path, int] = {}  # empty for in-memory (delta) segments
        self.encoder: str = meta["encoder"]
        self.dim: int = int(meta["dim"])
        self.n_docs: int = int(meta["n_docs"])
        self.n_vectors: int = int(meta["n_vectors"])
        self.total_len: float = float(meta["total_len"])
        for name, array in arrays.items():
            setattr(self, name, array)
        # Parsed heads and passages are kept as tuples of strings, which the garbage collector stops
        # tracking: kept as objects (and parsed records as dicts of lists), the tens of thousands a
        # worker holds were walked by every full collection (docs/search.md).
        self._passages: LruCache[int, tuple[tuple[str, str, str], ...]] = LruCache(PARSED_RECORDS)
        self._heads: LruCache[int, tuple[str, tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]] = (
            LruCache(PARSED_HEADS)
        )
        self.ids: np.ndarray
        self.id_offsets: np.ndarray
        self.id_hashes: np.ndarray
        self.id_rows: np.ndarray
        self.records: np.ndarray
        self.record_offsets: np.ndarray
        self.head_offsets: np.ndarray  # with `heads`, absent from segments written before them
        self.doc_len: np.ndarray
        self.term_hashes: np.ndarray
        self.term_offsets: np.ndarray
        self.post_docs: np.ndarray
        self.post_tf: np.ndarray
        self.filter_hashes: np.ndarray
        self.filter_offsets: np.ndarray
        self.filter_docs: np.ndarray
        self.vec_i8: np.ndarray
        self.vec_scale: np.ndarray
        self.vec_bits: np.ndarray
        self.vec_owner: np.ndarray
        self.vec_slot: np.ndarray
        self.vec_f16: np.ndarray
        self.doc_vec_offsets: np.ndarray
        self.mean: np.ndarray
        self.centre: np.ndarray

    @staticmethod
    def stored_format(directory: Path) -> int | None:
        """The format a finished segment directory was written in (None if unreadable)."""
        try:
            return json.loads((directory / _META).read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError):
            return None

    @classmethod
    def open(cls, directory: Path) -> Segment:
        meta = json.loads((directory / _META).read_text(encoding="utf-8"))
        if meta.get("format") != SEGMENT_FORMAT:
            raise ValueError(f"unsupported segment format {meta.get('format')!r} in {directory}")
        # Plain ndarray views of the maps: same shared pages, without np.memmap's per-slice overhead.
        paths = sorted(directory.glob("*.npy"))
        arrays = {path.stem: np.load(path, mmap_mode="r").view(np.ndarray) for path in paths}
        segment = cls(arrays, meta)
        segment.mapped_sizes = {path: path.stat().st_size for path in paths}
        return segment

    def intact(self) -> bool:
        """Whether the mapped files still have the size they had when opened. Touching a map whose
        file was truncated underneath kills the process with SIGBUS, so check before reading."""
        try:
            return all(path.stat().st_size == size for path, size in self.mapped_sizes.items())
        except OSError:
            return False

    @classmethod
    def in_memory(cls, data: SegmentData, encoder_name: str, dim: int) -> Segment:
        meta = {
            "format": SEGMENT_FORMAT,
            "encoder": encoder_name,
            "dim": dim,
            "n_docs": data.n_docs,
            "n_vectors": len(data.vec_owner),
            "total_len": float(data.doc_len.sum()),
        }
        return cls(segment_arrays(data, dim), meta)

    # documents

    def doc_id(self, row: int) -> str:
        return bytes(self.ids[self.id_offsets[row] : self.id_offsets[row + 1]]).decode("utf-8")

    def all_ids(self) -> list[str]:
        blob = bytes(self.ids)
        offsets = self.id_offsets.tolist()
        return [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(self.n_docs)]

    def record(self, row: int) -> dict:
        """The stored record of `row`, parsed (heads and passages keep what they read of it)."""
        parsed: dict = json.loads(
            bytes(self.records[self.record_offsets[row] : self.record_offsets[row + 1]])
        )
        return parsed

    def heads_of(self, rows: Sequence[int]) -> list[Head]:
        """Title, filters and passage keys of each row; from the record itself in a segment written
        before heads existed. A segment never changes, so each process parses a head once while it
        stays in the LRU: parsing a thousand hits' JSON was a tenth of a new query's list page. The
        rows not kept are parsed as one JSON array: at 100,000 providers, where most of a new
        query's 1,000 candidates are not kept, one parse per row took 26 ms and one array 12-16 ms."""
        kept = self._heads.get_many(list(rows))
        missing = [row for row, found in zip(rows, kept, strict=True) if found is None]
        parsed = dict(zip(missing, self._parse_heads(missing), strict=True)) if missing else {}
        self._heads.put_many([(row, (h.title, h.filters, h.passage_keys)) for row, h in parsed.items()])
        return [parsed[row] if found is None else Head(*found) for row, found in zip(rows, kept, strict=True)]

    def _parse_heads(self, rows: list[int]) -> list[Head]:
        heads = getattr(self, "heads", None)
        if heads is None:
            return [Head.of(self.record(row)) for row in rows]
        offsets = self.head_offsets
        starts = offsets[rows].tolist()
        ends = offsets[np.asarray(rows, dtype=np.int64) + 1].tolist()
        blob = memoryview(heads)
        array = b"[" + b",".join(blob[start:end] for start, end in zip(starts, ends, strict=True)) + b"]"
        return [Head.of(parsed) for parsed in json.loads(array)]

    def passages(self, row: int) -> tuple[Passage, ...]:
        found = self._passages.get(row)
        if found is None:
            found = tuple((p.key, p.label, p.text) for p in passages_from_record(self.record(row)))
            self._passages.put(row, found)
        return tuple(Passage(*passage) for passage in found)

    def rows_of(self, ids: Iterable[str]) -> np.ndarray:
        """Rows of the given ids that exist in this segment."""
        wanted = hash_keys(ids)
        if len(wanted) == 0 or self.n_docs == 0:
            return np.zeros(0, np.int32)
        positions = np.searchsorted(self.id_hashes, wanted)
        positions = np.minimum(positions, self.n_docs - 1)
        found = self.id_hashes[positions] == wanted
        return np.asarray(self.id_rows[positions[found]], dtype=np.int32)

    # postings

    def _slice(self, hashes: np.ndarray, offsets: np.ndarray, key: int) -> tuple[int, int]:
        position = int(np.searchsorted(hashes, np.uint64(key)))
        if position < len(hashes) and int(hashes[position]) == key:
            return int(offsets[position]), int(offsets[position + 1])
        return 0, 0

    def term_postings(self, term_hash: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self._slice(self.term_hashes, self.term_offsets, term_hash)
        return self.post_docs[start:end], self.post_tf[start:end]

    def filter_rows(self, key: str, value: str) -> np.ndarray:
        start, end = self._slice(self.filter_hashes, self.filter_offsets, hash_key(filter_key(key, value)))
        return self.filter_docs[start:end]

    # vectors

    def vector_rows(self, doc_rows: np.ndarray) -> np.ndarray:
        """All vector rows (document and passages) of the given documents, concatenated."""
        starts = np.asarray(self.doc_vec_offsets[doc_rows], dtype=np.int64)
        ends = np.asarray(self.doc_vec_offsets[doc_rows + 1], dtype=np.int64)
        lengths = ends - starts
        if lengths.sum() == 0:
            return np.zeros(0, np.int64)
        # Vectorised ranges: start of each run repeated, plus the position inside the run.
        run_starts = np.repeat(starts, lengths)
        within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return run_starts + within

    def cosines(self, vector_rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """int8 cosines of the given vector rows (ascending, distinct), read in place from the map
        by a compiled loop (indexer/backends/kernels.py)."""
        query = np.asarray(query, dtype=np.float32)
        residual = int8_cosines(self.vec_i8, self.vec_scale, np.asarray(vector_rows), query)
        # q.v = q.(v - centre) + q.centre: the constant keeps the ranking and gives fusion the cosine.
        residual += np.float32(query @ np.asarray(self.centre, dtype=np.float32))
        return residual

    def float_cosines(self, vector_rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Cosines from the float16 copies: for the final few hundred candidates, where int8
        rounding was as large as the gaps between ranks 15 and 25 (a gather of ~1k rows, <1 MB)."""
        return float16_cosines(self.vec_f16, np.asarray(vector_rows), query)

    def to_data(self, keep_rows: np.ndarray) -> SegmentData:
        """Extract the given documents (ascending rows) for compaction, keeping quantised vectors as is."""
        keep_rows = np.asarray(keep_rows, dtype=np.int64)
        remap = np.full(self.n_docs, -1, dtype=np.int64)
        remap[keep_rows] = np.arange(len(keep_rows))
        term_lengths = np.diff(np.asarray(self.term_offsets))
        term_hashes = np.repeat(np.asarray(self.term_hashes), term_lengths)
        term_docs = remap[np.asarray(self.post_docs)]
        filter_hashes = np.repeat(np.asarray(self.filter_hashes), np.diff(np.asarray(self.filter_offsets)))
        filter_docs = remap[np.asarray(self.filter_docs)]
        vector_rows = self.vector_rows(keep_rows)
        kept_terms = term_docs >= 0
        kept_filters = filter_docs >= 0
        return SegmentData(
            ids=[self.doc_id(int(row)) for row in keep_rows],
            records=[
                bytes(self.records[self.record_offsets[row] : self.record_offsets[row + 1]])
                for row in keep_rows
            ],
            doc_len=np.asarray(self.doc_len[keep_rows], dtype=np.float32),
            term_hashes=term_hashes[kept_terms],
            term_docs=term_docs[kept_terms].astype(np.int32),
            term_tf=np.asarray(self.post_tf)[kept_terms],
            filter_hashes=filter_hashes[kept_filters],
            filter_docs=filter_docs[kept_filters].astype(np.int32),
            vec_i8=np.asarray(self.vec_i8[vector_rows]),
            vec_scale=np.asarray(self.vec_scale[vector_rows]),
            vec_owner=remap[np.asarray(self.vec_owner[vector_rows])].astype(np.int32),
            vec_slot=np.asarray(self.vec_slot[vector_rows]),
            vec_f16=np.asarray(self.vec_f16[vector_rows]),
            vec_centre=np.array(self.centre, dtype=np.float32),
        )
