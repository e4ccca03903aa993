"""Retrieval evaluation on a BEIR-layout dataset directory.

`corpus.jsonl` rows: `_id`, `title`, `text`, optional `achievements` / `services` (lists of
strings, one passage each) and any string or list-of-strings field (`field`, `region`, `kind`, ...)
which becomes a filter. `queries.jsonl` rows: `_id`, `title`, `text`, optional string fields that
become soft boosts (e.g. the field an enterprise picked for its need). `qrels.tsv`: header line,
then `query-id corpus-id score`.

The corpus is indexed in a temporary embedded index; corpus and query vectors are cached on disk
keyed by encoder name and dataset hash, so a second run does not encode again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis import query_terms
from indexer.backends.embedded import EmbeddedIndex
from indexer.boilerplate import strip_boilerplate
from indexer.documents import Document, Passage, Query
from indexer.encoders import Encoder, load_encoder
from indexer.fusion import FusionConfig

METHODS = ("bm25", "dense", "hybrid")
# Query fields (e.g. the field an enterprise picked) become soft boosts only for runs named "...+boosts",
# so the plain methods are compared on text alone.
BOOSTED_SUFFIX = "+boosts"
CUTOFFS = {"ndcg@10": 10, "recall@10": 10, "recall@50": 50, "mrr@10": 10}
_RESERVED_FIELDS = {"_id", "title", "text", "achievements", "services", "metadata"}
_PASSAGE_FIELDS = (("achievements", "achievement"), ("services", "service"))
_LABEL_LENGTH = 24


@dataclass
class Dataset:
    name: str
    documents: list[Document]
    queries: list[tuple[str, Query]]
    qrels: dict[str, dict[str, int]]
    digest: str = ""
    extra: dict = field(default_factory=dict)


# -- loading ----------------------------------------------------------------------------------


def load_dataset(path: Path | str, use_boosts: bool = True, strip: bool = False) -> Dataset:
    """`strip`: rank with business boilerplate removed from the query text (`indexer.boilerplate`;
    measured, not used by the app: docs/matching.md, "Ranking II")."""
    path = Path(path)
    corpus_rows = list(_read_jsonl(path / "corpus.jsonl"))
    query_rows = list(_read_jsonl(path / "queries.jsonl"))
    qrels = read_qrels(path / "qrels.tsv")
    documents = [document_from_row(row) for row in corpus_rows]
    queries = [
        (str(row["_id"]), query_from_row(row, use_boosts, strip))
        for row in query_rows
        if str(row["_id"]) in qrels
    ]
    # Keyed by the corpus alone: sets sharing a corpus (csl-titles, csl-keywords) share its vectors.
    digest = _digest_files(path / "corpus.jsonl")
    return Dataset(path.name, documents, queries, qrels, digest)


def _read_jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        next(handle, None)  # header line
        for line in handle:
            parts = line.split()
            if len(parts) >= 3:
                qrels.setdefault(parts[0], {})[parts[1]] = int(float(parts[2]))
    return qrels


def _filter_fields(row: Mapping) -> dict[str, tuple[str, ...]]:
    filters: dict[str, tuple[str, ...]] = {}
    for key, value in row.items():
        if key in _RESERVED_FIELDS:
            continue
        if isinstance(value, str) and value:
            filters[key] = (value,)
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            filters[key] = tuple(value)
    return filters


def _label(text: str) -> str:
    """First clause of a passage, short enough for a match reason."""
    for separator in ("：", ":", "。", "，", ","):
        head = text.split(separator, 1)[0]
        if 0 < len(head) <= _LABEL_LENGTH:
            return head
    return text[:_LABEL_LENGTH]


def document_from_row(row: Mapping) -> Document:
    passages = tuple(
        Passage(f"{kind}:{i}", _label(text), text)
        for field_name, kind in _PASSAGE_FIELDS
        for i, text in enumerate(row.get(field_name) or ())
        if text
    )
    return Document(
        id=str(row["_id"]),
        title=row.get("title") or "",
        text=row.get("text") or "",
        passages=passages,
        filters=_filter_fields(row),
    )


def query_from_row(row: Mapping, use_boosts: bool = True, strip: bool = False) -> Query:
    text = " ".join(part for part in (row.get("title") or "", row.get("text") or "") if part)
    return Query(
        text=strip_boilerplate(text) if strip else text, boosts=_filter_fields(row) if use_boosts else {}
    )


def _digest_files(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


# -- embedding cache --------------------------------------------------------------------------


def cache_directory() -> Path:
    configured = os.environ.get("INDEXER_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "kechuang" / "indexer"


class DiskCachedEncoder:
    """Wraps an encoder and remembers every vector it produced, in one `.npz` per cache key."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.path = path
        self._rows: dict[str, np.ndarray] = {}
        self._dirty = False
        if path.exists():
            with np.load(path) as stored:
                self._rows = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    @staticmethod
    def _key(kind: str, text: str) -> str:
        return hashlib.sha1(f"{kind}\x00{text}".encode(), usedforsecurity=False).hexdigest()

    def _encode(
        self, texts: Sequence[str], kind: str, encode: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        keys = [self._key(kind, text) for text in texts]
        missing = list(dict.fromkeys(key for key in keys if key not in self._rows))
        if missing:
            by_key = {self._key(kind, text): text for text in texts}
            for key, vector in zip(missing, encode([by_key[key] for key in missing]), strict=True):
                self._rows[key] = vector.astype(np.float32)
            self._dirty = True
        if not keys:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._rows[key] for key in keys])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query", self.encoder.encode_queries)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage", self.encoder.encode_passages)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp.npz")
        keys = np.array(list(self._rows), dtype="U40")
        vectors = np.stack(list(self._rows.values())) if self._rows else np.zeros((0, self.dim), np.float32)
        np.savez(temporary, keys=keys, vectors=vectors)
        os.replace(temporary, self.path)
        self._dirty = False


