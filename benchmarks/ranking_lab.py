"""Ranking experiments for issue 17 item 1, on cached vectors, without re-encoding anything.

Usage: .venv/bin/python benchmarks/ranking_lab.py DATASET_DIR [DATASET_DIR ...] [--folds 5]

Each set is loaded once: document and passage vectors come from the evaluation cache
(`indexer.evaluate.cached_encoder_for`, so `market eval` and this script share it), BM25 is
recomputed here with the embedded index's formula (k1 = 1.2, b = 0.75, the same analyser), and the
candidate set is the index's (top `candidates` of BM25 and of the best vector per document). The
fusion itself is `indexer.fusion`, so a variant that wins here is the product code's behaviour.
Float32 vectors are used where the index holds int8, so numbers differ from `market eval` in the
fourth decimal.

Variants scored (every set, every method): today's ranking; needs with business boilerplate
stripped (`indexer.boilerplate`); the second-best passage added to the dense evidence; dense
pseudo-relevance feedback (Rocchio on the top hybrid documents); and fusion weights chosen by
k-fold cross-validation over queries (each fold's queries ranked with the weights that were best on
the other folds). `--field-prior`: a soft boost for the field predicted from the need's text by the
assistant's vote over the labelled documents (weight by k-fold CV; docs/matching.md, "Ranking II").

Second round (`--ranking2 FAMILIES`, docs/matching.md "Second round"): fusion form, dense guard,
candidate depth, BM25 k1/b, BM25 query term filters, boilerplate stripping on the BM25 query,
sentence and title vectors, RM3 lexical PRF, the shipped grid (`ship`) and the engine's defaults
(`engine`), each chosen by k-fold CV. Everything is measured against `BEFORE` / `terms_before`, the
engine before that round; `--engine-before` scores that engine through `evaluate_dataset` itself.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.analysis import query_terms, tokenize  # noqa: E402
from indexer.boilerplate import strip_boilerplate  # noqa: E402
from indexer.encoders import load_encoder  # noqa: E402
from indexer.evaluate import DiskCachedEncoder, cached_encoder_for, load_dataset, score_run  # noqa: E402
from indexer.fusion import FusionConfig, combine_dense, fuse, guard_dense  # noqa: E402
from indexer.preparation import document_terms, document_vector_texts  # noqa: E402

METRICS = ("ndcg@10", "recall@10", "recall@50", "mrr@10")
# The fusion and BM25 query before the second round of Ranking II (issue 17 item 1): min-max, dense
# weight 0.6, no dense guard, every jieba term. Every variant below is measured against these, so the
# tables of docs/matching.md stay reproducible; `--ranking2 engine` scores today's defaults.
BEFORE = FusionConfig(normalisation="minmax", dense_weight=0.6, dense_guard=0)


def _query_term_sets(texts: dict[str, str], qids: list[str]) -> dict[str, dict[str, list[str]]]:
    """The BM25 query terms of every need as before the second round, and without the curated stop list."""
    from indexer.stopwords import CURATED

    def minus_curated(text: str) -> list[str]:
        terms = terms_before(text)
        return [t for t in terms if t not in CURATED] or terms

    return {
        "all terms": {q: terms_before(texts[q]) for q in qids},
        "minus curated": {q: minus_curated(texts[q]) for q in qids},
    }


def terms_before(text: str) -> list[str]:
    """The BM25 query terms before the second round (`query_terms` now drops the curated list)."""
    return list(dict.fromkeys(tokenize(text)))


K1, B = 1.2, 0.75
DEPTH = 50


@dataclass
class Corpus:
    ids: list[str]
    doc_vec: np.ndarray  # (n, dim)
    passages: list[np.ndarray]  # per doc (p, dim)
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    doc_len: np.ndarray
    fields: list[tuple[str, ...]]
    regions: list[tuple[str, ...]]

    def bm25(
        self,
        terms: Sequence[str],
        k1: float = K1,
        b: float = B,
        weights: dict[str, float] | None = None,
    ) -> np.ndarray:
        """BM25 of every document; `weights` scales each term's part (RM3's expanded query)."""
        n = len(self.ids)
        avg = float(self.doc_len.mean())
        scores = np.zeros(n, np.float32)
        for term in dict.fromkeys(terms):
            if term not in self.postings:
                continue
            docs, tf = self.postings[term]
            idf = math.log(1.0 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            lengths = self.doc_len[docs]
            weight = 1.0 if weights is None else weights.get(term, 0.0)
            scores[docs] += weight * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / avg))
        return scores

    def dense(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Whole-document cosine, best and second-best passage cosine (NaN where none)."""
        doc = self.doc_vec @ vector
        best = np.full(len(self.ids), np.nan, np.float32)
        second = np.full(len(self.ids), np.nan, np.float32)
        if len(self.passage_owner):
            cos = self.passage_vec @ vector
            order = np.lexsort((-cos, self.passage_owner))
            owners, ranked = self.passage_owner[order], cos[order]
            first = np.ones(len(order), bool)
            first[1:] = owners[1:] != owners[:-1]
            best[owners[first]] = ranked[first]
            after = np.flatnonzero(first) + 1
            after = after[after < len(order)]
            after = after[owners[after] == owners[after - 1]]
            second[owners[after]] = ranked[after]
        return doc, best, second

    @property
    def passage_vec(self) -> np.ndarray:
        if not hasattr(self, "_pv"):
            rows = [m for m in self.passages if len(m)]
            self._pv = np.concatenate(rows) if rows else np.zeros((0, self.doc_vec.shape[1]), np.float32)
            self._po = np.repeat(np.arange(len(self.passages)), [len(m) for m in self.passages])
        return self._pv

    @property
    def passage_owner(self) -> np.ndarray:
        self.passage_vec  # noqa: B018 - builds both arrays
        return self._po


