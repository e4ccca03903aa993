"""The one settings object: what it reads, how it refuses bad values, and that docs/configuration.md
and the code name the same variables with the same defaults."""

from __future__ import annotations

import ast
import json
import logging
import re
import runpy
import threading
from collections.abc import Iterator, Mapping
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask

from market import logs
from market.config import ROOT, Settings, SettingsError, load_config

DOC = ROOT / "docs" / "configuration.md"
# Defaults the table states relative to the instance folder, not as the literal value.
INSTANCE_RELATIVE = {"KECHUANG_INSTANCE", "DATABASE_URL", "INDEX_DIR"}


class RecordingEnviron(Mapping[str, str]):
    """An environment that remembers every name asked for (present or not)."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = values or {}
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the settings must ask for their variables by name, not list the environment")

    def __len__(self) -> int:
        return len(self.values)


def _tables() -> list[list[tuple[str, str]]]:
    """Each table of docs/configuration.md as (variables cell, default cell) rows."""
    tables: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            current = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "variable" or set(cells[0]) <= {"-"}:
            if current is None:
                current = []
                tables.append(current)
            continue
        assert current is not None, f"a table row without a header: {line}"
        current.append((cells[0], cells[1]))
    return tables


def _names(cell: str) -> list[str]:
    return re.findall(r"`([A-Z][A-Z0-9_]*)`", cell)


def _documented_defaults() -> dict[str, str | None]:
    """Variable -> the default written in the application's table (None where it is not a literal)."""
    defaults: dict[str, str | None] = {}
    for variables, default in _tables()[0]:
        names = _names(variables)
        literals = re.findall(r"`([^`]*)`", default)
        for position, name in enumerate(names):
            defaults[name] = literals[position] if len(literals) == len(names) else None
    return defaults


def test_the_settings_read_exactly_the_variables_the_documentation_lists() -> None:
    environ = RecordingEnviron()
    Settings.from_env(environ)
    documented = set(_documented_defaults())
    assert environ.asked == documented, (
        f"read but not in docs/configuration.md: {sorted(environ.asked - documented)}; "
        f"documented but never read: {sorted(documented - environ.asked)}"
    )
    assert Settings.variables() == documented


def test_the_variables_the_scripts_read_are_in_the_second_table() -> None:
    scripts = "\n".join(path.read_text() for path in (ROOT / "scripts").glob("*.sh"))
    for variables, _default in _tables()[1]:
        for name in _names(variables):
            assert re.search(r"\$\{?" + name + r"\b", scripts), f"{name} is documented but no script reads it"


def test_documented_defaults_are_the_real_ones() -> None:
    real = Settings.from_env({})
    for name, default in _documented_defaults().items():
        if default is None or name in INSTANCE_RELATIVE:
            continue
        [item] = [item for item in fields(Settings) if item.metadata["variable"] == name]
        from_doc = getattr(Settings.from_env({name: default}), item.name)
        assert from_doc == getattr(real, item.name), f"{name}: the table says {default!r}"


