"""Property tests: cheap password hashing (they create many users and register many more)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.properties.strategies import recording_server_errors


@pytest.fixture(autouse=True)
def _server_errors() -> Iterator[None]:
    with recording_server_errors():
        yield
