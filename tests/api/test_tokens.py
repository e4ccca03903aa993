"""Token lifecycle: create with credentials, use, list, revoke; authentication errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from market.auth.models import User
from market.db import db
from tests.api.conftest import Api
from tests.factories import PASSWORD


def _email(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get_one(User, user_id).email


def test_token_lifecycle(api: Api, app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    created = api.post("/tokens", json={"email": _email(app, user_id), "password": PASSWORD, "name": "ci"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("kc_") and body["name"] == "ci" and body["revoked_at"] is None

    me = api.get("/me", body["token"])
    assert me.status_code == 200 and me.get_json()["id"] == user_id
    assert me.get_json()["role"] == "enterprise"

    listed = api.get("/tokens", body["token"]).get_json()
    assert [t["id"] for t in listed["items"]] == [body["id"]]
    assert "token" not in listed["items"][0] and "token_hash" not in listed["items"][0]
    assert listed["items"][0]["last_used_at"] is not None

    assert api.delete(f"/tokens/{body['id']}", body["token"]).status_code == 204
    after = api.get("/me", body["token"])
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"].startswith("Bearer")


def test_email_is_case_insensitive_and_name_defaults(api: Api, app: Flask, make: Any) -> None:
    user_id = make.user("provider")
    response = api.post("/tokens", json={"email": _email(app, user_id).upper(), "password": PASSWORD})
    assert response.status_code == 201 and response.get_json()["name"] == "api"


def test_wrong_password_is_401(api: Api, app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    response = api.post("/tokens", json={"email": _email(app, user_id), "password": "wrong-password-1"})
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_unknown_email_is_401(api: Api) -> None:
    assert (
        api.post("/tokens", json={"email": "nobody@example.com", "password": "x1234567890"}).status_code
        == 401
    )


def test_missing_credentials_is_422(api: Api) -> None:
    response = api.post("/tokens", json={"email": ""})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"email", "password"}


def test_token_body_must_be_json(api: Api) -> None:
    assert api.post("/tokens", data="email=a&password=b").status_code == 400
    assert api.post("/tokens", json={"email": ["a"], "password": "b"}).status_code == 400


def test_deactivated_user_token_stops_working(api: Api, app: Flask, make: Any, token: Any) -> None:
    user_id = make.user("enterprise")
    secret = token(user_id)
    with app.app_context():
        db.session.get_one(User, user_id).active = False
        db.session.commit()
    assert api.get("/me", secret).status_code == 401


def test_cannot_revoke_someone_elses_token(api: Api, make: Any, token: Any, app: Flask) -> None:
    owner, other = make.user("enterprise"), make.user("enterprise")
    owner_token = token(owner)
    owner_token_id = api.get("/tokens", owner_token).get_json()["items"][0]["id"]
    assert api.delete(f"/tokens/{owner_token_id}", token(other)).status_code == 404
    assert api.get("/me", owner_token).status_code == 200
    assert api.delete("/tokens/999999", owner_token).status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Token abc",
        "Basic dXNlcjpwYXNz",
        "Bearer kc_not-a-real-token",
        "Bearer " + "x" * 500,
    ],
)
def test_bad_authorization_headers_are_401(api: Api, header: str) -> None:
    response = api.get("/me", headers={"Authorization": header})
    assert response.status_code == 401
    # A bad token is an error even where a token is optional, so clients notice.
    assert api.get("/needs", headers={"Authorization": header}).status_code == 401


def test_protected_endpoints_without_token_are_401(api: Api) -> None:
    for method, path in [
        ("GET", "/me"),
        ("GET", "/tokens"),
        ("POST", "/needs"),
        ("GET", "/me/needs"),
        ("GET", "/me/provider"),
        ("GET", "/review/queue"),
        ("DELETE", "/tokens/1"),
    ]:
        assert api.call(method, path).status_code == 401, path


def test_session_cookie_is_not_an_api_credential(api: Api, client: Any, make: Any) -> None:
    from tests.factories import login

    login(client, make.user("enterprise"))
    assert api.get("/me").status_code == 401


@pytest.fixture
def limited_api(app: Flask, openapi_document: dict[str, Any]) -> Iterator[Api]:
    """The test app with a tight budget of failed password checks (read from the config on every request;
    wrong passwords count against LOGIN_RATE_LIMIT, shared with the login form: market/auth/throttle.py)."""
    old = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        yield Api(app.test_client(), openapi_document)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = old


def test_token_creation_is_rate_limited(limited_api: Api) -> None:
    statuses = [
        limited_api.post("/tokens", json={"email": "x@example.com", "password": "wrong-pass-1"}).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
