"""Mail tests: cheap password hashing, the order tests' cast of users, and helpers to read the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.orders.world import World, build_world


@pytest.fixture
def world(app: Flask, make: Any) -> World:
    return build_world(app, make)


@pytest.fixture
def mail_config(app: Flask) -> Iterator[dict[str, Any]]:
    """app.config for this test only: whatever a test sets in it is put back afterwards."""
    keys = ("SMTP_URL", "SMTP_TIMEOUT", "MAIL_SEND_ON_COMMIT", "MAIL_MAX_ATTEMPTS", "MAIL_RETRY_SECONDS")
    before = {key: app.config.get(key) for key in keys}
    yield app.config  # type: ignore[misc]
    from market.mail import sender

    sender.wait_for_background()
    app.config.update(before)
