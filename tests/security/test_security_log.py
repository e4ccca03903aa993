"""The security log (issue 12, point 6): every kind of event is recorded with its fields, in its own
transaction (a refused request still leaves it), never with a secret; JSON lines under LOG_FORMAT=json
(gunicorn's access log too); admins browse it on /admin/security-events with filters."""

from __future__ import annotations

import io
import json
import logging
import os
import runpy
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from market.auth.models import User
from market.db import db
from market.extensions import limiter
from market.logs import JsonFormatter
from market.security import events as security
from market.security.models import SecurityEvent
from tests.factories import PASSWORD, login
from tests.imports.helpers import csv_bytes, need_row

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "203.0.113.7"
SECRET_PASSWORD = "Sup3r-Secret-Pw-4711"


def _events(app: Flask, event: str | None = None) -> list[dict[str, Any]]:
    with app.app_context():
        query = select(SecurityEvent).order_by(SecurityEvent.id)
        if event:
            query = query.where(SecurityEvent.event == event)
        return [
            {c.name: getattr(row, c.name) for c in SecurityEvent.__table__.columns}
            for row in db.session.scalars(query)
        ]


def _client(app: Flask, address: str = ADDRESS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _email(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def _token(app: Flask, email: str, password: str = PASSWORD) -> str:
    response = app.test_client().post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["token"])


@pytest.fixture
def tight_limits(app: Flask) -> Iterator[None]:
    names = ("LOGIN_RATE_LIMIT", "REGISTER_RATE_LIMIT")
    old = {name: app.config[name] for name in names}
    app.config.update(dict.fromkeys(names, "2 per minute"))
    limiter.reset()
    yield
    limiter.reset()
    app.config.update(old)


# --- logins -----------------------------------------------------------------------------------------


def test_login_success_and_each_failure_reason(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user_id, inactive_id = make.user("enterprise"), make.user("enterprise")
    email, inactive = _email(app, user_id), _email(app, inactive_id)
    with app.app_context():
        db.session.get(User, inactive_id).active = False
        db.session.commit()
    client = _client(app)
    attempts = [
        (email, "Wrong-passw0rd"),
        ("Nobody@Example.com ", "Wrong-passw0rd"),
        (inactive, PASSWORD),
        (email, PASSWORD),
    ]
    for number, (typed, password) in enumerate(attempts):
        client.post(
            "/auth/login", data={"email": typed, "password": password}, headers={"X-Request-ID": f"r{number}"}
        )
    rows = [e for e in _events(app) if e["event"].startswith("login.")]
    assert [(e["event"], e["account"], e["reason"], e["user_id"]) for e in rows] == [
        ("login.failed", email, "wrong_password", user_id),
        ("login.failed", "nobody@example.com", "unknown_account", None),
        ("login.failed", inactive, "inactive", inactive_id),
        ("login.success", email, None, user_id),
    ]
    assert {(e["address"], e["path"]) for e in rows} == {(ADDRESS, "/auth/login")}
    assert [e["request_id"] for e in rows] == ["r0", "r1", "r2", "r3"]


def test_failed_api_login_is_recorded_although_the_request_rolled_back(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    email = _email(app, make.user("enterprise"))
    response = _client(app).post("/api/v1/tokens", json={"email": email, "password": "Wrong-passw0rd"})
    assert response.status_code == 401  # a 4xx: the request's transaction is rolled back
    [event] = _events(app, "login.failed")
    assert (event["account"], event["reason"], event["path"]) == (email, "wrong_password", "/api/v1/tokens")


def test_the_event_survives_the_rollback_of_an_open_write(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """The request's own write transaction is still open when the event is recorded (on SQLite it
    holds the database lock); the event is stored, the request's write is not."""
    user_id = make.user("enterprise")
    with app.test_request_context("/auth/login", method="POST", environ_base={"REMOTE_ADDR": ADDRESS}):
        app.preprocess_request()
        db.session.get(User, user_id).name = "不该保存的名字"
        db.session.flush()
        security.record(security.LOGIN_FAILED, account="x@example.com", reason=security.WRONG_PASSWORD)
        db.session.rollback()
    assert [e["account"] for e in _events(app, "login.failed")] == ["x@example.com"]
    assert make.get(User, user_id).name != "不该保存的名字"


def test_events_outside_a_request_are_stored_when_the_context_ends(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """CLI commands: an app context whose work is never committed still stores its events."""
    user_id = make.user("admin")
    with app.app_context():
        db.session.get(User, user_id).name = "不该保存的名字"
        db.session.flush()  # a write left open: on SQLite it would lock the event's own transaction out
        security.record(security.IMPORT_DRY_RUN, user=db.session.get(User, user_id), kind="needs", rows=3)
    [event] = _events(app, "import.dry_run")
    assert (event["user_id"], event["address"], event["path"], event["details"]) == (
        user_id,
        None,
        None,
        {"kind": "needs", "rows": 3},
    )
    assert make.get(User, user_id).name != "不该保存的名字"


# --- refusals and rate limits ---------------------------------------------------------------------


def test_every_403_is_recorded_for_pages_and_the_api(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user_id = make.user("enterprise")
    page = login(_client(app), user_id)
    assert page.get("/admin/users").status_code == 403
    assert page.post(f"/admin/users/{user_id}", data={"role": "admin", "active": "y"}).status_code == 403
    token = _token(app, _email(app, user_id))
    api = _client(app)
    assert api.get("/api/v1/review/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    denied = _events(app, "access.denied")
    assert [(e["path"], e["user_id"], e["address"]) for e in denied] == [
        ("/admin/users", user_id, ADDRESS),
        (f"/admin/users/{user_id}", user_id, ADDRESS),
        ("/api/v1/review/queue", user_id, ADDRESS),
    ]
    assert denied[0]["reason"] == "只有管理员可以管理用户。"
    assert [e["details"]["method"] for e in denied] == ["GET", "POST", "GET"]
    assert make.get(User, user_id).role == "enterprise"  # the refused POST rolled back


def test_a_refused_oversized_body_is_answered_and_recorded(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """The event reads the body only to blank secrets out; a body too large to read must not turn the
    refusal into a 500 (it did, from inside the error handler)."""
    user_id = make.user("enterprise")
    page = login(_client(app), user_id)
    big = io.BytesIO(b"a" * (11 * 1024 * 1024))
    upload = page.post("/imports/needs", data={"file": (big, "big.csv")}, content_type="multipart/form-data")
    token = _token(app, _email(app, user_id))
    api = _client(app).post(
        "/api/v1/review/queue",
        data=b"{" + b"a" * (11 * 1024 * 1024),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert upload.status_code in (403, 413) and api.status_code in (403, 405, 413)
    assert "/imports/needs" in [e["path"] for e in _events(app, "access.denied")]


@pytest.mark.usefixtures("tight_limits")
def test_rate_limit_hits_are_recorded(app: Flask) -> None:
    client = _client(app)
    codes = [
        client.post(
            "/auth/login", data={"email": "Guess@Example.com", "password": SECRET_PASSWORD}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert [client.post("/auth/register", data={}).status_code for _ in range(3)][-1] == 429
    throttled = [e for e in _events(app, "login.failed") if e["reason"] == "throttled"]
    assert [(e["account"], e["address"], e["path"], e["details"]) for e in throttled] == [
        ("guess@example.com", ADDRESS, "/auth/login", {"scope": "address"})
    ]
    [limited] = _events(app, "rate_limit")
    assert (limited["path"], limited["details"]["endpoint"]) == ("/auth/register", "registration.register")


# --- sessions, tokens, roles ----------------------------------------------------------------------


def test_logout_and_logout_everywhere(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user_id = make.user("provider")
    login(_client(app), user_id).post("/auth/logout")
    login(_client(app), user_id).post("/auth/logout-everywhere")
    _client(app).post("/auth/logout")  # nobody signed in: nothing to record
    assert [(e["event"], e["user_id"]) for e in _events(app) if e["event"].startswith("logout")] == [
        ("logout", user_id),
        ("logout.everywhere", user_id),
    ]


def test_token_creation_and_revocation_on_pages_and_api(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user_id = make.user("enterprise")
    email = _email(app, user_id)
    page = login(_client(app), user_id)
    assert page.post("/auth/tokens", data={"name": "ci"}).status_code == 200
    secret = _token(app, email)
    api = app.test_client()
    listed = api.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).get_json()["items"]
    ids = {t["name"]: t["id"] for t in listed}
    assert page.post(f"/auth/tokens/{ids['ci']}/revoke").status_code == 302
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.delete(f"/api/v1/tokens/{ids['api']}", headers=headers).status_code == 204
    tokens = [e for e in _events(app) if e["event"].startswith("token.")]
    assert [(e["event"], e["account"], e["details"]) for e in tokens] == [
        ("token.created", email, {"token_id": ids["ci"], "token_name": "ci"}),
        ("token.created", email, {"token_id": ids["api"], "token_name": "api"}),
        ("token.revoked", email, {"token_id": ids["ci"], "token_name": "ci"}),
        ("token.revoked", email, {"token_id": ids["api"], "token_name": "api"}),
    ]
    assert [e["path"] for e in tokens] == [
        "/auth/tokens",
        "/api/v1/tokens",
        f"/auth/tokens/{ids['ci']}/revoke",
        f"/api/v1/tokens/{ids['api']}",
    ]


def test_role_region_and_enabled_changes_by_admins(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin_id, target_id = make.user("admin"), make.user("enterprise")
    admin, target = _email(app, admin_id), _email(app, target_id)
    client = login(_client(app), admin_id)
    client.post(f"/admin/users/{target_id}", data={"role": "broker", "regions": ["32", "33"]})
    client.post(f"/admin/users/{target_id}", data={"role": "broker", "regions": ["32"], "active": "y"})
    changes = [e for e in _events(app) if e["event"].startswith("user.")]
    assert [(e["event"], e["details"]["before"], e["details"]["after"]) for e in changes] == [
        ("user.role_changed", "enterprise", "broker"),
        ("user.active_changed", True, False),
        ("user.regions_changed", [], ["32", "33"]),
        ("user.active_changed", False, True),
        ("user.regions_changed", ["32", "33"], ["32"]),
    ]
    assert {(e["user_id"], e["account"], e["details"]["target"]) for e in changes} == {
        (admin_id, admin, target)
    }


# --- imports and exports --------------------------------------------------------------------------


def test_imports_and_exports_of_deal_data(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broker_id = make.user("broker", regions=("32",))
    admin_id = make.user("admin")
    client = login(_client(app), broker_id)
    data = csv_bytes("needs", [need_row()])
    uploaded = client.post(
        "/imports/needs",
        data={"file": (io.BytesIO(data), "n.csv"), "publish": "y"},
        content_type="multipart/form-data",
    )
    batch_id = int(uploaded.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(f"/imports/batch/{batch_id}/step")
    assert client.post(f"/imports/batch/{batch_id}/commit").status_code == 302
    assert client.get("/imports/export/needs.csv").status_code == 200
    assert client.get("/broker/reports/month.xlsx?period=90").status_code == 200
    path = tmp_path / "needs.csv"
    path.write_bytes(data)
    email = _email(app, admin_id)
    result = app.test_cli_runner().invoke(args=["import", "needs", str(path), "--dry-run", "--as", email])
    assert result.exit_code == 0, result.output
    moved = [e for e in _events(app) if e["event"].startswith(("import.", "export"))]
    assert [(e["event"], e["user_id"], e["path"]) for e in moved] == [
        ("import.dry_run", broker_id, "/imports/needs"),
        ("import.committed", broker_id, f"/imports/batch/{batch_id}/commit"),
        ("export", broker_id, "/imports/export/needs.csv"),
        ("export", broker_id, "/broker/reports/month.xlsx"),
        ("import.dry_run", admin_id, None),
    ]
    details = [e["details"] for e in moved]
    assert details[0] == {"kind": "needs", "file": "n.csv", "rows": 1}
    assert details[1]["written"]["needs"] == 1 and details[1]["publish"] is True
    assert details[2] == {"kind": "needs", "format": "csv", "rows": 1}
    assert (details[3]["kind"], details[3]["format"], details[3]["filters"].get("period")) == (
        "deals-month",
        "xlsx",
        "90",
    )
    assert details[4] == {"kind": "needs", "file": "needs.csv", "rows": 1}


# --- secrets ----------------------------------------------------------------------------------------


def test_no_password_token_or_cookie_is_ever_stored_or_logged(
    app: Flask,
    make,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="market.security")
    user_id = make.user("enterprise")
    email = _email(app, user_id)
    page = _client(app)
    page.post("/auth/login", data={"email": email, "password": SECRET_PASSWORD})
    page.post("/auth/login", data={"email": "nobody@example.com", "password": SECRET_PASSWORD})
    _client(app).post("/api/v1/tokens", json={"email": email, "password": SECRET_PASSWORD})
    secret = _token(app, email)
    login(page, user_id)
    cookie = page.get_cookie("session")
    assert cookie is not None
    page.get("/admin/users")  # a 403 with the session cookie
    _client(app).get("/api/v1/review/queue", headers={"Authorization": f"Bearer {secret}"})
    # A careless caller: secrets handed over as details, and the request's own secrets inside texts.
    with app.test_request_context(
        "/auth/login", method="POST", data={"email": email, "password": SECRET_PASSWORD}
    ):
        app.preprocess_request()
        security.record(
            security.LOGIN_FAILED,
            account=email,
            reason=f"typed {SECRET_PASSWORD}",
            password=SECRET_PASSWORD,
            token=secret,
            nested={"Authorization": f"Bearer {secret}", "note": f"pw={SECRET_PASSWORD}"},
        )
    rows = json.dumps(_events(app), default=str, ensure_ascii=False)
    assert len(_events(app)) >= 7
    for leaked in (SECRET_PASSWORD, PASSWORD, secret, secret[:12], cookie.value):
        assert leaked not in rows
        assert leaked not in caplog.text
    assert "[redacted]" in rows  # the careless texts were blanked, not dropped


# --- log lines --------------------------------------------------------------------------------------


def test_events_are_json_lines_with_their_fields(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """LOG_FORMAT=json puts JsonFormatter on the root handler; the security logger's lines go there."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("market.security")
    logger.addHandler(handler)
    try:
        email = _email(app, make.user("enterprise"))
        _client(app).post(
            "/auth/login",
            data={"email": email, "password": "Wrong-passw0rd"},
            headers={"X-Request-ID": "abc"},
        )
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [failed] = [line for line in lines if line["event"] == "login.failed"]
    assert failed["level"] == "WARNING" and failed["logger"] == "market.security"
    assert (failed["account"], failed["address"], failed["reason"]) == (email, ADDRESS, "wrong_password")
    assert (failed["request_id"], failed["path"], failed["method"]) == ("abc", "/auth/login", "POST")


@pytest.mark.engine_independent
def test_gunicorn_config_switches_to_the_json_logger(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    settings = runpy.run_module("market.gunicorn_conf")
    assert settings["logger_class"].__name__ == "JsonLogger"
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert "logger_class" not in runpy.run_module("market.gunicorn_conf")


@pytest.mark.engine_independent
def test_gunicorn_access_and_error_lines_are_json(tmp_path: Path) -> None:
    """A real gunicorn with the JSON logger on a loopback port, serving a tiny WSGI app."""
    (tmp_path / "tiny.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Request-ID', 'req-42')])\n"
        "    return [b'ok']\n"
    )
    from tests.faults.harness import bound_socket

    with bound_socket() as sock:  # gunicorn gets the socket: no other server can answer on its port
        port = sock.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}", "LOG_FORMAT": "json"}
        args = [sys.executable, "-m", "gunicorn", "--bind", f"fd://{sock.fileno()}", "--workers", "1"]
        args += ["--logger-class", "market.gunicorn_conf.JsonLogger", "--access-logfile", "-", "tiny:app"]
        server = subprocess.Popen(
            args,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            pass_fds=(sock.fileno(),),
        )
    try:
        for _ in range(100):
            try:
                response = requests.get(
                    f"http://127.0.0.1:{port}/needs/?q=1",
                    headers={"Cookie": "session=cookie-secret-1", "Authorization": "Bearer kc_secret-2"},
                    timeout=2,
                )
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert response.status_code == 200
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    access = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    [line] = [a for a in access if a.get("path") == "/needs/"]
    assert (line["logger"], line["method"], line["status"], line["query"]) == (
        "gunicorn.access",
        "GET",
        200,
        "q=1",
    )
    assert (line["request_id"], line["address"]) == ("req-42", "127.0.0.1")
    errors = [json.loads(line) for line in err.decode().splitlines() if line.strip()]
    assert errors and all(e["logger"] == "gunicorn.error" for e in errors)
    assert "cookie-secret-1" not in out.decode() + err.decode()
    assert "kc_secret-2" not in out.decode() + err.decode()


# --- the admin page ---------------------------------------------------------------------------------


def _seed_old_event(app: Flask, days_ago: int, **values: Any) -> None:
    with app.app_context():
        db.session.add(
            SecurityEvent(created_at=datetime.now(UTC) - timedelta(days=days_ago), details={}, **values)
        )
        db.session.commit()


def test_admin_page_filters_and_labels(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin_id, user_id = make.user("admin"), make.user("enterprise")
    email = _email(app, user_id)
    _client(app, "198.51.100.9").post("/auth/login", data={"email": email, "password": "Wrong-passw0rd"})
    _seed_old_event(app, 40, event="login.failed", account="old@example.com", address="192.0.2.1")
    admin = login(_client(app), admin_id)

    def shown(query: str = "", lang: str = "zh") -> str:
        response = admin.get(f"/admin/security-events?lang={lang}&{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    everything = shown()
    assert "安全日志" in everything and "登录失败" in everything and "密码错误" in everything
    assert "login.failed" not in everything.split("<tbody>")[1].split("data-event")[0]
    # newest first: the admin's own login, then the failed login, then the old seeded one
    assert (
        everything.index("登录成功") < everything.index("198.51.100.9") < everything.index("old@example.com")
    )
    assert "Login failed" in shown(lang="en") and "Wrong password" in shown(lang="en")

    by_kind = shown("event=login.failed")
    assert (
        "198.51.100.9" in by_kind
        and "old@example.com" in by_kind
        and "登录成功" not in by_kind.split("<tbody>")[1]
    )
    by_account = shown(f"account={email.upper()}")
    assert "198.51.100.9" in by_account and "old@example.com" not in by_account
    by_address = shown("address=192.0.2")
    assert "old@example.com" in by_address and "198.51.100.9" not in by_address
    old_day = (datetime.now(UTC) - timedelta(days=40)).date().isoformat()
    by_dates = shown(f"since={old_day}&until={old_day}")
    assert "old@example.com" in by_dates and "198.51.100.9" not in by_dates
    recent = shown(f"since={(datetime.now(UTC) - timedelta(days=1)).date().isoformat()}")
    assert "198.51.100.9" in recent and "old@example.com" not in recent
    bad = shown("since=2026-13-45")
    assert "已忽略：2026-13-45" in bad and "old@example.com" in bad
    paged = shown("event=login.failed&per_page=1&page=2")
    assert "old@example.com" in paged and "198.51.100.9" not in paged


@pytest.mark.parametrize("role", ["enterprise", "provider", "broker"])
def test_only_admins_see_the_security_log(app: Flask, make, role: str) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user(role))
    refused, other_admin_page = client.get("/admin/security-events"), client.get("/admin/users")
    assert refused.status_code == other_admin_page.status_code == 403
    assert "只有管理员可以管理用户。" in refused.get_data(as_text=True)
    anonymous = app.test_client().get("/admin/security-events")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_the_admin_navigation_links_the_security_log(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    page = login(app.test_client(), make.user("admin")).get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/security-events"' in page
