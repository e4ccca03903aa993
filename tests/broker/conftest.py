"""Broker workspace tests: the order-test cast (Jiangsu, 32) plus a second region (Beijing, 11)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.orders.world import World, build_world


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)