def _environment_reads(path: Path) -> list[int]:
    """Lines of `path` that read os.environ or os.getenv."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        reads_os = (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )
        imports_from_os = (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in {"environ", "getenv"} for alias in node.names)
        )
        if reads_os or imports_from_os:
            lines.append(node.lineno)
    return lines


def test_no_module_but_the_settings_reads_the_environment() -> None:
    readers = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "market").rglob("*.py"))
        if (lines := _environment_reads(path)) and path != ROOT / "market" / "config.py"
    }
    assert readers == {}


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SESSION_IDLE_MINUTES", "abc", "expected a whole number"),
        ("SESSION_MAX_HOURS", "0", "at least 1"),
        ("ORDER_EXPIRY_DAYS", "1.5", "expected a whole number"),
        ("INDEX_SYNC", "maybe", "expected 1 or 0"),
        ("LOG_FORMAT", "xml", "text, json"),
        ("LOG_LEVEL", "loud", "DEBUG"),
        ("LOGIN_RATE_LIMIT", "lots", "10 per minute"),
        ("ELASTICSEARCH_INDEX_PREFIX", "Kechuang Prod", "lower-case"),
        ("GUNICORN_THREADS", "-2", "at least 1"),
    ],
)
def test_a_bad_value_is_refused_with_its_name_and_value(variable: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert f"{variable}={value!r}" in str(refused.value)
    assert expected in str(refused.value)


def test_a_refused_url_is_shown_without_its_password() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"SMTP_URL": "smtp://mailer:s3cret-pw@mail.example.com:notaport"})
    assert "SMTP_URL='smtp://mailer:***@mail.example.com:notaport'" in str(refused.value)
    assert "s3cret-pw" not in str(refused.value)


def test_values_are_parsed_once_into_their_types() -> None:
    settings = Settings.from_env(
        {
            "SESSION_IDLE_MINUTES": " 45 ",
            "INDEX_SYNC": "false",
            "SESSION_COOKIE_SECURE": "1",
            "LOG_LEVEL": "warning",
            "REMEMBER_DAYS": "365",
            "DATABASE_URL": "postgres://u@h/db",
            "ELASTICSEARCH_URL": "",  # empty counts as unset
        }
    )
    assert settings.session_idle_minutes == 45
    assert settings.index_sync is False and settings.session_cookie_secure is True
    assert settings.log_level == "WARNING"
    assert settings.remember_days == 30
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.elasticsearch_url == ""


def test_settings_cannot_be_changed_after_reading() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.encoder = "other"  # type: ignore[misc]


def test_flask_config_carries_the_new_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELASTICSEARCH_INDEX_PREFIX", "acme")
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LOG_LEVEL", "error")
    config = load_config()
    assert (config["ELASTICSEARCH_INDEX_PREFIX"], config["LOG_FORMAT"], config["LOG_LEVEL"]) == (
        "acme",
        "json",
        "ERROR",
    )
    assert "GUNICORN_THREADS" not in config


def test_logs_follow_the_app_config_not_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    app = Flask(__name__)
    app.config.update(LOG_FORMAT="json", LOG_LEVEL="ERROR")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logs.configure(app)
        assert [type(h.formatter) for h in root.handlers] == [logs.JsonFormatter]
        assert root.level == logging.ERROR
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


@pytest.mark.engine_independent
def test_gunicorn_reads_its_variables_through_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    conf = runpy.run_module("market.gunicorn_conf")
    assert (conf["threads"], conf["preload_app"]) == (8, False)
    monkeypatch.setenv("GUNICORN_KEEPALIVE", "soon")
    with pytest.raises(SettingsError, match="GUNICORN_KEEPALIVE"):
        runpy.run_module("market.gunicorn_conf")


class _UnavailableElasticsearch(BaseHTTPRequestHandler):
    """A cluster that answers every request 503, remembering the paths it was asked for."""

    paths: ClassVar[list[str]] = []

    def _refuse(self) -> None:
        self.paths.append(self.path)
        body = json.dumps({"error": {"type": "unavailable"}, "status": 503}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _refuse

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_elasticsearch_indexes_are_named_with_the_prefix_from_the_environment(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ELASTICSEARCH_INDEX_PREFIX -> Flask config -> the index the engine opens on a real HTTP server."""
    from indexer.backends.elastic import BackendUnavailable
    from market.matching import engine

    server = ThreadingHTTPServer(("127.0.0.1", 0), _UnavailableElasticsearch)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("ELASTICSEARCH_INDEX_PREFIX", "acme-site")
    monkeypatch.setenv("ELASTICSEARCH_URL", f"http://127.0.0.1:{server.server_address[1]}")
    keys = ("ELASTICSEARCH_URL", "ELASTICSEARCH_INDEX_PREFIX")
    saved = {key: app.config.get(key) for key in keys}
    _UnavailableElasticsearch.paths = []
    try:
        configured = load_config()
        app.config.update({key: configured[key] for key in keys})
        with app.app_context(), pytest.raises(BackendUnavailable):
            engine.backend(engine.PROVIDERS)
    finally:
        app.config.update(saved)
        server.shutdown()
        server.server_close()
        engine.forget_open_indexes()
    assert _UnavailableElasticsearch.paths
    assert all("acme-site-providers" in path for path in _UnavailableElasticsearch.paths)
