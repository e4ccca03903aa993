"""Posting notices (issue 15, point 4): the owner is told in the app and by mail (the POSTINGS kind) when
a broker approves or returns a need or a provider profile, with the reason; providers engaged on a need
are told when it is withdrawn."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from market import messages
from market.db import db
from market.mail import outbox
from market.mail.models import EmailOutbox
from market.orders.models import Notification
from tests.factories import APPROVED, login


def _notices(app: Flask, user_id: int) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id))
        return [(row.message_key or "", dict(row.message_params or {})) for row in rows]


def _mails(app: Flask, user_id: int) -> list[tuple[str | None, str]]:
    with app.app_context():
        rows = db.session.scalars(select(EmailOutbox).where(EmailOutbox.user_id == user_id))
        return [(row.message_key, row.kind) for row in rows]


def test_owner_is_told_when_a_need_is_approved(app: Flask, make: Any) -> None:
    owner = make.user("enterprise")
    colleague = make.user("enterprise", org=make.org_of(owner))
    need_id = make.need(owner, status="pending", title="注塑件翘曲变形")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    assert broker.post(f"/review/need/{need_id}/approve").status_code == 302
    for user_id in (owner, colleague):
        assert _notices(app, user_id) == [("need.approved", {"title": "注塑件翘曲变形", "need_id": need_id})]
        assert _mails(app, user_id) == [("need.approved", outbox.POSTINGS)]
    page = login(app.test_client(), owner).get("/orders/notifications").get_data(as_text=True)
    assert "您的需求“注塑件翘曲变形”已通过审核" in page


def test_owner_is_told_why_a_profile_was_returned(app: Flask, make: Any) -> None:
    provider_user = make.user("provider")
    provider_id = make.provider_id_of(provider_user)
    make.set_provider_status(provider_id, "pending")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    response = broker.post(f"/review/provider/{provider_id}/return", data={"reason": "请补充代表性成果"})
    assert response.status_code == 302
    [(key, params)] = _notices(app, provider_user)
    assert key == "profile.returned" and params["reason"] == "请补充代表性成果"
    assert _mails(app, provider_user) == [("profile.returned", outbox.POSTINGS)]
    with app.test_request_context():
        assert "请补充代表性成果" in messages.render(key, params, "en")
        assert messages.link(key, params) == "/me/profile"


def test_a_refused_review_tells_nobody(app: Flask, make: Any) -> None:
    owner = make.user("enterprise")
    need_id = make.need(owner, status="pending", province="11")
    outsider = login(app.test_client(), make.user("broker", regions=("32",)))
    assert outsider.post(f"/review/need/{need_id}/approve").status_code == 403
    assert _notices(app, owner) == [] and _mails(app, owner) == []


def test_engaged_providers_are_told_when_a_need_is_withdrawn(app: Flask, make: Any) -> None:
    owner = make.user("enterprise")
    provider_user = make.user("provider")
    provider_id = make.provider_id_of(provider_user)
    make.set_provider_status(provider_id, APPROVED)
    need_id = make.need(owner, status=APPROVED, is_open_call=True)
    login(app.test_client(), provider_user).post(
        f"/orders/proposals/need/{need_id}", data={"approach": "低温自加热方案，三个月完成样机验证。"}
    )
    client = login(app.test_client(), owner)
    assert client.post(f"/needs/{need_id}/withdraw").status_code == 302
    assert ("need.withdrawn", {"title": "冬季低温下电动物流车续航下降", "need_id": need_id}) in _notices(
        app, provider_user
    )