def load_corpus(dataset, encoder: DiskCachedEncoder) -> Corpus:
    docs = dataset.documents
    vectors, passages = [], []
    for doc in docs:
        rows = encoder.encode_passages(document_vector_texts(doc))
        vectors.append(rows[0])
        passages.append(rows[1:])
    term_rows: dict[str, list[tuple[int, float]]] = {}
    lengths = []
    for row, doc in enumerate(docs):
        counts: Counter[str] = document_terms(doc)
        lengths.append(sum(counts.values()))
        for term, tf in counts.items():
            term_rows.setdefault(term, []).append((row, float(tf)))
    postings = {
        term: (np.array([r for r, _ in rows]), np.array([t for _, t in rows], np.float32))
        for term, rows in term_rows.items()
    }
    return Corpus(
        [d.id for d in docs],
        np.stack(vectors),
        passages,
        postings,
        np.array(lengths, np.float32),
        [d.filter_values("field") for d in docs],
        [d.filter_values("region") for d in docs],
    )


@dataclass
class Evidence:
    """Everything one query's ranking needs, over all documents."""

    bm25: np.ndarray
    doc: np.ndarray
    best: np.ndarray
    second: np.ndarray
    field: str
    region: str = ""


def candidates(ev: Evidence, pool: int = 100) -> np.ndarray:
    positive = np.flatnonzero(ev.bm25 > 0)
    lexical = positive[np.argsort(-ev.bm25[positive], kind="stable")[:pool]]
    best_vector = np.fmax(ev.doc, np.nan_to_num(ev.best, nan=-1.0))
    dense = np.argsort(-best_vector, kind="stable")[:pool]
    return np.unique(np.concatenate([lexical, dense]))


def rank(ev: Evidence, corpus: Corpus, config: FusionConfig, second_weight: float = 0.0, boost: float = 0.0):
    rows = candidates(ev)
    best = ev.best[rows]
    if second_weight:
        # Second-best passage: the best passage's evidence is confirmed by another one.
        second = np.nan_to_num(ev.second[rows], nan=np.nan_to_num(best, nan=0.0))
        best = np.where(np.isnan(best), best, (best + second_weight * second) / (1 + second_weight))
    dense = combine_dense(ev.doc[rows], best, config)
    fused = fuse(ev.bm25[rows], dense, config).score
    if boost and ev.field:
        fused = fused + boost * np.array([ev.field in corpus.fields[r] for r in rows], np.float32)
    if boost and ev.region:
        fused = fused + boost * np.array([ev.region in corpus.regions[r] for r in rows], np.float32)
    order = np.argsort(-fused, kind="stable")[:DEPTH]
    return [corpus.ids[r] for r in rows[order]], rows[order]


def evidence(corpus: Corpus, terms: Sequence[str], vector: np.ndarray, field: str, region: str) -> Evidence:
    doc, best, second = corpus.dense(vector)
    return Evidence(corpus.bm25(terms), doc, best, second, field, region)


def rocchio(corpus: Corpus, vector: np.ndarray, top_rows: np.ndarray, m: int, beta: float) -> np.ndarray:
    centroid = corpus.doc_vec[top_rows[:m]].mean(axis=0)
    moved = vector + beta * centroid
    return (moved / np.linalg.norm(moved)).astype(np.float32)


def cv_choice(
    queries: list[str],
    score_of: Callable[[str, list[str]], dict[str, float]],
    options: Sequence[str],
    folds: int,
    key: tuple[str, ...] = ("ndcg@10",),
) -> tuple[dict[str, list[str]], list[str]]:
    """For each fold, the option with the best mean nDCG@10 on the other folds (ties broken by the
    further metrics of `key`, rounded to 6 decimals); returns the run assembled from each query's
    held-out option and the options chosen."""
    shuffled = list(queries)
    random.Random(17).shuffle(shuffled)
    fold_of = {q: i % folds for i, q in enumerate(shuffled)}
    chosen = []
    assignment: dict[str, list[str]] = {}
    for f in range(folds):
        train = [q for q in queries if fold_of[q] != f]
        best = max(options, key=lambda o: tuple(round(score_of(o, train)[m], 6) for m in key))
        chosen.append(best)
        for q in queries:
            if fold_of[q] == f:
                assignment[q] = [best]
    return assignment, chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--grid", action="store_true", help="also cross-validate the fusion weights")
    parser.add_argument("--skip", default="", help="comma-separated: second,prf,degree")
    parser.add_argument(
        "--field-prior",
        action="store_true",
        help="also the field prior predicted from the need's text (kNN vote)",
    )
    parser.add_argument(
        "--ranking2",
        default="",
        help="second-round families (comma-separated, or all): fusion,guard,depth,bm25,strip,stop,"
        "views,combo,ship,engine,sentences,rm3, page (the 匹配度-sorted page after the round)",
    )
    parser.add_argument(
        "--engine-before",
        action="store_true",
        help="only score the engine as it was before the second round (market eval's numbers then)",
    )
    args = parser.parse_args()
    if args.engine_before:
        engine_before(args.datasets)
        return
    model = load_encoder()
    print("| set | variant | method | " + " | ".join(METRICS) + " |")
    print("|---|---|---|" + "---|" * len(METRICS))
    for path in args.datasets:
        run_set(path, model, args)


def engine_before(paths: Sequence[Path]) -> None:
    """`market eval`'s bm25 and hybrid with the fusion and BM25 query terms of before the second
    round: the same embedded index and cached vectors, `BEFORE` and `terms_before`."""
    import indexer.evaluate as evaluation

    evaluation.query_terms = terms_before  # the only place evaluate_dataset reads query terms
    print("| set | method (engine before) | " + " | ".join(METRICS) + " |")
    print("|---|---|" + "---|" * len(METRICS))
    for path in paths:
        result = evaluation.evaluate_dataset(path, methods=["bm25", "hybrid"], fusion=BEFORE)
        for method, scores in result["methods"].items():
            cells = " | ".join(f"{scores[m]:.4f}" for m in METRICS)
            print(f"| {path.name} | {method} | {cells} |", flush=True)


