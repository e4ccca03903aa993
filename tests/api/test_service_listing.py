"""The API side of 下架 / 重新上架 (issue 12, point 7): DELETE of an ordered service answers 409, and
the withdraw / relist operations change what the public menu and 点单 accept."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from market.auth.models import User
from market.db import commit, db
from market.orders import services as orders
from market.providers.models import ServiceItem
from tests.api.conftest import Api
from tests.factories import APPROVED


@pytest.fixture
def ordered(app: Flask, make: Any, token: Any) -> dict[str, Any]:
    provider_user = make.user("provider")
    provider = make.provider_id_of(provider_user)
    make.set_provider_status(provider, APPROVED)
    service = make.service(provider)
    enterprise = make.user("enterprise")
    with app.app_context():
        orders.order_service(db.session.get(User, enterprise), db.session.get(ServiceItem, service))
        commit()
    return {
        "provider": provider,
        "service": service,
        "provider_token": token(provider_user),
        "enterprise_token": token(enterprise),
    }


def test_delete_of_an_ordered_service_is_409_and_keeps_it(
    api: Api, make: Any, ordered: dict[str, Any]
) -> None:
    response = api.delete(f"/me/provider/services/{ordered['service']}", ordered["provider_token"])
    assert response.status_code == 409
    assert "下架" in response.get_json()["error"]
    assert make.get(ServiceItem, ordered["service"]) is not None


def test_withdraw_and_relist(api: Api, ordered: dict[str, Any]) -> None:
    own, path = ordered["provider_token"], f"/me/provider/services/{ordered['service']}"
    withdrawn = api.post(f"{path}/withdraw", own)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["active"] is False
    assert ordered["service"] not in {s["id"] for s in api.get("/services").get_json()["items"]}
    detail = api.get(f"/providers/{ordered['provider']}").get_json()
    assert ordered["service"] not in {s["id"] for s in detail["services"]}
    # still the provider's own, marked as off the menu
    mine = api.get("/me/provider", own).get_json()
    assert {s["id"]: s["active"] for s in mine["services"]}[ordered["service"]] is False
    refused = api.client.post(  # orders live on their own blueprint, outside the Api helper's checks
        "/api/v1/orders",
        json={"service_id": ordered["service"]},
        headers={"Authorization": f"Bearer {ordered['enterprise_token']}"},
    )
    assert refused.status_code == 403

    relisted = api.post(f"{path}/relist", own)
    assert relisted.status_code == 200 and relisted.get_json()["active"] is True
    assert ordered["service"] in {s["id"] for s in api.get("/services").get_json()["items"]}


def test_only_the_owner_withdraws(api: Api, make: Any, token: Any, ordered: dict[str, Any]) -> None:
    stranger = token(make.user("provider"))
    for action in ("withdraw", "relist"):
        assert api.post(f"/me/provider/services/{ordered['service']}/{action}", stranger).status_code == 404
    assert api.post(f"/me/provider/services/{ordered['service']}/withdraw").status_code == 401
    assert make.get(ServiceItem, ordered["service"]).active is True


def test_an_unordered_service_and_achievements_still_delete(
    api: Api, make: Any, ordered: dict[str, Any]
) -> None:
    spare = make.service(ordered["provider"], title="电池管理系统软件咨询")
    achievement = make.achievement(ordered["provider"])
    own = ordered["provider_token"]
    assert api.delete(f"/me/provider/services/{spare}", own).status_code == 204
    assert api.delete(f"/me/provider/achievements/{achievement}", own).status_code == 204
