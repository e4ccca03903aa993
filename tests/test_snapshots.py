"""The fixture snapshots of tests/snapshots.py: a restored world is the built one, row for row."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask

from tests import snapshots
from tests.conftest import wipe_database
from tests.orders.world import _world_through_services


def _rows(app: Flask) -> dict[str, list[dict[str, Any]]]:
    return {name: rows for name, rows in snapshots._read(app) if rows}


def test_a_restored_world_has_the_rows_and_ids_the_services_wrote(app: Flask, make: Any) -> None:
    name = f"world-{uuid.uuid4().hex}"  # not the shared key: this test builds its own
    built = snapshots.built_once(app, name, lambda: _world_through_services(app, make))
    written = _rows(app)
    assert {"users", "organisations", "providers", "needs"} <= set(written)
    wipe_database(app)
    assert _rows(app).keys() <= {snapshots._STAMPS}

    restored = snapshots.built_once(app, name, lambda: pytest.fail("built again instead of restored"))
    assert restored == built
    again = _rows(app)
    stamps = snapshots._STAMPS
    assert {k: v for k, v in again.items() if k != stamps} == {
        k: v for k, v in written.items() if k != stamps
    }
    # the list stamps are new tokens: no worker's cache of another test's rows can match them
    old_tokens = {row["token"] for row in written.get(stamps, [])}
    assert not old_tokens & {row["token"] for row in again.get(stamps, [])}


def test_building_or_restoring_over_other_rows_fails_loudly(app: Flask, make: Any) -> None:
    name = f"world-{uuid.uuid4().hex}"
    make.user("enterprise")
    with pytest.raises(AssertionError, match="already in"):
        snapshots.built_once(app, name, lambda: _world_through_services(app, make))
