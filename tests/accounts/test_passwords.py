"""Forgotten and changed passwords (issue 15, point 3): single-use links that expire, the same answer
for unknown addresses, the shared brute-force budget, and every other login ended."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from market.auth import accounts, passwords
from market.auth.models import AccountToken, RememberToken, User, UserSession
from market.db import db, utcnow
from market.mail import outbox
from tests.accounts.helpers import NEW_PASSWORD, mails, token_of
from tests.factories import PASSWORD, login

RESET_KEY = "account.password_reset"


@pytest.fixture
def low_limit(app: Flask) -> Iterator[None]:
    old = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["LOGIN_RATE_LIMIT"] = old


def _email(make: Any, user_id: int) -> str:
    return str(make.get(User, user_id).email)


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/needs/mine").status_code == 200


def _forgot(client: FlaskClient, email: str, address: str = "10.0.0.1") -> Any:
    return client.post("/auth/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def test_login_page_links_to_forgot_password(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert "忘记密码" in page and 'href="/auth/forgot"' in page


def test_forgot_password_answers_the_same_for_unknown_addresses(app: Flask, make: Any) -> None:
    email = _email(make, make.user("enterprise"))
    known, unknown = app.test_client(), app.test_client()
    answers = []
    for client, address in ((known, email), (unknown, "nobody@example.com")):
        response = _forgot(client, address)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], "如果该邮箱已注册" in page))
    assert answers[0] == answers[1] == (302, "/auth/login", True)
    [row] = mails(app, RESET_KEY)
    assert row.to == email and row.kind == outbox.ACCOUNT
    assert mails(app, RESET_KEY, to="nobody@example.com") == []


def test_only_the_hash_of_a_reset_token_is_stored(app: Flask, make: Any, client: FlaskClient) -> None:
    _forgot(client, _email(make, make.user("enterprise")))
    token = token_of(mails(app, RESET_KEY)[0])
    with app.app_context():
        [record] = db.session.scalars(select(AccountToken))
        stored = (record.token_hash, record.email, record.purpose)
        assert token not in stored and len(record.token_hash) == 64
        lifetime = record.expires_at - record.created_at
    assert lifetime == timedelta(hours=1)


def test_reset_sets_the_password_ends_every_login_and_the_link_works_once(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    email = _email(make, user_id)
    laptop, phone = login(app.test_client(), user_id), app.test_client()
    phone.post("/auth/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert _logged_in(laptop) and _logged_in(phone)
    browser = app.test_client()
    _forgot(browser, email)
    token = token_of(mails(app, RESET_KEY)[0])
    assert browser.get(f"/auth/reset/{token}").status_code == 200
    mismatch = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    assert browser.post(f"/auth/reset/{token}", data=mismatch).status_code == 422
    done = browser.post(f"/auth/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    assert not _logged_in(laptop) and not _logged_in(phone)
    with app.app_context():
        user = db.session.get_one(User, user_id)
        assert passwords.verify(user.password_hash, NEW_PASSWORD)
        live = select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        assert list(db.session.scalars(live)) == []
        remembered = select(RememberToken).where(RememberToken.user_id == user_id)
        assert all(t.revoked_at is not None for t in db.session.scalars(remembered))
    # The link is used up: a second use is refused with a clear message, and nothing changes.
    again = browser.post(
        f"/auth/reset/{token}", data={"password": "Other-pass-99x", "confirm": "Other-pass-99x"}
    )
    assert again.status_code == 422 and "链接无效或已过期" in again.get_data(as_text=True)
    assert browser.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 200
    assert browser.post("/auth/login", data={"email": email, "password": NEW_PASSWORD}).status_code == 302


def test_an_expired_or_replaced_link_is_refused(app: Flask, make: Any, client: FlaskClient) -> None:
    email = _email(make, make.user("enterprise"))
    _forgot(client, email)
    first = token_of(mails(app, RESET_KEY)[0])
    _forgot(client, email)
    second = token_of(mails(app, RESET_KEY)[1])
    new = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    replaced = client.post(f"/auth/reset/{first}", data=new)
    assert replaced.status_code == 422 and "链接无效或已过期" in replaced.get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    expired = client.get(f"/auth/reset/{second}")
    assert expired.status_code == 422 and "重新申请" in expired.get_data(as_text=True)
    assert client.post(f"/auth/reset/{second}", data=new).status_code == 422
    assert client.get("/auth/reset/not-a-token").status_code == 422
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and passwords.verify(user.password_hash, PASSWORD)


def test_a_verification_link_does_not_reset_a_password(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    with app.app_context():
        user = db.session.get_one(User, user_id)
        user.pending_email = "new@example.com"
        token, _address = accounts.start_verification(user) or ("", "")
        db.session.commit()
    response = app.test_client().get(f"/auth/reset/{token}")
    assert response.status_code == 422


@pytest.mark.usefixtures("low_limit")
def test_forgot_password_is_rate_limited_with_the_login_budget(app: Flask, make: Any) -> None:
    email = _email(make, make.user("enterprise"))
    client = app.test_client()
    statuses = [_forgot(client, address).status_code for address in (email, "x@example.com", "y@example.com")]
    assert statuses == [302, 302, 302]
    refused = _forgot(client, email)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(mails(app, RESET_KEY)) == 1
    # Another client address is not affected.
    assert _forgot(app.test_client(), email, address="10.0.0.2").status_code == 302


def _change(client: FlaskClient, current: str, new: str = NEW_PASSWORD) -> Any:
    data = {"pw-current_password": current, "pw-password": new, "pw-confirm": new}
    return client.post("/me/account/password", data=data)


def test_change_password_asks_the_current_one(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    wrong = _change(client, "Not-my-passw0rd")
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    common = _change(client, PASSWORD, new="password123")
    assert common.status_code == 422
    with app.app_context():
        assert passwords.verify(db.session.get_one(User, user_id).password_hash, PASSWORD)


def test_change_password_ends_every_other_session_and_remember_token(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    email = _email(make, user_id)
    here, laptop, phone = (
        login(app.test_client(), user_id),
        login(app.test_client(), user_id),
        app.test_client(),
    )
    phone.post("/auth/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    remember = phone.get_cookie("remember_token")
    assert remember is not None
    response = _change(here, PASSWORD)
    assert response.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(laptop) and not _logged_in(phone)
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert not _logged_in(thief)
    assert here.post("/auth/logout").status_code == 302
    assert here.post("/auth/login", data={"email": email, "password": NEW_PASSWORD}).status_code == 302


def test_wrong_current_passwords_count_against_the_budget(app: Flask, make: Any, low_limit: None) -> None:
    client = login(app.test_client(), make.user("enterprise"))
    statuses = [_change(client, f"Wrong-pass-{n}1").status_code for n in range(3)]
    assert statuses == [422, 422, 422]
    assert _change(client, PASSWORD).status_code == 429


def test_password_and_address_steps_leave_security_events(app: Flask, make: Any) -> None:
    from market.security.models import SecurityEvent

    user_id = make.user("enterprise")
    email = _email(make, user_id)
    client = login(app.test_client(), user_id)
    assert _change(client, PASSWORD).status_code == 302
    browser = app.test_client()
    _forgot(browser, email)
    _forgot(browser, "nobody-here@example.com")
    token = token_of(mails(app, RESET_KEY)[0])
    browser.post(f"/auth/reset/{token}", data={"password": PASSWORD + "Z9", "confirm": PASSWORD + "Z9"})
    with app.app_context():
        rows = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
        seen = [(r.event, r.user_id, r.account) for r in rows if r.event.startswith("password.")]
    assert seen == [
        ("password.changed", user_id, email),
        ("password.reset_requested", user_id, email),
        ("password.reset_requested", None, "nobody-here@example.com"),
        ("password.reset", user_id, email),
    ]
    # The token itself never reaches the log.
    assert all(token not in str(r.details) for r in rows)
