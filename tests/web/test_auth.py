"""Registration, login, logout, sessions and language switching through the real pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from market.auth.models import ApiToken, User
from market.db import db
from market.providers.models import Provider
from tests.factories import PASSWORD, login


def _register(client: FlaskClient, **overrides: str) -> FlaskClient:
    data = {
        "role": "enterprise",
        "provider_kind": "",
        "name": "王晓明",
        "email": "wang@example.com",
        "organisation": "苏州瑞锋新能源科技有限公司",
        "province": "32",
        "password": "Secret-pass1",
        "confirm": "Secret-pass1",
    }
    data.update(overrides)
    return client.post("/auth/register", data=data)


def test_enterprise_registers_and_lands_on_its_needs(client: FlaskClient, app: Flask) -> None:
    response = _register(client)
    assert response.status_code == 302
    assert client.get("/needs/mine").status_code == 200
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "wang@example.com"))
        assert user.role == "enterprise"
        assert user.organisation.name == "苏州瑞锋新能源科技有限公司"
        assert user.password_hash != "Secret-pass1"


def test_society_registration_creates_an_organisation_profile(client: FlaskClient, app: Flask) -> None:
    response = _register(
        client,
        role="provider",
        provider_kind="society",
        organisation="江苏省储能学会",
        email="soc@example.com",
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "soc@example.com"))
        profile = db.session.scalar(
            db.select(Provider).where(Provider.organisation_id == user.organisation_id)
        )
        assert profile.kind == "society"
        assert profile.status == "draft"


def test_registration_errors_are_shown_and_nothing_is_written(client: FlaskClient, app: Flask) -> None:
    response = _register(client, password="short", confirm="short", organisation="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "密码至少 10 位" in page
    assert "请填写企业或机构名称" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_duplicate_email_is_refused(client: FlaskClient, make) -> None:  # type: ignore[no-untyped-def]
    user_id = make.user("enterprise")
    email = make.get(User, user_id).email
    response = _register(client, email=email.upper())
    assert "该邮箱已注册" in response.get_data(as_text=True)


def test_unknown_account_and_wrong_password_get_the_same_page(client: FlaskClient, make) -> None:  # type: ignore[no-untyped-def]
    user = make.get(User, make.user("enterprise"))
    wrong = client.post("/auth/login", data={"email": user.email, "password": "nope-nope-1"})
    unknown = client.post("/auth/login", data={"email": "nobody@example.com", "password": "nope-nope-1"})
    assert wrong.status_code == unknown.status_code == 200

    def message(page: str) -> str:
        return page[page.index('class="alert') :][:200]

    assert message(wrong.get_data(as_text=True)) == message(unknown.get_data(as_text=True))


def test_wrong_password_is_refused_with_a_message(client: FlaskClient, make) -> None:  # type: ignore[no-untyped-def]
    user = make.get(User, make.user("enterprise"))
    response = client.post("/auth/login", data={"email": user.email, "password": "nope-nope-1"})
    assert response.status_code == 200
    assert "邮箱或密码错误" in response.get_data(as_text=True)
    assert client.get("/needs/mine").status_code == 302  # still anonymous → sent to login


def test_login_rotates_the_session_and_logout_ends_it(client: FlaskClient, make) -> None:  # type: ignore[no-untyped-def]
    user_id = make.user("enterprise")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, user_id)
    with client.session_transaction() as session:
        assert "planted" not in session
    client.post("/auth/logout")
    assert client.get("/needs/mine").status_code == 302


def test_logout_everywhere_invalidates_other_sessions(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user_id = make.user("enterprise")
    first, second = login(app.test_client(), user_id), login(app.test_client(), user_id)
    assert second.get("/needs/mine").status_code == 200
    first.post("/auth/logout-everywhere")
    assert second.get("/needs/mine").status_code == 302


def test_open_redirect_after_login_is_refused(client: FlaskClient, make) -> None:  # type: ignore[no-untyped-def]
    user = make.get(User, make.user("enterprise"))
    response = client.post(
        "/auth/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"].startswith("/")


def test_language_switch_to_english_and_back(client: FlaskClient) -> None:
    client.post("/auth/lang/en", data={"next": "/"})
    assert "Latest technical needs" in client.get("/").get_data(as_text=True)
    client.post("/auth/lang/zh", data={"next": "/"})
    assert "技术需求" in client.get("/").get_data(as_text=True)


def test_api_tokens_page_creates_and_revokes(client: FlaskClient, app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    login(client, owner)
    page = client.post("/auth/tokens", data={"name": "erp"}).get_data(as_text=True)
    assert "kc_" in page
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken).filter_by(user_id=owner)).one()
        token_id = token.id
        assert token.revoked_at is None
    # Someone else cannot revoke it: the same 404 as a token that does not exist.
    other = app.test_client()
    login(other, make.user("enterprise"))
    assert other.post(f"/auth/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get_one(ApiToken, token_id).revoked_at is None
    assert client.post(f"/auth/tokens/{token_id}/revoke").status_code == 302
    with app.app_context():
        assert db.session.get_one(ApiToken, token_id).revoked_at is not None


def test_name_length_counts_what_is_stored_not_the_spaces(client: FlaskClient, app: Flask) -> None:
    # Found by the hypothesis form properties: " 张 " passed the 2-character minimum, "张" was stored.
    response = _register(client, name=" 张 ")
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
    _register(client, name=" 王晓明 ")
    with app.app_context():
        assert db.session.scalar(db.select(User.name)) == "王晓明"
