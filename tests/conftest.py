"""Shared fixtures: an app on a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL).

The schema is built by the Alembic migrations themselves, so every run also tests them.
Each test starts from empty tables plus the seeded taxonomy.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import Phase, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The README's test command (and CI) run the same examples on every run: a property test that fails
# on one run and passes on the next blocks everyone's landing. Search at random locally with
# `pytest --hypothesis-profile=explore` (it also skips the pinned @example cases, so the random search
# runs even while a pinned bug is still open), and pin what it finds as an @example.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "explore", derandomize=False, database=None, phases=[Phase.generate, Phase.shrink, Phase.explain]
)
settings.load_profile("ci")

_TMP = Path(tempfile.mkdtemp(prefix="kechuang-tests-"))
os.environ.setdefault("KECHUANG_INSTANCE", str(_TMP / "instance"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url() -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{_TMP / f'test-{_worker()}.db'}"
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database or 'kechuang_test'}_{_worker()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    from market import create_app
    from market.cli import upgrade_database

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _database_url(),
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "10000 per minute",  # tests of the limits themselves lower them
            "LOGIN_ACCOUNT_LIMIT": "10000 per minute",
            "REGISTER_RATE_LIMIT": "10000 per minute",
            "API_TOKEN_RATE_LIMIT": "10000 per minute",
            "WTF_CSRF_ENABLED": False,
            "INDEX_DIR": str(_TMP / f"index-{_worker()}"),
            "INDEX_SYNC": False,
        }
    )
    with application.app_context():
        upgrade_database()
    yield application


def wipe_database(application: Flask) -> None:
    """Empty every table and seed the taxonomy again: the state each test starts from."""
    from market.db import db
    from market.reference.services import clear_caches, seed_reference_data

    with application.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        clear_caches()
        seed_reference_data()
        db.session.commit()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    # A module with SHARED_DATABASE = True reads one set of rows in all its tests and wipes it itself
    # when it is done (a module-scoped fixture), instead of building it again for every test.
    if "app" not in request.fixturenames or getattr(request.module, "SHARED_DATABASE", False):
        yield
        return
    application: Flask = request.getfixturevalue("app")
    yield
    wipe_database(application)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def synced(app: Flask, tmp_path: Path) -> Iterator[None]:
    """Index updates on every commit, into an index of this test's own."""
    from market.matching import engine

    old = dict(app.config)
    app.config.update(INDEX_SYNC=True, INDEX_DIR=str(tmp_path / "index"))
    engine.forget_open_indexes()
    yield
    engine.forget_open_indexes()
    app.config.update(INDEX_SYNC=old["INDEX_SYNC"], INDEX_DIR=old["INDEX_DIR"])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask):  # type: ignore[no-untyped-def]
    """Factories that write committed rows (see tests/factories.py)."""
    from tests import factories

    return factories.Factory(app)


ENGINE_INDEPENDENT_DIRS = ("indexer", "demo", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that never touch the database run once (on SQLite), not again on PostgreSQL.
    for item in items:
        parts = Path(str(item.fspath)).parts
        if any(part in ENGINE_INDEPENDENT_DIRS for part in parts[-3:-1]):
            item.add_marker(pytest.mark.engine_independent)
