"""Does the explanation stop list (indexer/stopwords.py) help the lexical retriever too?

Usage: .venv/bin/python benchmarks/stopword_ablation.py DATASET_DIR [DATASET_DIR ...]

Each set is indexed once (vectors from the evaluation cache); every query is then ranked with its
jieba terms as today, without the curated stop words, and without curated + corpus-frequent ones
(document share > MAX_DOCUMENT_SHARE over the set's corpus and queries), for bm25 and the hybrid.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from indexer.analysis import query_terms
from indexer.backends.embedded import EmbeddedIndex
from indexer.encoders import load_encoder
from indexer.evaluate import cached_encoder_for, load_dataset, score_run
from indexer.fusion import FusionConfig
from indexer.stopwords import CURATED, stop_list

METRICS = ("ndcg@10", "recall@10", "recall@50", "mrr@10")


def main(paths: list[str]) -> None:
    print("| set | method | query terms | " + " | ".join(METRICS) + " |")
    print("|---|---|---|" + "---|" * len(METRICS))
    for path in map(Path, paths):
        dataset = load_dataset(path, use_boosts=False)
        texts = [f"{d.title} {d.text} " + " ".join(p.text for p in d.passages) for d in dataset.documents]
        variants = {
            "all (today)": frozenset[str](),
            "minus curated": CURATED,
            "minus curated + frequent": stop_list(texts + [q.text for _, q in dataset.queries]),
        }
        encoder = cached_encoder_for(dataset, load_encoder())
        with tempfile.TemporaryDirectory() as directory:
            index = EmbeddedIndex(Path(directory), encoder)
            index.rebuild(dataset.documents, len(dataset.documents))
            vectors = encoder.encode_queries([query.text for _, query in dataset.queries])
            encoder.save()
            view = index.view()
            for method in ("bm25", "hybrid"):
                config = FusionConfig() if method == "hybrid" else FusionConfig().with_method("bm25")
                for name, stop in variants.items():
                    run = {}
                    for (query_id, query), vector in zip(dataset.queries, vectors, strict=True):
                        terms = [t for t in query_terms(query.text) if t not in stop]
                        hits = index.search_vector(view, query, terms, vector, 50, config)
                        run[query_id] = [hit.id for hit in hits]
                    qrels = {query_id: dataset.qrels[query_id] for query_id, _ in dataset.queries}
                    scores = score_run(run, qrels)
                    cells = " | ".join(f"{scores[m]:.4f}" for m in METRICS)
                    print(f"| {dataset.name} | {method} | {name} | {cells} |", flush=True)
            index.close()


if __name__ == "__main__":
    main(sys.argv[1:])
