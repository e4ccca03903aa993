"""Property tests: cheap password hashing (they create many users and register many more)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from werkzeug.security import generate_password_hash

from market.auth import services as auth
from tests.properties.strategies import recording_server_errors


@pytest.fixture(autouse=True)
def _server_errors() -> Iterator[None]:
    with recording_server_errors():
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        auth, "hash_password", lambda password: generate_password_hash(password, "pbkdf2:sha256:1000")
    )