def run_set(path: Path, model, args) -> None:
    dataset = load_dataset(path, strip=False)
    encoder = cached_encoder_for(dataset, model)
    corpus = load_corpus(dataset, encoder)
    qids = [q for q, _ in dataset.queries]
    texts = {q: query.text for q, query in dataset.queries}
    fields = {q: (query.boosts.get("field") or ("",))[0] for q, query in dataset.queries}
    regions = {q: (query.boosts.get("region") or ("",))[0] for q, query in dataset.queries}
    stripped = {q: strip_boilerplate(t) for q, t in texts.items()}
    vec = dict(zip(qids, encoder.encode_queries([texts[q] for q in qids]), strict=True))
    vec_s = dict(zip(qids, encoder.encode_queries([stripped[q] for q in qids]), strict=True))
    encoder.save()
    qrels = {q: dataset.qrels[q] for q in qids}
    base = {q: evidence(corpus, terms_before(texts[q]), vec[q], fields[q], regions[q]) for q in qids}
    strip = {q: evidence(corpus, terms_before(stripped[q]), vec_s[q], fields[q], regions[q]) for q in qids}

    def show(variant: str, method: str, run: dict[str, list[str]]) -> dict[str, float]:
        scores = score_run(run, qrels)
        cells = " | ".join(f"{scores[m]:.4f}" for m in METRICS)
        print(f"| {path.name} | {variant} | {method} | {cells} |", flush=True)
        return scores

    methods = {
        "bm25": FusionConfig(method="bm25"),
        "dense": FusionConfig(method="dense"),
        "hybrid": BEFORE,
    }
    for variant, evs in (("today", base), ("boilerplate stripped", strip)):
        for method, config in methods.items():
            show(variant, method, {q: rank(evs[q], corpus, config)[0] for q in qids})
        show(variant, "hybrid+boosts", {q: rank(evs[q], corpus, BEFORE, boost=0.05)[0] for q in qids})
    skip = set(args.skip.split(","))
    for lam in () if "second" in skip else (0.25, 0.5):
        for variant, evs in (("today", base), ("boilerplate stripped", strip)):
            for method in ("dense", "hybrid"):
                run = {q: rank(evs[q], corpus, methods[method], second_weight=lam)[0] for q in qids}
                show(f"{variant} + second passage {lam}", method, run)
    for m, beta in () if "prf" in skip else ((3, 0.3), (5, 0.5), (3, 0.7)):
        for variant, evs, vectors, _txt in (
            ("today", base, vec, texts),
            ("boilerplate stripped", strip, vec_s, stripped),
        ):
            prf = {}
            for q in qids:
                _, top = rank(evs[q], corpus, BEFORE)
                moved = rocchio(corpus, vectors[q], top, m, beta)
                ev = evs[q]
                doc, best, second = corpus.dense(moved)
                prf[q] = Evidence(ev.bm25, doc, best, second, ev.field, ev.region)
            for method in ("dense", "hybrid"):
                show(
                    f"{variant} + dense PRF m={m} b={beta}",
                    method,
                    {q: rank(prf[q], corpus, methods[method])[0] for q in qids},
                )
    if "degree" not in skip:
        degree_rerank(
            path,
            dataset,
            corpus,
            qids,
            qrels,
            texts,
            {"today": base, "boilerplate stripped": strip},
            args.folds,
            show,
        )
    if args.grid:
        grid_cv(path, corpus, qids, qrels, {"today": base, "boilerplate stripped": strip}, args.folds, show)
    if args.field_prior:
        field_prior(corpus, qids, qrels, base, vec, fields, args.folds, show)
    if "page" in set(args.ranking2.split(",")):
        # The match page after the second round: the engine's fusion and BM25 query, sorted by 匹配度.
        after = {
            q: Evidence(corpus.bm25(query_terms(texts[q])), ev.doc, ev.best, ev.second, ev.field, ev.region)
            for q, ev in base.items()
        }
        degree_rerank(
            path,
            dataset,
            corpus,
            qids,
            qrels,
            texts,
            {"after": after},
            args.folds,
            show,
            FusionConfig(),
            query_terms,
        )
    if args.ranking2:
        only = set(args.ranking2.split(","))
        if "all" in only:
            only = {
                "fusion",
                "guard",
                "depth",
                "bm25",
                "strip",
                "stop",
                "views",
                "combo",
                "ship",
                "sentences",
                "rm3",
            }
        titles = {q: row.get("title", "") for q, row in _query_rows(path).items()}
        ranking_two(corpus, encoder, qids, qrels, texts, base, strip, args.folds, show, only, titles)


def degree_rerank(
    path, dataset, corpus, qids, qrels, texts, variants, folds, show, config=BEFORE, terms_of=terms_before
) -> None:
    """Item 3: sort the page by 匹配度 (ties by the fused score) instead of by the fused score alone.
    Shipped weights (fitted on market-dev itself, so optimistic there) and weights refitted by
    k-fold over needs (each need's page sorted by a model that never saw it)."""
    from indexer import calibration
    from indexer.analysis import display_terms
    from indexer.stopwords import stop_list

    doc_texts = [f"{d.title} {d.text} " + " ".join(p.text for p in d.passages) for d in dataset.documents]
    stop = stop_list(doc_texts + list(texts.values()))
    term_sets = [set(doc_terms) for doc_terms in _doc_term_sets(corpus)]
    shuffled = list(qids)
    random.Random(17).shuffle(shuffled)
    fold_of = {q: i % folds for i, q in enumerate(shuffled)}
    for variant, evs in variants.items():
        pages = {}
        for q in qids:
            ids, rows = rank(evs[q], corpus, config, boost=0.05)
            ev = evs[q]
            need = calibration.need_terms(texts[q], stop)
            q_terms = terms_of(texts[q])
            feats = []
            for r in rows:
                matched = display_terms([t for t in q_terms if t in term_sets[r]])
                passage = ev.best[r] if not np.isnan(ev.best[r]) else ev.doc[r]
                cover = calibration.coverage(need, [t for t in matched if t not in stop and len(t) > 1])
                feats.append(
                    (
                        float(ev.doc[r]),
                        float(passage),
                        cover,
                        1.0 if ev.field and ev.field in corpus.fields[r] else 0.0,
                        1.0 if ev.region and ev.region in corpus.regions[r] else 0.0,
                    )
                )
            pages[q] = (ids, np.array(feats))
        show(f"{variant} (page order: fused + boosts)", "hybrid+boosts", {q: pages[q][0] for q in qids})
        shipped = {}
        for q in qids:
            ids, x = pages[q]
            degree = [calibration.degree_from_features(tuple(row[:4])) for row in x]
            order = sorted(range(len(ids)), key=lambda i: (-degree[i], i))
            shipped[q] = [ids[i] for i in order]
        _calibration_check(variant, pages, qids, qrels)
        show(
            f"{variant} sorted by 匹配度, shipped weights (in-sample on market-dev)", "hybrid+boosts", shipped
        )
        for label, cols in (("shipped features", [0, 1, 2, 3]), ("+ same region", [0, 1, 2, 3, 4])):
            refit = _refit_pages(pages, qids, qrels, fold_of, folds, cols)
            show(f"{variant} sorted by 匹配度, {label} refitted by {folds}-fold CV", "hybrid+boosts", refit)


