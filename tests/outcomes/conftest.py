"""Needs that get solved or closed: the order-test cast (Jiangsu, 32) around one approved need."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.orders.world import World, build_world


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)
