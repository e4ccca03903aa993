"""认领单位: a broker mails a contact of an organisation without accounts a single-use, expiring link;
the contact registers through it and becomes a member, who then receives what is sent to the organisation."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from market.auth.models import Organisation, User
from market.broker.models import OrganisationClaim
from market.db import db, utcnow
from market.mail import compose
from market.mail.models import EmailOutbox
from tests.factories import login


def _org(app: Flask, province: str = "32", kind: str = "enterprise") -> int:
    with app.app_context():
        org = Organisation(name="苏州精工模具有限公司", kind=kind, province=province)
        db.session.add(org)
        db.session.commit()
        return org.id


def _mailed_token(app: Flask, address: str) -> str:
    with app.app_context():
        row = db.session.scalars(
            select(EmailOutbox).where(EmailOutbox.to == address).order_by(EmailOutbox.id.desc())
        ).first()
        assert row is not None and row.user_id is None and row.kind == "account" and row.state == "queued"
        mail = compose.render(row)
        assert "苏州精工模具有限公司" in mail.subject + mail.body
        link = re.search(r"/broker/claim/([A-Za-z0-9_-]+)", mail.body)
        assert link is not None
        return link.group(1)


def test_broker_invites_and_the_contact_joins(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    org_id = _org(app)
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    page = broker.get(f"/broker/organisations/{org_id}/invite")
    assert page.status_code == 200 and 'data-testid="claim-form"' in page.get_data(as_text=True)
    bad = broker.post(f"/broker/organisations/{org_id}/invite", data={"email": "not-an-address"})
    assert bad.status_code == 422 and "有效的邮箱" in bad.get_data(as_text=True)
    sent = broker.post(f"/broker/organisations/{org_id}/invite", data={"email": " Zhang@Mould.example.com "})
    assert sent.status_code == 302
    token = _mailed_token(app, "zhang@mould.example.com")
    with app.app_context():
        claim = db.session.scalar(select(OrganisationClaim))
        assert claim is not None and claim.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (claim.token_hash, claim.email)  # only the hash is stored

    contact = app.test_client()
    form = contact.get(f"/broker/claim/{token}")
    assert form.status_code == 200 and "zhang@mould.example.com" in form.get_data(as_text=True)
    weak = contact.post(f"/broker/claim/{token}", data={"name": "张工", "password": "123"})
    assert weak.status_code == 422
    done = contact.post(f"/broker/claim/{token}", data={"name": "张工", "password": "Mould-Works-2026!"})
    assert done.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "zhang@mould.example.com"))
        assert user is not None and user.organisation_id == org_id and user.role == "enterprise"
        assert user.email_verified
    assert contact.get("/needs/mine").status_code == 200  # logged in as the new member
    # Single use: the link is spent; and the organisation now has a member, so no more broker invitations.
    assert app.test_client().get(f"/broker/claim/{token}").status_code == 422
    again = broker.post(f"/broker/organisations/{org_id}/invite", data={"email": "li@mould.example.com"})
    assert again.status_code == 422 and "已有账号" in again.get_data(as_text=True)


def test_links_expire_and_a_new_one_replaces_the_old(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    org_id = _org(app)
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    broker.post(f"/broker/organisations/{org_id}/invite", data={"email": "a@mould.example.com"})
    first = _mailed_token(app, "a@mould.example.com")
    broker.post(f"/broker/organisations/{org_id}/invite", data={"email": "a@mould.example.com"})
    second = _mailed_token(app, "a@mould.example.com")
    assert app.test_client().get(f"/broker/claim/{first}").status_code == 422  # replaced
    assert app.test_client().get(f"/broker/claim/{second}").status_code == 200
    with app.app_context():
        db.session.execute(update(OrganisationClaim).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    expired = app.test_client().post(
        f"/broker/claim/{second}", data={"name": "A", "password": "Mould-Works-2026!"}
    )
    assert expired.status_code == 422 and "已过期" in expired.get_data(as_text=True)
    assert app.test_client().get("/broker/claim/not-a-token").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "a@mould.example.com")) is None


def test_only_brokers_of_the_region_invite(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    org_id = _org(app, province="32")
    url = f"/broker/organisations/{org_id}/invite"
    outsider = login(app.test_client(), make.user("broker", regions=("44",)))
    assert outsider.get(url).status_code == 403
    assert outsider.post(url, data={"email": "x@example.com"}).status_code == 403
    for role in ("enterprise", "provider"):
        assert (
            login(app.test_client(), make.user(role)).post(url, data={"email": "x@example.com"}).status_code
            == 403
        )
    assert app.test_client().get(url).status_code in (302, 401)
    admin = login(app.test_client(), make.user("admin"))
    assert admin.get(url).status_code == 200
    assert admin.get("/broker/organisations/999999/invite").status_code == 404
    taken = make.user("enterprise")
    with app.app_context():
        email = db.session.get(User, taken).email
    refused = admin.post(url, data={"email": email})
    assert refused.status_code == 422 and "已有账号" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OrganisationClaim)) is None
        assert db.session.scalar(select(EmailOutbox).where(EmailOutbox.to == "x@example.com")) is None
