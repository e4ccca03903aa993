"""Brokers review postings in their regions; only approved postings are public."""

from __future__ import annotations

from flask import Flask

from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.providers.models import Provider
from tests.factories import login


def test_broker_approves_need_in_region_and_it_becomes_public(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(make.user("enterprise"), status="pending", province="32")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    assert "冬季低温" in broker.get("/review/").get_data(as_text=True)
    assert broker.post(f"/review/need/{need_id}/approve").status_code == 302
    assert make.get(Need, need_id).status == "approved"
    assert app.test_client().get(f"/needs/{need_id}").status_code == 200


def test_broker_outside_region_neither_sees_nor_approves(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(make.user("enterprise"), status="pending", province="44")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    assert "冬季低温" not in broker.get("/review/").get_data(as_text=True)
    assert broker.post(f"/review/need/{need_id}/approve").status_code == 403
    assert make.get(Need, need_id).status == "pending"


def test_return_requires_a_reason_and_the_owner_sees_it(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner_id = make.user("enterprise")
    need_id = make.need(owner_id, status="pending")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    page = broker.post(f"/review/need/{need_id}/return", data={"reason": "  "}, follow_redirects=True)
    assert "退回时必须填写原因" in page.get_data(as_text=True)
    assert make.get(Need, need_id).status == "pending"
    broker.post(f"/review/need/{need_id}/return", data={"reason": "请补充目标指标"})
    assert make.get(Need, need_id).status == "returned"
    owner = login(app.test_client(), owner_id)
    assert "请补充目标指标" in owner.get(f"/needs/{need_id}").get_data(as_text=True)


def test_approving_twice_is_a_conflict_not_a_second_event(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(make.user("enterprise"), status="pending")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    broker.post(f"/review/need/{need_id}/approve")
    assert broker.post(f"/review/need/{need_id}/approve").status_code == 409
    with app.app_context():
        from market.db import db

        assert db.session.scalar(db.select(db.func.count()).select_from(ModerationEvent)) == 1


def test_enterprise_and_provider_cannot_review(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(make.user("enterprise"), status="pending")
    for role in ("enterprise", "provider"):
        client = login(app.test_client(), make.user(role))
        assert client.get("/review/").status_code == 403
        assert client.post(f"/review/need/{need_id}/approve").status_code == 403


def test_provider_profile_review_cycle(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user = make.user("provider")
    provider_id = make.provider_id_of(user)
    client = login(app.test_client(), user)
    client.post("/me/profile/submit")
    assert make.get(Provider, provider_id).status == "pending"
    assert app.test_client().get(f"/providers/{provider_id}").status_code == 404
    admin = login(app.test_client(), make.user("admin"))
    admin.post(f"/review/provider/{provider_id}/approve")
    assert app.test_client().get(f"/providers/{provider_id}").status_code == 200