def cached_encoder_for(dataset: Dataset, encoder: Encoder) -> DiskCachedEncoder:
    safe_name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in encoder.name)
    return DiskCachedEncoder(encoder, cache_directory() / f"{safe_name}-{dataset.digest}.npz")


# -- metrics ----------------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    gains = [relevant.get(doc_id, 0) for doc_id in ranked[:k]]
    dcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(gains) if gain > 0)
    ideal = sorted((grade for grade in relevant.values() if grade > 0), reverse=True)[:k]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {doc_id for doc_id, grade in relevant.items() if grade > 0}
    return len(wanted.intersection(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    for i, doc_id in enumerate(ranked[:k]):
        if relevant.get(doc_id, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def score_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Mean metrics over the queries that have judgements (missing runs count as zero)."""
    judged = [
        query_id for query_id, relevant in qrels.items() if any(grade > 0 for grade in relevant.values())
    ]
    totals = dict.fromkeys(CUTOFFS, 0.0)
    for query_id in judged:
        ranked = run.get(query_id, [])
        relevant = qrels[query_id]
        totals["ndcg@10"] += ndcg_at(ranked, relevant, 10)
        totals["recall@10"] += recall_at(ranked, relevant, 10)
        totals["recall@50"] += recall_at(ranked, relevant, 50)
        totals["mrr@10"] += mrr_at(ranked, relevant, 10)
    return {name: value / len(judged) if judged else 0.0 for name, value in totals.items()}


# -- running ----------------------------------------------------------------------------------


def method_config(method: str, base: FusionConfig | None = None) -> FusionConfig:
    base = base or FusionConfig()
    if method in ("hybrid", "hybrid" + BOOSTED_SUFFIX):
        return base
    if method in ("bm25", "dense", "rrf", "convex"):
        return base.with_method(method)  # type: ignore[arg-type]
    raise ValueError(f"unknown method {method!r}: expected bm25, dense, hybrid, rrf or convex")


def expand_methods(methods: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(methods, str):
        methods = (methods,)
    expanded: list[str] = []
    for method in methods:
        expanded.extend(METHODS if method == "all" else (method,))
    return tuple(dict.fromkeys(expanded))


def evaluate_dataset(
    path: Path | str,
    methods: Iterable[str] | str = METHODS,
    encoder: Encoder | None = None,
    progress: Callable[[int], None] | None = None,
    fusion: FusionConfig | None = None,
    configs: Mapping[str, FusionConfig] | None = None,
    index_options: Mapping[str, Any] | None = None,
    strip: bool = False,
) -> dict:
    """Index the dataset in a temporary embedded index and score each method.

    `methods`: names among bm25, dense, hybrid (the default fusion config), rrf, or "all".
    `configs`: extra named fusion configs to score (used by the benchmarks to compare settings);
    a name ending in "+boosts" also applies the queries' extra fields as soft boosts.
    `progress` is called with the number of documents indexed since the last call.
    `index_options` are passed to `EmbeddedIndex` (e.g. to force the two-stage dense search).
    `strip=True` removes business boilerplate from the queries first (an experiment, not the app).
    """
    dataset = load_dataset(path, strip=strip)
    runs_config = {method: method_config(method, fusion) for method in expand_methods(methods)}
    runs_config.update(configs or {})
    cached = cached_encoder_for(dataset, encoder or load_encoder())
    with tempfile.TemporaryDirectory(prefix="indexer-eval-") as directory:
        started = time.perf_counter()
        index = EmbeddedIndex(Path(directory), cached, fusion, **(index_options or {}))
        index.rebuild(dataset.documents, len(dataset.documents), progress)
        index_seconds = time.perf_counter() - started
        vectors = cached.encode_queries([query.text for _, query in dataset.queries])
        cached.save()
        results = {
            name: _run_method(index, dataset, vectors, config, name.endswith(BOOSTED_SUFFIX))
            for name, config in runs_config.items()
        }
        index.close()
    return {
        "dataset": dataset.name,
        "path": str(path),
        "encoder": cached.name,
        "documents": len(dataset.documents),
        "passages": sum(len(doc.passages) for doc in dataset.documents),
        "queries": len(dataset.queries),
        "index_seconds": round(index_seconds, 2),
        "methods": results,
    }


def _run_method(
    index: EmbeddedIndex, dataset: Dataset, vectors: np.ndarray, config: FusionConfig, use_boosts: bool
) -> dict:
    view = index.view()
    run: dict[str, list[str]] = {}
    latencies = []
    for (query_id, query), vector in zip(dataset.queries, vectors, strict=True):
        if not use_boosts:
            query = replace(query, boosts={})
        started = time.perf_counter()
        hits = index.search_vector(view, query, query_terms(query.text), vector, 50, config)
        latencies.append(time.perf_counter() - started)
        run[query_id] = [hit.id for hit in hits]
    metrics = score_run(run, {query_id: dataset.qrels[query_id] for query_id, _ in dataset.queries})
    metrics["search_ms_p50"] = float(np.percentile(latencies, 50) * 1000) if latencies else 0.0
    return metrics


def format_report(result: Mapping) -> str:
    """A plain-text table, one row per method, best value per metric marked with *."""
    metrics = list(CUTOFFS)
    methods = result["methods"]
    best = {metric: max(values[metric] for values in methods.values()) for metric in metrics}
    width = max([len("method")] + [len(name) for name in methods]) + 2
    header = f"{'method':<{width}}" + "".join(f"{metric:>12}" for metric in metrics) + f"{'ms/query':>10}"
    lines = [
        f"dataset {result['dataset']}: {result['documents']} documents, {result['passages']} passages, "
        f"{result['queries']} queries; encoder {result['encoder']}; indexed in {result['index_seconds']} s",
        header,
        "-" * len(header),
    ]
    for name, values in methods.items():
        cells = "".join(
            f"{values[metric]:>11.4f}{'*' if values[metric] == best[metric] else ' '}" for metric in metrics
        )
        lines.append(f"{name:<{width}}{cells}{values['search_ms_p50']:>10.1f}")
    return "\n".join(lines)
