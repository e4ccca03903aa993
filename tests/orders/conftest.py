"""Order tests: cheap password hashing and a ready-made cast of users around one approved need."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from market.auth import services as auth
from tests.orders.world import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests create many users; a cheap hash keeps them quick (hashing itself is tested elsewhere)."""
    monkeypatch.setattr(
        auth, "hash_password", lambda password: generate_password_hash(password, "pbkdf2:sha256:1000")
    )


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)
