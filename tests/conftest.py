"""Shared fixtures: an app on a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL).

The schema is built by the Alembic migrations themselves, so every run also tests them.
Each test starts from empty tables plus the seeded taxonomy.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import Phase, settings
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from tests.smtp import SmtpServer

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


@event.listens_for(Engine, "connect")
def _no_fsync_in_tests(dbapi_connection: object, _record: object) -> None:
    # A test database need not survive a power cut. Without an fsync at each of the thousands of
    # commits in a run, SQLite spends the run on the work instead of waiting for the disk (tests/orders
    # alone: 149 s -> 63 s on the shared 2-core machine). Locking, journalling, constraints and every
    # answer are unchanged; only durability against an operating-system crash is given up.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


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
        # The same for PostgreSQL: a commit does not wait for its WAL record to reach the disk. The
        # server still takes every lock and checks every constraint; only a server crash could lose
        # the last commits, and the database is dropped at the next run anyway.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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
            "SQLITE_SYNCHRONOUS": "off",  # as _no_fsync_in_tests; production refuses "off"
        }
    )
    with application.app_context():
        upgrade_database()
    yield application


# The taxonomy as read back right after it was last seeded, per database: a wipe leaves the two tables
# alone while they still hold exactly that, instead of deleting and inserting them again.
_SEEDED_TAXONOMY: dict[str, tuple[list[tuple[object, ...]], ...]] = {}
_TAXONOMY_TABLES = ("fields", "subfields", "regions")


@cache
def _wipe_queries() -> tuple[Any, tuple[Any, ...]]:
    """(the names of the tables holding rows, in one query; the full taxonomy tables, in key order)."""
    from sqlalchemy import exists, literal, select, union_all

    from market.db import db

    filled = union_all(
        *(select(literal(t.name)).where(exists().select_from(t)) for t in db.metadata.sorted_tables)
    )
    taxonomy = tuple(
        select(db.metadata.tables[name]).order_by(*db.metadata.tables[name].primary_key)
        for name in _TAXONOMY_TABLES
    )
    return filled, taxonomy


def wipe_database(application: Flask) -> None:
    """Empty every table and seed the taxonomy again: the state each test starts from.

    Two shortcuts reach the same state in less than half the time (a wipe follows each of about 1,300
    tests per engine): one query finds the tables that hold rows and only those are emptied, and the
    taxonomy (fields and regions, a few hundred rows) is deleted and seeded again only when it differs,
    in any column of any row, from what the last seeding left.
    """
    from market.db import db
    from market.reference.services import clear_caches, seed_reference_data

    filled_query, taxonomy_queries = _wipe_queries()

    def taxonomy() -> tuple[list[tuple[object, ...]], ...]:
        return tuple([tuple(row) for row in db.session.execute(query)] for query in taxonomy_queries)

    with application.app_context():
        db.session.rollback()
        key = db.engine.url.render_as_string(hide_password=False)
        keep_taxonomy = _SEEDED_TAXONOMY.get(key) == taxonomy()
        filled = set(db.session.scalars(filled_query))
        for table in reversed(db.metadata.sorted_tables):
            if table.name in filled and not (keep_taxonomy and table.name in _TAXONOMY_TABLES):
                db.session.execute(table.delete())
        db.session.commit()
        clear_caches()
        if not keep_taxonomy:
            seed_reference_data()
            db.session.commit()
            _SEEDED_TAXONOMY[key] = taxonomy()


# argon2id with the production cost is about 40 ms a hash on this machine, paid by every user a test
# creates and every login; the suite creates thousands. Tests get the same algorithm at its lowest
# cost (a hash made now verifies, and is not rehashed, at the same cost); the tests of hashing itself
# are marked `real_password_hashing`.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    from market.auth import passwords

    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(passwords, "HASHER", CHEAP_HASHER)


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


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd, tests/smtp.py) on a free loopback port; the app's SMTP_URL points at
    it for this test, so mail is sent right after the commit that queued it (or by
    market.mail.sender.send_pending()). Read what arrived with `smtp_server.wait_for(n)`."""
    from market.mail import sender
    from tests.smtp import SmtpServer

    server = SmtpServer().start()
    before = app.config.get("SMTP_URL", "")
    app.config["SMTP_URL"] = server.url
    yield server
    sender.wait_for_background()
    app.config["SMTP_URL"] = before
    server.stop()


