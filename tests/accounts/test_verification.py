"""Verified addresses (issue 15, point 3): a self-registered account is unverified until it opens the
mailed link; until then it browses and drafts but may not submit, order or answer (one 403, one
message); a new address replaces the old one only once its own link is opened."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from market.auth import accounts
from market.auth.models import User
from market.db import db
from market.errors import Forbidden
from market.mail import outbox
from market.needs.models import Need
from market.orders import proposals, services
from market.orders.terms import ProposalTerms
from market.providers.models import Provider, ServiceItem
from tests.accounts.helpers import REGISTRATION, mails, register, token_of
from tests.factories import APPROVED, PASSWORD, login

VERIFY_KEY = "account.verify_email"
NEED_FORM = {
    "title": "冬季低温下电动物流车续航下降",
    "description": "我司电动物流车在零下二十度续航下降约百分之四十，希望找到电池热管理方案。",
    "field_code": "ev",
    "province": "32",
    "cooperation_mode": "develop",
}


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        db.session.expunge(user)
        return user


def _unverify(app: Flask, user_id: int) -> None:
    with app.app_context():
        db.session.get_one(User, user_id).email_verified = False
        db.session.commit()


def test_existing_and_factory_accounts_count_as_verified(app: Flask, make: Any) -> None:
    assert make.get(User, make.user("enterprise")).email_verified is True


def test_registration_starts_unverified_and_mails_a_link(app: Flask, client: FlaskClient) -> None:
    register(client)
    user = _user(app, REGISTRATION["email"])
    assert user.email_verified is False and user.pending_email is None
    [row] = mails(app, VERIFY_KEY)
    assert row.to == REGISTRATION["email"] and row.kind == outbox.ACCOUNT and row.user_id == user.id
    page = client.get("/needs/mine").get_data(as_text=True)
    assert 'data-testid="unverified-banner"' in page


def test_an_unverified_account_drafts_but_cannot_submit_until_verified(
    app: Flask, client: FlaskClient
) -> None:
    register(client)
    created = client.post("/needs/new", data=NEED_FORM)
    assert created.status_code == 302, created.get_data(as_text=True)[:400]
    with app.app_context():
        need_id = db.session.scalars(select(Need.id)).one()
    refused = client.post(f"/needs/{need_id}/submit")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 403, body[:300]
    assert "请先验证邮箱" in body and "/me/account" in body
    with app.app_context():
        assert db.session.get_one(Need, need_id).status == "draft"
    token = token_of(mails(app, VERIFY_KEY)[0])
    opened = client.get(f"/auth/verify/{token}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/me/account"
    assert _user(app, REGISTRATION["email"]).email_verified is True
    assert 'data-testid="unverified-banner"' not in client.get("/needs/mine").get_data(as_text=True)
    assert client.post(f"/needs/{need_id}/submit").status_code == 302
    with app.app_context():
        assert db.session.get_one(Need, need_id).status == "pending"
    # The link is single-use.
    again = client.get(f"/auth/verify/{token}")
    assert again.status_code == 422 and "链接无效或已过期" in again.get_data(as_text=True)


def test_the_api_gives_the_same_refusal(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    need_id = make.need(user_id)
    _unverify(app, user_id)
    with app.app_context():
        from market.auth import services as auth

        token, _record = auth.create_api_token(db.session.get_one(User, user_id), "t")
        db.session.commit()
    response = app.test_client().post(
        f"/api/v1/needs/{need_id}/submit", headers={"Authorization": f"Bearer {token}"}, json={}
    )
    assert response.status_code == 403
    assert "请先验证邮箱" in response.get_json()["error"]


def test_an_unverified_enterprise_cannot_order_or_invite(app: Flask, make: Any) -> None:
    enterprise = make.user("enterprise")
    provider_user = make.user("provider")
    provider_id = make.provider_id_of(provider_user)
    make.set_provider_status(provider_id, APPROVED)
    service_id = make.service(provider_id)
    need_id = make.need(enterprise, status=APPROVED)
    _unverify(app, enterprise)
    with app.app_context():
        actor = db.session.get_one(User, enterprise)
        with pytest.raises(accounts.Unverified) as ordering:
            services.order_service(actor, db.session.get_one(ServiceItem, service_id), message="")
        with pytest.raises(Forbidden):
            services.invite(
                actor, db.session.get_one(Need, need_id), db.session.get_one(Provider, provider_id)
            )
        db.session.rollback()
    assert ordering.value.status == 403
    client = login(app.test_client(), enterprise)
    page = client.post(f"/orders/new/service/{service_id}", data={"message": "请报价"})
    assert page.status_code == 403 and "请先验证邮箱" in page.get_data(as_text=True)


def test_an_unverified_provider_cannot_answer(app: Flask, make: Any) -> None:
    enterprise = make.user("enterprise")
    provider_user = make.user("provider")
    provider_id = make.provider_id_of(provider_user)
    make.set_provider_status(provider_id, APPROVED)
    need_id = make.need(enterprise, status=APPROVED, is_open_call=True)
    _unverify(app, provider_user)
    with app.app_context():
        actor = db.session.get_one(User, provider_user)
        with pytest.raises(accounts.Unverified):
            proposals.submit(
                actor, db.session.get_one(Need, need_id), ProposalTerms(approach="低温自加热方案")
            )
        db.session.rollback()


def test_resend_verification(app: Flask, client: FlaskClient) -> None:
    register(client)
    response = client.post("/me/account/verify")
    assert response.status_code == 302
    first, second = mails(app, VERIFY_KEY)
    # The newer link replaces the older one.
    assert client.get(f"/auth/verify/{token_of(first)}").status_code == 422
    assert client.get(f"/auth/verify/{token_of(second)}").status_code == 302


def _change_email(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/me/account/email", data={"em-email": email, "em-current_password": password})


def test_an_address_change_takes_effect_only_when_verified(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    old = make.get(User, user_id).email
    client = login(app.test_client(), user_id)
    wrong = _change_email(client, "new@example.com", password="Not-the-passw0rd")
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    taken = _change_email(client, make.get(User, make.user("provider")).email)
    assert taken.status_code == 422 and "该邮箱已注册" in taken.get_data(as_text=True)
    assert _change_email(client, "New@Example.com").status_code == 302
    user = make.get(User, user_id)
    assert (user.email, user.pending_email, user.email_verified) == (old, "new@example.com", True)
    [row] = mails(app, VERIFY_KEY)
    assert row.to == "new@example.com" and row.user_id == user_id
    assert "new@example.com" in client.get("/me/account").get_data(as_text=True)
    assert client.get(f"/auth/verify/{token_of(row)}").status_code == 302
    user = make.get(User, user_id)
    assert (user.email, user.pending_email, user.email_verified) == ("new@example.com", None, True)
    client.post("/auth/logout")
    assert (
        client.post("/auth/login", data={"email": "new@example.com", "password": PASSWORD}).status_code == 302
    )


def test_a_cancelled_address_change_link_is_refused(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    old = make.get(User, user_id).email
    client = login(app.test_client(), user_id)
    assert _change_email(client, "new@example.com").status_code == 302
    assert client.post("/me/account/email/cancel").status_code == 302
    [row] = mails(app, VERIFY_KEY)
    assert client.get(f"/auth/verify/{token_of(row)}").status_code == 422
    assert make.get(User, user_id).email == old


def test_an_address_taken_meanwhile_is_not_moved_to(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    assert _change_email(client, "new@example.com").status_code == 302
    [own_link] = mails(app, VERIFY_KEY)
    register(app.test_client(), email="new@example.com")  # someone else registers the address first
    response = client.get(f"/auth/verify/{token_of(own_link)}")
    assert response.status_code == 422 and "已被其他账号使用" in response.get_data(as_text=True)
    assert make.get(User, user_id).email != "new@example.com"
