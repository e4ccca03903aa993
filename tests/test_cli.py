"""The `market` command line on the test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from market.auth.models import User
from market.db import db
from market.matching import engine
from market.needs.models import Need
from market.providers.models import Provider


@pytest.fixture
def own_index(app: Flask, tmp_path: Path) -> Iterator[Path]:
    old = app.config["INDEX_DIR"]
    app.config["INDEX_DIR"] = str(tmp_path / "index")
    engine.forget_open_indexes()
    yield tmp_path / "index"
    engine.forget_open_indexes()
    app.config["INDEX_DIR"] = old


def test_init_db_is_idempotent_and_create_user_validates(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0
    ok = runner.invoke(
        args=[
            "create-user",
            "--email",
            "b@example.com",
            "--name",
            "周敏",
            "--role",
            "broker",
            "--regions",
            "32,33",
            "--password",
            "Broker-pass-1",
        ]
    )
    assert ok.exit_code == 0, ok.output
    weak = runner.invoke(
        args=["create-user", "--email", "c@example.com", "--name", "x", "--password", "short"]
    )
    assert weak.exit_code != 0
    assert "密码至少 10 位" in weak.output
    with app.app_context():
        broker = db.session.scalar(db.select(User).where(User.email == "b@example.com"))
        assert broker.region_codes == {"32", "33"}
        assert db.session.scalar(db.select(User).where(User.email == "c@example.com")) is None


def test_load_demo_only_into_an_empty_database(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load-demo", "--providers", "40", "--needs", "20"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Provider)) == 40
        assert db.session.scalar(db.select(db.func.count()).select_from(Need)) == 20
        admin = db.session.scalar(db.select(User).where(User.email == "admin@demo.kechuang.cn"))
        assert admin.role == "admin"
    again = runner.invoke(args=["load-demo", "--if-empty"])
    assert "not loaded" in again.output


def test_reindex_and_sync_follow_the_database(app: Flask, make, own_index: Path) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    keep = make.need(owner, status="approved")
    drop = make.need(owner, status="approved", title="第二个需求：焊缝气孔")
    make.need(owner, status="draft", title="草稿不进索引")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reindex", "--kind", "needs"])
    assert result.exit_code == 0, result.output
    assert "needs: 2 documents indexed" in result.output
    assert "needs: 2 query vectors encoded for match pages" in result.output
    again = runner.invoke(args=["reindex", "--kind", "needs", "--if-stale"]).output
    assert "up to date" in again and "needs: 0 query vectors encoded" in again
    with app.app_context():
        db.session.get(Need, drop).status = "withdrawn"
        db.session.commit()  # behind the index's back: INDEX_SYNC is off in tests
    synced = runner.invoke(args=["index", "sync"])
    assert "needs: 1 added or refreshed, 1 removed, 1 indexed" in synced.output, synced.output
    with app.app_context():
        assert engine.index_for(engine.NEEDS).ids() == {str(keep)}


def test_eval_prints_metrics_for_a_beir_set(app: Flask, tmp_path: Path) -> None:
    data = tmp_path / "tiny"
    data.mkdir()
    docs = [
        ("d1", "果蔬冷链运输保鲜与冷库温控"),
        ("d2", "动力电池低温自加热与热管理"),
        ("d3", "高强钢激光焊接变形控制"),
    ]
    queries = [("q1", "芒果运输途中腐烂"), ("q2", "电动车冬天续航下降")]
    (data / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": i, "title": "", "text": t}, ensure_ascii=False) for i, t in docs)
    )
    (data / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": i, "text": t}, ensure_ascii=False) for i, t in queries)
    )
    (data / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["eval", str(data), "--method", "all", "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["methods"]
    assert set(metrics) >= {"bm25", "dense", "hybrid"}
    assert metrics["dense"]["ndcg@10"] == pytest.approx(1.0)
    table = runner.invoke(args=["eval", str(data), "--method", "hybrid"]).output
    assert "ndcg@10" in table.lower()
    missing = runner.invoke(args=["eval", str(tmp_path)])
    assert missing.exit_code != 0