# The demo's passage and query vectors, kept between runs on this machine like pip's wheel cache (and
# seeded on a new machine from the copy shipped in tests/data, tests/demo_vectors.py).
# Encoding the demo is most of the cost of building it (about a thousand passages: a minute or more of
# both cores); with the stores of an earlier run, a rebuild encodes only texts the demo no longer had.
# The stores key each vector by encoder name plus exact text (indexer/passage_store.py,
# indexer/query_store.py), so a changed demo or model misses and is encoded by the real model.
DEMO_VECTOR_CACHE = Path(
    os.environ.get("KECHUANG_TEST_VECTOR_CACHE") or Path.home() / ".cache" / "kechuang" / "test-demo-vectors"
)
_VECTOR_STORES = ("passages-needs.sqlite", "passages-providers.sqlite", "queries.sqlite")


def _copy_vector_stores(source: Path, target: Path) -> None:
    """Copy the vector stores that exist in `source` into `target`, each as one consistent snapshot
    (SQLite's backup API) replacing the old file at once, under a lock shared by the test workers."""
    import fcntl

    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for name in _VECTOR_STORES:
            if not (source / name).exists():
                continue
            partial = target / f"{name}.{os.getpid()}.partial"
            try:
                with closing(sqlite3.connect(source / name)) as src, closing(sqlite3.connect(partial)) as dst:
                    src.backup(dst)
                for leftover in ("-wal", "-shm"):  # an old file's log must not be replayed into the new one
                    (target / f"{name}{leftover}").unlink(missing_ok=True)
                os.replace(partial, target / name)
            except sqlite3.Error:  # a cache: a damaged or locked store costs an encoding, not the run
                partial.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def indexed_demo(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The demo (seed 7, 120 providers, 80 needs) and its index, for a module of read-only tests
    (SHARED_DATABASE = True): built once per module, wiped afterwards."""
    from market.db import db
    from market.demo.load import load_demo
    from market.matching import engine, indexing
    from tests import demo_vectors

    old = dict(app.config)
    index_dir = tmp_path_factory.mktemp("demo-index")
    app.config.update(INDEX_DIR=str(index_dir), INDEX_SYNC=False)
    engine.forget_open_indexes()
    _copy_vector_stores(DEMO_VECTOR_CACHE, index_dir)
    demo_vectors.seed(index_dir)  # a new machine (every CI run): the shipped vectors, not 75 s of encoding
    with app.app_context():
        load_demo(seed=7, n_providers=120, n_needs=80)
        db.session.commit()
        for kind in indexing.kinds("all"):
            indexing.rebuild(kind)
    yield
    engine.forget_open_indexes()
    _copy_vector_stores(index_dir, DEMO_VECTOR_CACHE)
    app.config.update(INDEX_DIR=old["INDEX_DIR"], INDEX_SYNC=old["INDEX_SYNC"])
    wipe_database(app)


ENGINE_INDEPENDENT_DIRS = ("indexer", "demo", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that never touch the database under test run once (on SQLite), not again on PostgreSQL:
    # those of the directories above, and every test without the `app` fixture, the only thing that
    # reads TEST_DATABASE_URL (a test building its own app or server picks its own database).
    for item in items:
        parts = Path(str(item.fspath)).parts
        in_independent_dir = any(part in ENGINE_INDEPENDENT_DIRS for part in parts[-3:-1])
        if in_independent_dir or "app" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine_independent)
