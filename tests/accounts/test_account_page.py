"""Editing one's own account (/me/account and PATCH /api/v1/me): name, language, phone, WeChat and
which details the other party of an accepted order sees. Bad input: a clear message, nothing written."""

from __future__ import annotations

from typing import Any

from flask import Flask

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from tests.factories import PASSWORD, login

FORM = {
    "name": "李工",
    "locale": "en",
    "phone": "+86 138-0013-8000",
    "wechat": "li_gong",
    "share_phone": "y",
    "share_wechat": "y",
}


def _token(app: Flask, user_id: int) -> str:
    with app.app_context():
        token, _record = auth.create_api_token(db.session.get_one(User, user_id), "t")
        db.session.commit()
    return token


def test_the_account_page_saves_details_and_language(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    page = client.get("/me/account").get_data(as_text=True)
    assert "我的账号" in page and "修改密码" in page and "更改邮箱" in page
    assert client.post("/me/account", data=FORM).status_code == 302
    user = make.get(User, user_id)
    assert (user.name, user.locale, user.phone, user.wechat) == ("李工", "en", "+86 138-0013-8000", "li_gong")
    assert (user.share_email, user.share_phone, user.share_wechat) == (False, True, True)
    # The page now speaks the chosen language.
    assert "My account" in client.get("/me/account").get_data(as_text=True)
    # /me/contact shows the same details (one writer, market.auth.accounts.set_contact_details).
    assert "li_gong" in client.get("/me/contact").get_data(as_text=True)


def test_bad_account_input_writes_nothing(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    before = make.get(User, user_id)
    client = login(app.test_client(), user_id)
    for bad in (
        {"phone": "call me"},
        {"wechat": "微信 号"},
        {"name": ""},
        {"locale": "fr"},
        {"name": "x" * 61},
    ):
        response = client.post("/me/account", data={**FORM, **bad})
        assert response.status_code == 422, bad
    after = make.get(User, user_id)
    assert (after.name, after.locale, after.phone) == (before.name, before.locale, before.phone)
    assert "电话只能包含数字" in client.post("/me/account", data={**FORM, "phone": "call"}).get_data(
        as_text=True
    )


def test_the_account_pages_need_a_login(app: Flask) -> None:
    client = app.test_client()
    for method, url in (("GET", "/me/account"), ("POST", "/me/account"), ("POST", "/me/account/password")):
        response = client.open(url, method=method)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url


def test_api_me_reads_and_changes_the_account(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    headers = {"Authorization": f"Bearer {_token(app, user_id)}"}
    client = app.test_client()
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["email_verified"] is True and me["pending_email"] is None and me["locale"] == "zh"
    changed = client.patch("/api/v1/me", headers=headers, json={"wechat": "li_gong", "share_wechat": True})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["wechat"] == "li_gong" and changed.get_json()["share_wechat"] is True
    assert make.get(User, user_id).name == me["name"]  # fields left out keep their value
    bad = client.patch("/api/v1/me", headers=headers, json={"phone": "call me"})
    assert bad.status_code == 422 and "phone" in bad.get_json()["fields"]
    assert client.patch("/api/v1/me", headers=headers, json={"role": "admin"}).status_code == 400
    assert make.get(User, user_id).role == "enterprise"


def test_api_password_change_checks_the_current_password(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    headers = {"Authorization": f"Bearer {_token(app, user_id)}"}
    client = app.test_client()
    body = {
        "current_password": "Wrong-passw0rd",
        "password": "Fresh-horse7-battery",
        "confirm": "Fresh-horse7-battery",
    }
    wrong = client.post("/api/v1/me/password", headers=headers, json=body)
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["fields"]
    browser = login(app.test_client(), user_id)
    done = client.post("/api/v1/me/password", headers=headers, json={**body, "current_password": PASSWORD})
    assert done.status_code == 204
    assert browser.get("/needs/mine").status_code == 302  # the browser login ended
    # API tokens stay valid.
    assert client.get("/api/v1/me", headers=headers).status_code == 200