def _calibration_check(variant, pages, qids, qrels) -> None:
    """Log loss and bucket table of the shipped 匹配度 weights on this variant's pages (the weights
    were fitted on queries as written: stripping must not shift what a degree means)."""
    from benchmarks.fit_match_degree import log_loss, table
    from indexer import calibration

    x = np.concatenate([pages[q][1][:, :4] for q in qids])
    grades = np.array([qrels[q].get(i, 0) for q in qids for i in pages[q][0]])
    y = (grades > 0).astype(float)
    degree = np.array([calibration.degree_from_features(tuple(row)) for row in x])
    print(f"<!-- {variant}: shipped 匹配度 log loss {log_loss(degree / 100, y):.4f} on {len(y)} pairs -->")
    for line in table(degree, y, grades):
        print(f"<!-- {line} -->")


def _refit_pages(pages, qids, qrels, fold_of, folds, cols):
    """Each need's page sorted by the 匹配度 of a logistic fit on the other folds' pages."""
    from benchmarks.fit_match_degree import fit_logistic

    refit = {}
    for f in range(folds):
        train = [q for q in qids if fold_of[q] != f]
        x = np.concatenate([pages[q][1][:, cols] for q in train])
        y = np.array([1.0 if qrels[q].get(i, 0) > 0 else 0.0 for q in train for i in pages[q][0]])
        w = fit_logistic(x, y)
        for q in qids:
            if fold_of[q] == f:
                ids, xq = pages[q]
                z = w[0] + xq[:, cols] @ w[1:]
                degree = np.round(100 / (1 + np.exp(-np.clip(z, -50, 50))))
                order = sorted(range(len(ids)), key=lambda i: (-degree[i], i))
                refit[q] = [ids[i] for i in order]
    return refit


def _doc_term_sets(corpus: Corpus) -> list[set[str]]:
    sets: list[set[str]] = [set() for _ in corpus.ids]
    for term, (docs, _) in corpus.postings.items():
        for d in docs:
            sets[int(d)].add(term)
    return sets


def grid_cv(path, corpus, qids, qrels, variants, folds, show) -> None:
    options = {
        f"w={w} pw={pw}": FusionConfig(dense_weight=w, passage_weight=pw)
        for w in (0.4, 0.5, 0.6, 0.7, 0.8)
        for pw in (0.3, 0.5, 0.7)
    }
    for variant, evs in variants.items():
        runs = {name: {q: rank(evs[q], corpus, config)[0] for q in qids} for name, config in options.items()}

        def score_of(option: str, queries: list[str], runs=runs) -> dict[str, float]:
            return score_run({q: runs[option][q] for q in queries}, {q: qrels[q] for q in queries})

        assignment, chosen = cv_choice(qids, score_of, list(options), folds)
        run = {q: runs[assignment[q][0]][q] for q in qids}
        show(f"{variant} + fusion weights by {folds}-fold CV ({', '.join(chosen)})", "hybrid", run)
        best_in_sample = max(options, key=lambda o: score_of(o, qids)["ndcg@10"])
        show(
            f"{variant} + best weights in sample ({best_in_sample}), optimistic",
            "hybrid",
            runs[best_in_sample],
        )


PRIOR_WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


def predicted_fields(corpus: Corpus, vector: np.ndarray) -> list:
    """The assistant's field vote (`market.assistant.fields`, its K and temperature) over the
    corpus' labelled documents, as if the need declared no field."""
    from market.assistant.fields import Neighbour, vote

    cos = corpus.doc_vec @ vector
    return vote(
        Neighbour(tuple(corpus.fields[r]), float(cos[r])) for r in range(len(corpus.ids)) if corpus.fields[r]
    )


def prior_vector(corpus: Corpus, shares, suggestion_only: bool) -> np.ndarray:
    """Per document: the predicted probability that its field is the need's (sum of the shares of
    its fields); with `suggestion_only`, 1 for the suggested field alone (the assistant's cut-off)."""
    from market.assistant.fields import suggestion

    if suggestion_only:
        top = suggestion(shares)
        share = {top.code: 1.0} if top else {}
    else:
        share = {s.code: s.share for s in shares}
    return np.array([min(1.0, sum(share.get(f, 0.0) for f in fs)) for fs in corpus.fields], np.float32)


