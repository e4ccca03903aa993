"""Answer (科技答题) tests: the orders' cast around one approved need, with cheap password hashing."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.orders.world import World, build_world


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)
