"""CSRF, rate limits, security headers and cookies on the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from market.extensions import limiter
from market.needs.models import Need
from tests.factories import login


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def limits_on(app: Flask) -> Iterator[None]:
    old = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    limiter.reset()
    yield
    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = old


@pytest.mark.usefixtures("csrf_on")
def test_state_changing_forms_need_the_csrf_token(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user = make.user("enterprise")
    need_id = make.need(user)
    client = app.test_client()
    with app.app_context():
        from market.auth.models import User
        from market.db import db

        email = db.session.get(User, user).email
    refused = client.post("/auth/login", data={"email": email, "password": "Passw0rd-test"})
    assert refused.status_code == 400
    assert "安全令牌" in refused.get_data(as_text=True)
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post("/auth/login", data={"email": email, "password": "Passw0rd-test", "csrf_token": token})
    assert ok.status_code == 302
    assert client.post(f"/needs/{need_id}/submit").status_code == 400
    assert make.get(Need, need_id).status == "draft"


@pytest.mark.usefixtures("limits_on")
def test_login_attempts_are_rate_limited(client) -> None:  # type: ignore[no-untyped-def]
    codes = [
        client.post("/auth/login", data={"email": "x@example.com", "password": "wrong-pass-1"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429


def test_security_headers_on_pages(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("enterprise"))
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_pages_never_answer_500_to_odd_urls(client) -> None:  # type: ignore[no-untyped-def]
    for url in (
        "/needs/99999999999999999999",
        "/needs/abc",
        "/providers/-1",
        "/needs/?page=99999",
        "/services/?category=%00",
        "/review/need/1/approve",
        "/auth/lang/xx",
    ):
        assert client.get(url).status_code < 500, url
