"""Turning `Document`s into what an index stores: analysed terms, passage texts and vectors."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from typing import TypeVar

import numpy as np

from indexer.analysis import tokenize
from indexer.backends.segment import SegmentData, batch_centre, filter_key, half, hash_key, quantise
from indexer.documents import Document, as_values, document_to_record
from indexer.encoders import Encoder

T = TypeVar("T")


def document_vector_texts(doc: Document) -> list[str]:
    """Texts encoded for one document: the whole profile first, then one per passage."""
    whole = "\n".join(part for part in (doc.title, doc.text) if part)
    return [whole] + [passage_text(passage.label, passage.text) for passage in doc.passages]


def passage_text(label: str, text: str) -> str:
    if not label or label in text:
        return text or label
    return f"{label}：{text}" if text else label


def lexical_text(doc: Document) -> str:
    """Title, text and every passage: a term found only in an achievement still makes the provider
    a lexical match."""
    parts = [doc.title, doc.text]
    for passage in doc.passages:
        parts.extend((passage.label, passage.text))
    return "\n".join(part for part in parts if part)


def document_tokens(doc: Document) -> list[str]:
    """The analysed terms of `lexical_text`, with repetitions, in text order."""
    return tokenize(lexical_text(doc))


def document_terms(doc: Document) -> Counter[str]:
    """BM25 terms of the whole document, passages included, with their frequencies."""
    return Counter(document_tokens(doc))


def analysed(
    docs: Sequence[Document], analyse: Callable[[Document], T], pool: Executor | None
) -> Iterator[T]:
    """`analyse` of each of `docs`, in order. With a `pool` the work is handed out at once and this
    process goes on (a rebuild encodes the same batch meanwhile); the results are read when iterated.
    Jieba's analysis is pure Python, so threads would not help: `pool` is a process pool."""
    if pool is None:
        return (analyse(doc) for doc in docs)
    return pool.map(analyse, docs, chunksize=max(1, len(docs) // 8))


def record_bytes(doc: Document) -> bytes:
    return json.dumps(document_to_record(doc), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def document_filter_keys(doc: Document) -> list[str]:
    return [filter_key(key, value) for key in doc.filters for value in as_values(doc.filters[key])]


class TermHasher:
    """Memoised term hashing: a corpus repeats a small vocabulary millions of times."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, term: str) -> int:
        value = self._cache.get(term)
        if value is None:
            value = hash_key(term)
            if len(self._cache) < 2_000_000:
                self._cache[term] = value
        return value


def encode_documents(docs: Sequence[Document], encoder: Encoder) -> list[np.ndarray]:
    """One (1 + passages, dim) float32 array per document, encoded in a single batch."""
    texts: list[str] = []
    counts: list[int] = []
    for doc in docs:
        doc_texts = document_vector_texts(doc)
        texts.extend(doc_texts)
        counts.append(len(doc_texts))
    vectors = encoder.encode_passages(texts) if texts else np.zeros((0, encoder.dim), np.float32)
    bounds = np.cumsum([0, *counts])
    return [vectors[bounds[i] : bounds[i + 1]] for i in range(len(docs))]


def segment_data_from(
    docs: Sequence[Document],
    vectors: Sequence[np.ndarray],
    terms: Sequence[Counter[str]],
    dim: int,
    hasher: TermHasher | None = None,
    centre: np.ndarray | None = None,
) -> SegmentData:
    """Quantise against `centre` (the segment's), or the batch's own mean when it starts a segment."""
    hasher = hasher or TermHasher()
    term_hashes: list[int] = []
    term_docs: list[int] = []
    term_tf: list[float] = []
    filter_hashes: list[int] = []
    filter_docs: list[int] = []
    for row, (doc, counts) in enumerate(zip(docs, terms, strict=True)):
        for term, tf in counts.items():
            term_hashes.append(hasher(term))
            term_docs.append(row)
            term_tf.append(float(tf))
        for key in document_filter_keys(doc):
            filter_hashes.append(hash_key(key))
            filter_docs.append(row)
    stacked = np.concatenate(list(vectors)) if vectors else np.zeros((0, dim), np.float32)
    centre = batch_centre(stacked) if centre is None else centre
    codes, scale = quantise(stacked, centre)
    owners = np.repeat(np.arange(len(docs), dtype=np.int32), [len(v) for v in vectors])
    slots: np.ndarray = (
        np.concatenate([np.arange(-1, len(v) - 1, dtype=np.int16) for v in vectors])
        if vectors
        else np.zeros(0, np.int16)
    )
    return SegmentData(
        ids=[doc.id for doc in docs],
        records=[record_bytes(doc) for doc in docs],
        doc_len=np.array([sum(counts.values()) for counts in terms], dtype=np.float32),
        term_hashes=np.array(term_hashes, dtype=np.uint64),
        term_docs=np.array(term_docs, dtype=np.int32),
        term_tf=np.array(term_tf, dtype=np.float32),
        filter_hashes=np.array(filter_hashes, dtype=np.uint64),
        filter_docs=np.array(filter_docs, dtype=np.int32),
        vec_i8=codes,
        vec_scale=scale,
        vec_owner=owners,
        vec_slot=np.asarray(slots, dtype=np.int16),
        vec_f16=half(stacked),
        vec_centre=centre,
    )
