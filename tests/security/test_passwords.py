"""Passwords: common ones are refused wherever a password is set; hashes are argon2id, old ones upgraded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from market.auth import passwords
from market.auth import services as auth
from market.auth.models import User
from market.db import db
from market.demo.load import DEMO_PASSWORD
from market.errors import ValidationFailed
from tests.factories import PASSWORD

pytestmark = pytest.mark.real_password_hashing  # the production cost is what these tests measure

# OWASP's argon2id minimum: m=19 MiB, t=2, p=1.
ARGON2ID_OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.mark.parametrize(
    "password",
    ["password123", "qwerty123456", "QWERTY123456", "PassWord123", "iloveyou2026!", "Dragon-12345"],
)
def test_common_passwords_are_refused_ignoring_case(password: str) -> None:
    assert auth.password_problem(password) is not None


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, "Secret-pass1", "Passw0rd-faults"])
def test_the_projects_own_passwords_are_not_on_the_list(password: str) -> None:
    assert auth.password_problem(password) is None


def test_the_bundled_list_has_at_least_10000_passwords() -> None:
    words = passwords.common_passwords()
    assert len(words) >= 10_000
    assert {"password", "123456", "qwerty123456", "woaini"} <= words


def test_registration_refuses_a_common_password(client: FlaskClient, app: Flask) -> None:
    response = client.post(
        "/auth/register",
        data={
            "role": "enterprise",
            "provider_kind": "",
            "name": "王晓明",
            "email": "common@example.com",
            "organisation": "苏州瑞锋新能源科技有限公司",
            "province": "32",
            "password": "Password123",
            "confirm": "Password123",
        },
    )
    assert response.status_code == 200
    assert "太常见" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "common@example.com")) is None


def test_create_user_and_change_password_refuse_a_common_password(app: Flask, make: Any) -> None:
    user_id = make.user()
    with app.app_context():
        user = db.session.get(User, user_id)
        with pytest.raises(ValidationFailed):
            auth.change_password(user, "qwerty123456")
        with pytest.raises(ValidationFailed):
            auth.create_user(email="x@example.com", name="某某", password="password123", role=auth.Role.ADMIN)


def test_new_hashes_are_argon2id_with_owasp_parameters(app: Flask, make: Any) -> None:
    assert auth.hash_password(PASSWORD).startswith(ARGON2ID_OWASP)
    user_id = make.user()
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert stored.startswith(ARGON2ID_OWASP)
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD + "x")


def _store_old_hash(app: Flask, user_id: int, old_hash: str) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.password_hash = old_hash
        db.session.commit()
        return user.email


def _stored_hash(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


@pytest.mark.parametrize("method", ["scrypt:32768:8:1", "pbkdf2:sha256:600000"])
def test_an_old_hash_still_logs_in_and_is_upgraded_at_that_login(app: Flask, make: Any, method: str) -> None:
    user_id = make.user()
    email = _store_old_hash(app, user_id, generate_password_hash(PASSWORD, method))
    client = app.test_client()

    wrong = client.post("/auth/login", data={"email": email, "password": "Wrong-pass-99"})
    assert wrong.status_code == 200
    # A wrong password changes nothing.
    assert _stored_hash(app, user_id).startswith(method.split(":")[0] + ":")

    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    upgraded = _stored_hash(app, user_id)
    assert upgraded.startswith(ARGON2ID_OWASP)
    again = app.test_client().post("/auth/login", data={"email": email, "password": PASSWORD})
    assert again.status_code == 302
    assert _stored_hash(app, user_id) == upgraded  # a current hash is not rewritten


def test_the_api_token_exchange_upgrades_an_old_hash_too(app: Flask, make: Any) -> None:
    user_id = make.user()
    email = _store_old_hash(app, user_id, generate_password_hash(PASSWORD, "scrypt:32768:8:1"))
    response = app.test_client().post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201
    assert _stored_hash(app, user_id).startswith(ARGON2ID_OWASP)


def test_a_damaged_hash_refuses_instead_of_failing(app: Flask, make: Any) -> None:
    user_id = make.user()
    for damaged in ("$argon2id$v=19$m=19456,t=2,p=1$broken", "not-a-hash", ""):
        email = _store_old_hash(app, user_id, damaged)
        response = app.test_client().post("/auth/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == email)) == user_id
