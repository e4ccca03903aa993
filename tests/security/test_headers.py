"""Caching and transport headers (issue 12, point 8).

Rule (docs/hardening.md): every answer to a logged-in user or a token-authenticated API call, and every
file download, carries `Cache-Control: private, no-store`; public pages for visitors and static files
stay cacheable. HSTS (one year) is sent when cookies are Secure (SESSION_COOKIE_SECURE=1).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from market.auth import services as auth
from market.auth.models import User
from market.db import commit, db
from tests.orders.world import World, build_world

HSTS = "Strict-Transport-Security"


@pytest.fixture
def world(app: Flask, make: Any) -> World:
    return build_world(app, make)


def api_token(world: World, role: str) -> str:
    with world.app.app_context():
        secret, _record = auth.create_api_token(db.session.get_one(User, world.user_id(role)), "headers")
        commit()
        return secret


def private(response: Any) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_pages_downloads_and_api_answers_for_signed_in_users_are_never_stored(world: World) -> None:
    order = world.order("signed")  # a deal value on the order page and in the reports
    pages = {
        "owner": [
            f"/needs/{world.need}",
            f"/needs/{world.need}/matches",
            "/needs/mine",
            "/orders/",
            f"/orders/{order}",
            "/orders/notifications",
        ],
        "provider": [f"/orders/{order}", "/me/profile", f"/needs/{world.need}"],
        "broker_in": [
            "/broker/",
            "/broker/reports",
            "/broker/reports/month.xlsx",
            "/broker/reports/contract.csv",
        ],
        "admin": [
            "/imports/export/needs.csv",
            "/imports/export/providers.xlsx",
            "/imports/template/needs.csv",
        ],
    }
    for role, urls in pages.items():
        client = world.client(role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            assert private(response), (role, url, response.headers.get("Cache-Control"))
    provider = {"Authorization": f"Bearer {api_token(world, 'provider')}"}
    owner = {"Authorization": f"Bearer {api_token(world, 'owner')}"}
    for headers, url in (
        (provider, "/api/v1/me/provider"),
        (owner, "/api/v1/me/needs"),
        (owner, f"/api/v1/needs/{world.need}"),
        (owner, f"/api/v1/orders/{order}"),
        (owner, "/api/v1/orders"),
        (owner, "/api/v1/tokens"),
    ):
        response = world.app.test_client().get(url, headers=headers)
        assert response.status_code == 200 and private(response), (url, response.headers.get("Cache-Control"))


def test_refusals_to_signed_in_users_are_not_stored_either(world: World) -> None:
    response = world.client("other_enterprise").get(f"/needs/{world.need}/matches")
    assert response.status_code == 404 and private(response)


def test_public_pages_for_visitors_and_static_files_stay_cacheable(world: World) -> None:
    visitor = world.app.test_client()
    for url in ("/", "/needs/", f"/needs/{world.need}", "/providers/", "/services/", "/api/v1/needs"):
        response = visitor.get(url)
        assert response.status_code == 200 and not private(response), url
    signed_in = world.client("owner")
    response = signed_in.get("/static/css/app.css")
    assert response.status_code == 200 and not private(response)
    response.close()


def test_hsts_only_when_cookies_are_secure(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    assert HSTS not in app.test_client().get("/").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    for url in ("/", "/api/v1/needs", "/no-such-page"):
        assert app.test_client().get(url).headers.get(HSTS) == "max-age=31536000"
