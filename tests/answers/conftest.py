"""Answer (科技答题) tests: the orders' cast around one approved need, with cheap password hashing."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from market.auth import services as auth
from tests.orders.world import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        auth, "hash_password", lambda password: generate_password_hash(password, "pbkdf2:sha256:1000")
    )


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)