def rank_with_prior(
    ev: Evidence,
    corpus: Corpus,
    prior: np.ndarray,
    weight: float,
    within: int | None,
    offset: float | np.ndarray = 0.0,
) -> list[str]:
    """Hybrid (default fusion) plus `weight · prior`; with `within`, the prior only reorders the
    hybrid's top `within` (the rest of the list cannot move in)."""
    rows = candidates(ev)
    config = BEFORE
    fused = fuse(ev.bm25[rows], combine_dense(ev.doc[rows], ev.best[rows], config), config).score
    if within:
        keep = np.argsort(-fused, kind="stable")[:within]
        rows, fused = rows[keep], fused[keep]
    extra = offset[rows] if isinstance(offset, np.ndarray) else offset
    order = np.argsort(-(fused + extra + weight * prior[rows]), kind="stable")[:DEPTH]
    return [corpus.ids[r] for r in rows[order]]


def field_prior(corpus, qids, qrels, evs, vectors, declared, folds, show) -> None:
    """Issue 17 item 1: a soft boost for documents in the field predicted from the need's text,
    the weight chosen by k-fold CV over needs (seed 17, as `cv_choice`). Sets without field
    metadata get an all-zero prior (the ranking is unchanged by construction)."""
    shares = {q: predicted_fields(corpus, vectors[q]) for q in qids}
    if not any(corpus.fields):
        # No labelled document: every prior is zero and every weight ranks as today.
        run = {
            q: rank_with_prior(evs[q], corpus, np.zeros(len(corpus.ids), np.float32), 0.3, None) for q in qids
        }
        show("field prior (no field metadata: all-zero prior, any weight)", "hybrid", run)
        return
    if any(declared.values()):
        hits = sum(1 for q in qids if shares[q] and shares[q][0].code == declared[q])
        print(f"<!-- field vote top-1 = declared field: {hits}/{len(qids)} needs -->")
    priors = {
        "shares": {q: prior_vector(corpus, shares[q], False) for q in qids},
        "suggestion": {q: prior_vector(corpus, shares[q], True) for q in qids},
        "declared (oracle)": {
            q: np.array([declared[q] in fs for fs in corpus.fields], np.float32)
            if declared[q]
            else np.zeros(len(corpus.ids), np.float32)
            for q in qids
        },
    }
    show(
        "field prior: none (before)",
        "hybrid",
        {q: rank_with_prior(evs[q], corpus, priors["shares"][q], 0.0, None) for q in qids},
    )
    # The app's case: every need declares its field (required), boosted by the default 0.05; does the
    # predicted prior add anything on top of it?
    declared_boost = {q: 0.05 * priors["declared (oracle)"][q] for q in qids}
    cases = [(kind, prior, None) for kind, prior in priors.items()]
    cases += [
        (f"{kind} on top of the declared field's 0.05", priors[kind], declared_boost)
        for kind in ("shares", "suggestion")
    ]
    for kind, prior, offsets in cases:
        for within in (None, DEPTH):
            runs = {
                str(w): {
                    q: rank_with_prior(evs[q], corpus, prior[q], w, within, offsets[q] if offsets else 0.0)
                    for q in qids
                }
                for w in PRIOR_WEIGHTS
            }

            def score_of(option: str, queries: list[str], runs=runs) -> dict[str, float]:
                return score_run({q: runs[option][q] for q in queries}, {q: qrels[q] for q in queries})

            assignment, chosen = cv_choice(qids, score_of, list(runs), folds)
            where = "whole candidate set" if within is None else f"reorders hybrid top {within}"
            cv_run = {q: runs[assignment[q][0]][q] for q in qids}
            show(
                f"field prior {kind}, {where}, weight by {folds}-fold CV ({', '.join(chosen)})",
                "hybrid",
                cv_run,
            )
            print(
                f"<!-- {kind}, {where}: per need against weight 0: {_paired(cv_run, runs['0.0'], qrels)} -->"
            )
            for w in ("0.05", "0.1"):
                show(f"field prior {kind}, {where}, fixed weight {w}", "hybrid", runs[w])


def _paired(run: dict[str, list[str]], reference: dict[str, list[str]], qrels) -> str:
    """How many needs the run ranks better / worse / the same as the reference (nDCG@10)."""
    better = worse = 0
    for q in run:
        a = score_run({q: run[q]}, {q: qrels[q]})["ndcg@10"]
        b = score_run({q: reference[q]}, {q: qrels[q]})["ndcg@10"]
        better += a > b + 1e-9
        worse += a < b - 1e-9
    return f"{better} better, {worse} worse, {len(run) - better - worse} equal (nDCG@10)"


# -- Ranking II, second round: fusion form, BM25 parameters, query-side changes, lexical PRF ------

GUARDS = (0, 10, 20, 30, 40)
_SENTENCE = re.compile(r"[。！？；;!?\n]+")


