from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.encoders import Encoder
from indexer.evaluate import (
    document_from_row,
    evaluate_dataset,
    format_report,
    mrr_at,
    ndcg_at,
    recall_at,
    score_run,
)


def test_metrics_on_a_hand_made_run() -> None:
    relevant = {"a": 1, "b": 1}
    ranked = ["x", "a", "y", "b"]
    expected_ndcg = (1 / np.log2(3) + 1 / np.log2(5)) / (1 + 1 / np.log2(3))
    assert ndcg_at(ranked, relevant, 10) == pytest.approx(expected_ndcg)
    assert recall_at(ranked, relevant, 2) == 0.5
    assert recall_at(ranked, relevant, 10) == 1.0
    assert mrr_at(ranked, relevant, 10) == 0.5
    assert mrr_at(["x"], relevant, 10) == 0.0
    graded = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b"], graded, 10) == pytest.approx(1.0)
    assert ndcg_at(["b", "a"], graded, 10) < 1.0


def test_score_run_averages_and_counts_missing_queries_as_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    metrics = score_run({"q1": ["a"]}, qrels)
    assert metrics == {"ndcg@10": 0.5, "recall@10": 0.5, "recall@50": 0.5, "mrr@10": 0.5}


def test_corpus_rows_become_documents_with_passages_and_filters() -> None:
    doc = document_from_row(
        {
            "_id": 7,
            "title": "张教授",
            "text": "高温合金",
            "achievements": ["叶片铸造：解决杂晶"],
            "field": "materials",
            "region": ["44", "32"],
            "year": 2020,
        }
    )
    assert doc.id == "7"
    assert doc.passages[0].key == "achievement:0" and doc.passages[0].label == "叶片铸造"
    assert doc.filters == {"field": ("materials",), "region": ("44", "32")}


def _write_dataset(root: Path) -> Path:
    corpus = [
        {"_id": "d1", "title": "电池", "text": "锂离子电池正极材料与循环寿命", "field": "energy"},
        {"_id": "d2", "title": "农业", "text": "温室大棚智能灌溉与水肥一体化", "field": "agri"},
        {
            "_id": "d3",
            "title": "环保",
            "text": "印染废水脱色与膜分离回用",
            "achievements": ["臭氧催化氧化工艺"],
        },
    ]
    queries = [
        {"_id": "q1", "text": "电动车电池衰减"},
        {"_id": "q2", "text": "大棚浇水施肥自动化", "field": "agri"},
        {"_id": "q3", "text": "印染废水颜色太深"},
    ]
    root.mkdir()
    (root / "corpus.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in corpus), encoding="utf-8"
    )
    (root / "queries.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in queries), encoding="utf-8"
    )
    (root / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n", encoding="utf-8"
    )
    return root


class CountingEncoder:
    def __init__(self, inner: Encoder) -> None:
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def encode_queries(self, texts):
        self.calls += len(texts)
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts):
        self.calls += len(texts)
        return self.inner.encode_passages(texts)


def test_evaluate_dataset_end_to_end_with_cache(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDEXER_CACHE_DIR", str(tmp_path / "cache"))
    dataset = _write_dataset(tmp_path / "tiny")
    counting = CountingEncoder(encoder)
    result = evaluate_dataset(dataset, methods="all", encoder=counting)
    assert set(result["methods"]) == {"bm25", "dense", "hybrid"}
    assert result["methods"]["dense"]["ndcg@10"] == pytest.approx(1.0)
    assert result["methods"]["hybrid"]["recall@10"] == pytest.approx(1.0)
    assert result["documents"] == 3 and result["passages"] == 1 and result["queries"] == 3
    assert counting.calls == 3 + 1 + 3  # documents, passage, queries
    again = evaluate_dataset(dataset, methods=("hybrid",), encoder=counting)
    assert counting.calls == 7, "second run must read vectors from the cache"
    assert again["methods"]["hybrid"]["ndcg@10"] == pytest.approx(result["methods"]["hybrid"]["ndcg@10"])
    report = format_report(result)
    assert "ndcg@10" in report and "hybrid" in report and "tiny" in report
