"""Fit the 匹配度 calibration (indexer/calibration.py) on a graded BEIR set, cross-validated by need.

Usage: .venv/bin/python benchmarks/fit_match_degree.py /tmp/market-dev-built [--folds 5]

For every need, the top 50 of today's hybrid are the pairs a page could show; each pair gets the
features of `indexer.calibration.features` and the label "judged relevant" (grade >= 1; unjudged
providers count as not relevant). Logistic fits on several feature sets are scored out of fold
(folds by need, so no need is scored by a model that saw it), then the chosen one is refitted on
every pair and printed as the constants to paste into indexer/calibration.py, with the calibration
table of the out-of-fold 匹配度 (bucket -> share judged relevant).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import numpy as np

from indexer import calibration
from indexer.analysis import query_terms
from indexer.backends.embedded import EmbeddedIndex
from indexer.encoders import load_encoder
from indexer.evaluate import cached_encoder_for, load_dataset
from indexer.fusion import FusionConfig
from indexer.stopwords import stop_list

FEATURE_SETS = {
    "dense (doc, passage)": (0, 1),
    "dense + coverage": (0, 1, 2),
    "dense + coverage + field": (0, 1, 2, 3),
}


def pairs(path: Path, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    dataset = load_dataset(path, use_boosts=False)
    texts = [f"{d.title} {d.text} " + " ".join(p.text for p in d.passages) for d in dataset.documents]
    texts += [query.text for _, query in dataset.queries]
    stop = stop_list(texts)
    fields = {d.id: d.filter_values("field") for d in dataset.documents}
    raw = {row_id: row for row_id, row in _query_fields(path).items()}
    encoder = cached_encoder_for(dataset, load_encoder())
    rows, labels, grades, groups = [], [], [], []
    with tempfile.TemporaryDirectory() as directory:
        index = EmbeddedIndex(Path(directory), encoder)
        index.rebuild(dataset.documents, len(dataset.documents))
        vectors = encoder.encode_queries([query.text for _, query in dataset.queries])
        encoder.save()
        view = index.view()
        for number, ((query_id, query), vector) in enumerate(zip(dataset.queries, vectors, strict=True)):
            hits = index.search_vector(view, query, query_terms(query.text), vector, k, FusionConfig())
            need_terms = calibration.need_terms(query.text, stop)
            for hit in hits:
                same_field = bool(raw.get(query_id)) and raw[query_id] in fields.get(hit.id, ())
                rows.append(calibration.features(hit, need_terms, stop, same_field))
                grade = dataset.qrels[query_id].get(hit.id, 0)
                grades.append(grade)
                labels.append(1.0 if grade > 0 else 0.0)
                groups.append(number)
        index.close()
    return np.array(rows), np.array(labels), np.array(grades), np.array(groups)


def _query_fields(path: Path) -> dict[str, str]:
    import json

    with (path / "queries.jsonl").open(encoding="utf-8") as handle:
        return {row["_id"]: row.get("field", "") for row in map(json.loads, filter(str.strip, handle))}


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 50) -> np.ndarray:
    """Newton-Raphson (IRLS) for weights w of P(y=1) = sigmoid(w0 + w . x), a little L2 on w."""
    design = np.hstack([np.ones((len(x), 1)), x])
    weights = np.zeros(design.shape[1])
    penalty = l2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return weights


def predict(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(weights[0] + x @ weights[1:])))


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, folds: int) -> np.ndarray:
    needs = sorted(set(groups.tolist()))
    random.Random(17).shuffle(needs)
    fold_of = {need: i % folds for i, need in enumerate(needs)}
    fold = np.array([fold_of[g] for g in groups])
    predicted = np.zeros(len(y))
    for f in range(folds):
        weights = fit_logistic(x[fold != f], y[fold != f])
        predicted[fold == f] = predict(weights, x[fold == f])
    return predicted


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def table(degree: np.ndarray, y: np.ndarray, grades: np.ndarray) -> list[str]:
    lines = ["| 匹配度 | pairs | judged relevant (grade 1 or 2) | grade 2 |", "|---|---|---|---|"]
    for low in range(0, 100, 10):
        high = 101 if low == 90 else low + 10
        inside = (degree >= low) & (degree < high)
        n = int(inside.sum())
        if n == 0:
            lines.append(f"| {low}-{high - 1} | 0 | - | - |")
            continue
        share = float(y[inside].mean())
        strong = float((grades[inside] == 2).mean())
        lines.append(f"| {low}-{min(high - 1, 100)} | {n} | {share:.0%} | {strong:.0%} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--k", type=int, default=50)
    args = parser.parse_args()
    x, y, grades, groups = pairs(args.dataset, args.k)
    print(f"{len(y)} pairs from {len(set(groups.tolist()))} needs, {int(y.sum())} judged relevant")
    for name, columns in FEATURE_SETS.items():
        p = out_of_fold(x[:, columns], y, groups, args.folds)
        print(f"{name:28s} out-of-fold log loss {log_loss(p, y):.4f}  Brier {np.mean((p - y) ** 2):.4f}")
    columns = FEATURE_SETS["dense + coverage + field"]
    p = out_of_fold(x[:, columns], y, groups, args.folds)
    print("\nOut-of-fold calibration table (chosen features):")
    print("\n".join(table(np.round(p * 100), y, grades)))
    current = np.array([calibration.degree_from_features(tuple(row)) for row in x])
    print("\nThe constants now in indexer/calibration.py, on every pair (in-sample):")
    print("\n".join(table(current, y, grades)))
    weights = fit_logistic(x[:, columns], y)
    print("\nWEIGHTS =", tuple(round(float(w), 4) for w in weights))


if __name__ == "__main__":
    main()