def _query_rows(path: Path) -> dict[str, dict]:
    import json

    with (path / "queries.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {str(row["_id"]): row for row in rows}


def rank_arrays(
    bm25_all: np.ndarray,
    dense_all: np.ndarray,
    corpus: Corpus,
    config: FusionConfig,
    pool: int = 100,
    norm: str = "minmax",
    guard: int = 0,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Hybrid over the index's candidate set (top `pool` of BM25 and of the combined dense score),
    fused with `norm`: "minmax"/"max"/"rrf" are `indexer.fusion`; "zscore" standardises each
    retriever over the candidates. `guard`: dense's top `guard` candidates are kept inside the top
    `DEPTH` (each at its fused position; the fused tail makes room). Returns ids, rows, scores."""
    positive = np.flatnonzero(bm25_all > 0)
    lexical_rows = positive[np.argsort(-bm25_all[positive], kind="stable")[:pool]]
    dense_rows = np.argsort(-dense_all, kind="stable")[:pool]
    rows = np.unique(np.concatenate([lexical_rows, dense_rows]))
    lexical, dense = bm25_all[rows], dense_all[rows]
    if norm == "zscore":
        fused = config.dense_weight * _z(dense) + (1 - config.dense_weight) * _z(lexical)
    elif norm == "rrf":
        fused = fuse(lexical, dense, replace(config, method="rrf")).score
    else:
        fused = fuse(lexical, dense, replace(config, normalisation=norm)).score
    if guard:
        fused = guard_dense(fused, dense, guard, DEPTH)  # the engine's guard (indexer.fusion)
    order = np.argsort(-fused, kind="stable")
    order = order[:DEPTH]
    return [corpus.ids[r] for r in rows[order]], rows[order], fused[order]


def _z(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.float64)
    spread = values.std()
    return ((values - values.mean()) / spread if spread > 1e-12 else values * 0).astype(np.float32)


def dense_of(ev: Evidence, config: FusionConfig) -> np.ndarray:
    return combine_dense(ev.doc, ev.best, config)


def need_pieces(text: str) -> list[str]:
    """The need's sentences (title and text split at 。！？；), those with four characters or more."""
    return [p.strip() for p in _SENTENCE.split(text) if len(p.strip()) >= 4]


def rm3_weights(
    corpus: Corpus,
    doc_terms: list[Counter],
    terms: Sequence[str],
    rows: np.ndarray,
    scores: np.ndarray,
    n_terms: int,
    alpha: float,
    idf_weighted: bool,
) -> dict[str, float]:
    """RM3: the query's terms (weight 1) plus the top `n_terms` of the relevance model
    P(t|R) = sum_d P(d) tf(t,d)/|d| over the feedback documents (P(d) from their fused scores),
    scaled to a largest weight of `alpha`; with `idf_weighted`, terms are chosen and weighted by
    P(t|R)·idf (common words of the feedback documents do not take over)."""
    prior = np.maximum(scores.astype(np.float64), 0) + 1e-9
    prior /= prior.sum()
    model: Counter[str] = Counter()
    for r, p in zip(rows.tolist(), prior.tolist(), strict=True):
        length = max(1.0, float(corpus.doc_len[r]))
        for term, tf in doc_terms[r].items():
            model[term] += p * tf / length
    n = len(corpus.ids)
    if idf_weighted:
        for term in model:
            df = len(corpus.postings[term][0])
            model[term] *= math.log(1.0 + (n - df + 0.5) / (df + 0.5))
    weights = dict.fromkeys(terms, 1.0)
    top = model.most_common(n_terms)
    if top:
        peak = top[0][1]
        for term, value in top:
            weights[term] = weights.get(term, 0.0) + alpha * value / peak
    return weights


def _doc_counters(corpus: Corpus) -> list[Counter]:
    counters: list[Counter] = [Counter() for _ in corpus.ids]
    for term, (docs, tf) in corpus.postings.items():
        for d, t in zip(docs.tolist(), tf.tolist(), strict=True):
            counters[d][term] = t
    return counters


def ranking_two(
    corpus, encoder, qids, qrels, texts, base, strip, folds, show, only: set[str], titles: dict[str, str]
) -> None:
    """Each family's options are chosen by k-fold CV over queries (best mean nDCG@10 on the
    training folds, seed 17); the held-out folds are joined and scored. Families: fusion form,
    dense guard, candidate depth, BM25 k1/b, BM25 on the boilerplate-stripped need (dense on the
    need as written), multi-sentence query vectors, RM3 lexical PRF."""
    config = BEFORE
    dense_base = {q: dense_of(base[q], config) for q in qids}
    today = {q: rank_arrays(base[q].bm25, dense_base[q], corpus, config) for q in qids}
    reference = {q: today[q][0] for q in qids}
    show("R2 today (rank_arrays)", "hybrid", reference)

    def family(name: str, runs: dict[str, dict[str, list[str]]], key: tuple[str, ...] = ("ndcg@10",)) -> None:
        def score_of(option: str, queries: list[str]) -> dict[str, float]:
            return score_run({q: runs[option][q] for q in queries}, {q: qrels[q] for q in queries})

        assignment, chosen = cv_choice(qids, score_of, list(runs), folds, key)
        cv_run = {q: runs[assignment[q][0]][q] for q in qids}
        show(f"R2 {name}, {folds}-fold CV ({'; '.join(chosen)})", "hybrid", cv_run)
        print(f"<!-- R2 {name}: per need vs today: {_paired(cv_run, reference, qrels)} -->", flush=True)
        best = max(runs, key=lambda o: score_of(o, qids)["ndcg@10"])
        show(f"R2 {name}, best in sample ({best}), optimistic", "hybrid", runs[best])

    if "engine" in only:
        # The engine's defaults as shipped: `query_terms` (no curated boilerplate) and FusionConfig().
        engine = FusionConfig()
        lex = {q: corpus.bm25(query_terms(texts[q])) for q in qids}
        for method, c in (("bm25", engine.with_method("bm25")), ("hybrid", engine)):
            norm = c.normalisation if c.method == "convex" else "minmax"  # bm25: fuse passes it through
            run = {
                q: rank_arrays(lex[q], dense_base[q], corpus, c, norm=norm, guard=c.dense_guard)[0]
                for q in qids
            }
            show("R2 engine defaults after the second round", method, run)
        print(f"<!-- R2 engine: per need vs before: {_paired(run, reference, qrels)} -->", flush=True)
        # The match page's candidates: the same with the 0.05 field and region boosts.
        for label, c, terms_of in (("before", BEFORE, terms_before), ("after", engine, query_terms)):
            boosted = {}
            for q in qids:
                ev = base[q]
                ev = Evidence(
                    corpus.bm25(terms_of(texts[q])), ev.doc, ev.best, ev.second, ev.field, ev.region
                )
                boosted[q] = rank(ev, corpus, c, boost=0.05)[0]
            show(
                f"R2 engine {label}, + field/region boosts (the match page's top 50)",
                "hybrid+boosts",
                boosted,
            )
    if "fusion" in only:
        runs = {}
        for norm in ("minmax", "max", "zscore"):
            for w in (0.5, 0.6, 0.7):
                c = replace(config, dense_weight=w)
                runs[f"{norm} w={w}"] = {
                    q: rank_arrays(base[q].bm25, dense_base[q], corpus, c, norm=norm)[0] for q in qids
                }
        for k in (10, 30, 60):
            c = replace(config, rrf_k=k)
            runs[f"rrf k={k}"] = {
                q: rank_arrays(base[q].bm25, dense_base[q], corpus, c, norm="rrf")[0] for q in qids
            }
        for name, run in runs.items():
            if name in ("zscore w=0.6", "rrf k=60", "max w=0.6"):
                show(f"R2 fusion {name} (fixed)", "hybrid", run)
        family("fusion form", runs)
    if "guard" in only:
        runs = {
            f"guard {g}": {
                q: rank_arrays(base[q].bm25, dense_base[q], corpus, config, guard=g)[0] for q in qids
            }
            for g in GUARDS
        }
        for g in GUARDS[1:]:
            show(f"R2 dense guard {g} (fixed)", "hybrid", runs[f"guard {g}"])
        family("dense guard", runs, key=("ndcg@10", "recall@50"))
    if "depth" in only:
        runs = {
            f"pool {p}": {
                q: rank_arrays(base[q].bm25, dense_base[q], corpus, config, pool=p)[0] for q in qids
            }
            for p in (50, 100, 200, 400)
        }
        for p in (50, 200, 400):
            show(f"R2 candidate depth {p} (fixed)", "hybrid", runs[f"pool {p}"])
        family("candidate depth", runs)
    if "bm25" in only:
        terms = {q: terms_before(texts[q]) for q in qids}
        runs, bm_runs = {}, {}
        for k1 in (0.6, 0.9, 1.2, 1.6, 2.0):
            for b in (0.3, 0.5, 0.75, 0.9):
                lex = {q: corpus.bm25(terms[q], k1, b) for q in qids}
                runs[f"k1={k1} b={b}"] = {
                    q: rank_arrays(lex[q], dense_base[q], corpus, config)[0] for q in qids
                }
                bm_runs[f"k1={k1} b={b}"] = {
                    q: rank_arrays(lex[q], dense_base[q], corpus, config.with_method("bm25"))[0] for q in qids
                }
        family("BM25 k1/b", runs)
        show(
            "R2 BM25 k1/b (bm25 alone, best in sample)",
            "bm25",
            bm_runs[max(bm_runs, key=lambda o: score_run(bm_runs[o], qrels)["ndcg@10"])],
        )
    if "strip" in only:
        run = {q: rank_arrays(strip[q].bm25, dense_base[q], corpus, config)[0] for q in qids}
        show("R2 BM25 on the stripped need, dense on the need as written", "hybrid", run)
        print(f"<!-- R2 strip-bm25: per need vs today: {_paired(run, reference, qrels)} -->", flush=True)
        for g in (20, 30):
            run_g = {q: rank_arrays(strip[q].bm25, dense_base[q], corpus, config, guard=g)[0] for q in qids}
            show(f"R2 BM25 stripped + dense guard {g}", "hybrid", run_g)
    if "stop" in only:
        from indexer.stopwords import CURATED

        stripped = {q: strip_boilerplate(texts[q]) for q in qids}
        variants = {
            "minus curated stop words": {
                q: [t for t in terms_before(texts[q]) if t not in CURATED] for q in qids
            },
            "stripped, minus curated": {
                q: [t for t in terms_before(stripped[q]) if t not in CURATED] for q in qids
            },
            "minus single characters": {q: [t for t in terms_before(texts[q]) if len(t) > 1] for q in qids},
            "minus curated and single characters": {
                q: [t for t in terms_before(texts[q]) if len(t) > 1 and t not in CURATED] for q in qids
            },
        }
        for name, terms in variants.items():
            lex = {q: corpus.bm25(terms[q]) if terms[q] else base[q].bm25 for q in qids}
            for method in ("bm25", "hybrid"):
                c = config.with_method("bm25") if method == "bm25" else config
                run = {q: rank_arrays(lex[q], dense_base[q], corpus, c)[0] for q in qids}
                show(f"R2 BM25 query {name} (dense as written)", method, run)
            print(f"<!-- R2 {name}: per need vs today: {_paired(run, reference, qrels)} -->", flush=True)
            for g in (20, 30):
                run_g = {q: rank_arrays(lex[q], dense_base[q], corpus, config, guard=g)[0] for q in qids}
                show(f"R2 BM25 query {name} + dense guard {g}", "hybrid", run_g)
    if "views" in only:
        # Other views of the need for the dense side: encoded as a passage (symmetric long text) and
        # its title alone, mixed into the need's own vector (one query vector either way).
        as_passage = dict(zip(qids, encoder.encode_passages([texts[q] for q in qids]), strict=True))
        whole = dict(zip(qids, encoder.encode_queries([texts[q] for q in qids]), strict=True))
        title_vec = {}
        titled = [q for q in qids if titles.get(q)]
        if titled:
            title_vec = dict(zip(titled, encoder.encode_queries([titles[q] for q in titled]), strict=True))
        encoder.save()
        runs = {"none": reference}
        for view, extra in (("passage", as_passage), ("title", title_vec)):
            for lam in (0.25, 0.5, 1.0, 100.0):
                run = {}
                for q in qids:
                    ev = base[q]
                    if q in extra:
                        moved = whole[q] + lam * extra[q]
                        moved = (moved / np.linalg.norm(moved)).astype(np.float32)
                        ev = Evidence(ev.bm25, *corpus.dense(moved), "")
                    run[q] = rank_arrays(ev.bm25, dense_of(ev, config), corpus, config)[0]
                runs[f"{view} lam={lam}"] = run
                show(f"R2 need vector + {lam} x {view} vector (fixed)", "hybrid", run)
        family("need views", runs)
    if "combo" in only:
        term_sets = _query_term_sets(texts, qids)
        runs = {}
        for tname, terms in term_sets.items():
            for k1 in (0.9, 1.2):
                lex = {q: corpus.bm25(terms[q], k1) for q in qids}
                for norm, w in (("minmax", 0.6), ("minmax", 0.7), ("zscore", 0.6), ("zscore", 0.7)):
                    c = replace(config, dense_weight=w)
                    runs[f"{tname} k1={k1} {norm} w={w}"] = {
                        q: rank_arrays(lex[q], dense_base[q], corpus, c, norm=norm)[0] for q in qids
                    }
        for name in ("minus curated k1=1.2 zscore w=0.7", "minus curated k1=0.9 minmax w=0.6"):
            show(f"R2 combo {name} (fixed)", "hybrid", runs[name])
        family("combo terms x k1 x fusion", runs)
    if "ship" in only:
        # What the engine can change without the backend: the BM25 query's terms (analysis), the
        # normalisation and weight (fusion) and the dense guard (fusion). One grid, chosen per fold
        # by nDCG@10 on the training folds and, among equals (the guard never moves the top 10),
        # by Recall@50.
        term_sets = _query_term_sets(texts, qids)
        runs = {}
        for tname, terms in term_sets.items():
            lex = {q: corpus.bm25(terms[q]) for q in qids}
            for norm, w in (
                ("minmax", 0.6),
                ("minmax", 0.7),
                ("zscore", 0.6),
                ("zscore", 0.7),
                ("zscore", 0.8),
            ):
                c = replace(config, dense_weight=w)
                for g in (0, 20, 30, 40):
                    runs[f"{tname} {norm} w={w} guard={g}"] = {
                        q: rank_arrays(lex[q], dense_base[q], corpus, c, norm=norm, guard=g)[0] for q in qids
                    }
        for name in (
            "minus curated zscore w=0.7 guard=0",
            "minus curated zscore w=0.7 guard=40",
            "all terms zscore w=0.7 guard=40",
            "all terms minmax w=0.6 guard=40",
        ):
            show(f"R2 ship {name} (fixed)", "hybrid", runs[name])
            print(f"<!-- R2 ship {name}: per need vs today: {_paired(runs[name], reference, qrels)} -->")
        family("ship: terms x normalisation x weight x guard", runs, key=("ndcg@10", "recall@50"))
    if "sentences" in only:
        pieces = {q: need_pieces(texts[q]) for q in qids}
        flat = sorted({p for q in qids for p in pieces[q]})
        vectors = dict(zip(flat, encoder.encode_queries(flat), strict=True)) if flat else {}
        encoder.save()
        several = sum(len(pieces[q]) > 1 for q in qids)
        print(f"<!-- R2 sentences: {several}/{len(qids)} queries have 2+ sentences -->")
        per_piece = {}
        for q in qids:
            if len(pieces[q]) > 1:
                per_piece[q] = np.stack(
                    [
                        dense_of(Evidence(base[q].bm25, *corpus.dense(vectors[p]), ""), config)
                        for p in pieces[q]
                    ]
                )
        runs = {"none": reference}
        for agg in ("max", "mean"):
            for lam in (0.25, 0.5, 1.0, 2.0):
                run = {}
                for q in qids:
                    dense = dense_base[q]
                    if q in per_piece:
                        extra = per_piece[q].max(axis=0) if agg == "max" else per_piece[q].mean(axis=0)
                        dense = (dense + lam * extra) / (1 + lam)
                    run[q] = rank_arrays(base[q].bm25, dense, corpus, config)[0]
                runs[f"{agg} lam={lam}"] = run
        # One vector (the engine could encode it as one query): the need plus the mean of its sentences.
        for lam in (0.5, 1.0, 2.0):
            run = {}
            for q in qids:
                ev = base[q]
                if q in per_piece:
                    mean = np.mean([vectors[p] for p in pieces[q]], axis=0)
                    moved = encoder.encode_queries([texts[q]])[0] + lam * mean
                    moved = (moved / np.linalg.norm(moved)).astype(np.float32)
                    ev = Evidence(ev.bm25, *corpus.dense(moved), "")
                run[q] = rank_arrays(ev.bm25, dense_of(ev, config), corpus, config)[0]
            runs[f"mean vector lam={lam}"] = run
        for name in ("max lam=0.5", "mean lam=0.5", "mean vector lam=1.0"):
            show(f"R2 sentences {name} (fixed)", "hybrid", runs[name])
        family("sentence vectors", runs)
    if "rm3" in only:
        doc_terms = _doc_counters(corpus)
        terms = {q: terms_before(texts[q]) for q in qids}
        bm_only = {
            q: rank_arrays(base[q].bm25, dense_base[q], corpus, config.with_method("bm25")) for q in qids
        }
        runs, bm_runs = {"none": reference}, {}
        for source in ("hybrid", "bm25"):
            feedback = today if source == "hybrid" else bm_only
            for k in (3, 10):
                for n_terms in (10, 25):
                    for idf in (False, True):
                        expanded = {
                            q: rm3_weights(
                                corpus,
                                doc_terms,
                                terms[q],
                                feedback[q][1][:k],
                                feedback[q][2][:k],
                                n_terms,
                                1.0,
                                idf,
                            )
                            for q in qids
                        }
                        for alpha in (0.1, 0.25, 0.5):
                            name = f"{source} k={k} n={n_terms} {'idf' if idf else 'p'} a={alpha}"
                            run, bm = {}, {}
                            for q in qids:
                                w = {
                                    t: (1.0 if t in terms[q] else 0.0)
                                    + alpha * (v - (1.0 if t in terms[q] else 0.0))
                                    for t, v in expanded[q].items()
                                }
                                lex = corpus.bm25(list(w), weights=w)
                                run[q] = rank_arrays(lex, dense_base[q], corpus, config)[0]
                                bm[q] = rank_arrays(lex, dense_base[q], corpus, config.with_method("bm25"))[0]
                            runs[name] = run
                            bm_runs[name] = bm
        for name in ("hybrid k=3 n=10 idf a=0.25", "hybrid k=10 n=25 p a=0.25", "bm25 k=3 n=10 idf a=0.25"):
            show(f"R2 RM3 {name} (fixed)", "hybrid", runs[name])
            show(f"R2 RM3 {name} (fixed)", "bm25", bm_runs[name])
        family("RM3 lexical PRF", runs)


if __name__ == "__main__":
    main()
