"""Providers: directory, detail, service menu, and the provider's own profile, achievements and services."""

from __future__ import annotations

from typing import Any

import pytest

from market.providers.models import Achievement, Provider, ServiceItem
from tests.api.conftest import Api
from tests.factories import APPROVED

ACHIEVEMENT = {
    "kind": "patent",
    "title": "一种储能电池低温自加热方法",
    "description": "已授权发明专利。",
    "year": 2022,
}
EXPERTISE = "长期从事储能电池热管理、低温性能与安全评估研究，主持多项省级项目。"
SERVICE = {
    "category": "testing",
    "title": "电池低温性能检测",
    "description": "按国标开展低温充放电测试。",
    "delivery_mode": "onsite",
    "price_note": "按项目报价",
}


@pytest.fixture
def expert(make: Any) -> tuple[int, int]:
    """(user id, provider id) of an expert whose profile is approved."""
    user_id = make.user("provider")
    provider_id = make.provider_id_of(user_id)
    make.set_provider_status(provider_id, APPROVED)
    return user_id, provider_id


def test_directory_lists_only_approved_profiles(api: Api, make: Any, expert: tuple[int, int]) -> None:
    make.user("provider")  # a draft profile
    body = api.get("/providers").get_json()
    assert [p["id"] for p in body["items"]] == [expert[1]] and body["total"] == 1
    assert body["items"][0]["fields"] == ["ev"]


def test_directory_filters(api: Api, make: Any, expert: tuple[int, int]) -> None:
    society_user = make.user("provider", provider_kind="society")
    society = make.provider_id_of(society_user)
    make.set_provider_status(society, APPROVED)
    make.achievement(society, title="钠离子电池正极材料制备专利")

    def ids(**query: str) -> set[int]:
        return {p["id"] for p in api.get("/providers", query=query).get_json()["items"]}

    assert ids(kind="society") == {society}
    assert ids(kind="expert") == {expert[1]}
    assert ids(field="ev") == {society, expert[1]}
    assert ids(field="ai") == set()
    assert ids(province="11") == set()
    assert ids(q="钠离子") == {society}
    assert ids(available="1") == {society, expert[1]}


def test_detail_has_achievements_and_active_services(api: Api, make: Any, expert: tuple[int, int]) -> None:
    provider_id = expert[1]
    achievement_id = make.achievement(provider_id)
    active = make.service(provider_id)
    hidden = make.service(provider_id, title="已下架的服务项目")
    with make.app.app_context():
        from market.db import db

        db.session.get_one(ServiceItem, hidden).active = False
        db.session.commit()
    body = api.get(f"/providers/{provider_id}").get_json()
    assert [a["id"] for a in body["achievements"]] == [achievement_id]
    assert [s["id"] for s in body["services"]] == [active]
    assert "user_id" not in body and "review_note" not in body


def test_draft_profile_is_404_for_others(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    provider_id = make.provider_id_of(user_id)
    assert api.get(f"/providers/{provider_id}").status_code == 404
    assert api.get(f"/providers/{provider_id}", token(make.user("provider"))).status_code == 404
    assert api.get(f"/providers/{provider_id}", token(user_id)).status_code == 200


def test_services_menu(api: Api, make: Any, expert: tuple[int, int]) -> None:
    testing = make.service(expert[1], title="低温性能检测服务")
    draft_provider = make.provider_id_of(make.user("provider"))
    make.service(draft_provider, title="草稿服务方的服务")
    body = api.get("/services").get_json()
    assert [s["id"] for s in body["items"]] == [testing]
    assert body["items"][0]["provider"] == {
        "id": expert[1],
        "name": body["items"][0]["provider"]["name"],
        "kind": "expert",
        "province": "32",
    }
    assert api.get("/services", query={"category": "consulting"}).get_json()["total"] == 1
    assert api.get("/services", query={"category": "testing"}).get_json()["total"] == 0
    assert api.get("/services", query={"field": "ev", "province": "32", "q": "检测"}).get_json()["total"] == 1
    assert api.get("/services", query={"field": "ai"}).get_json()["total"] == 0


def test_my_provider_and_patch(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    secret = token(user_id)
    mine = api.get("/me/provider", secret).get_json()
    assert mine["status"] == "draft" and mine["history"] == []
    changed = api.patch(
        "/me/provider",
        secret,
        json={"fields": ["energy", "ev"], "title": "研究员", "available": False, "expertise": EXPERTISE},
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["fields"] == ["energy", "ev"] and body["title"] == "研究员" and body["available"] is False
    assert body["expertise"] == EXPERTISE and body["name"] == mine["name"] and body["city"] is None


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"fields": "ev"}, 400),
        ({"fields": ["ev", 3]}, 400),
        ({"available": "no"}, 400),
        ({"user_id": 5}, 400),
        ({"fields": ["ev", "ai", "energy", "materials"]}, 422),
        ({"fields": []}, 422),
        ({"fields": ["unknown"]}, 422),
        ({"expertise": "太短"}, 422),
        ({"city": "1101"}, 422),
    ],
)
def test_patch_profile_errors(api: Api, make: Any, token: Any, change: dict[str, Any], status: int) -> None:
    user_id = make.user("provider")
    response = api.patch("/me/provider", token(user_id), json={"expertise": EXPERTISE, **change})
    assert response.status_code == status
    assert set(change) <= set(response.get_json()["fields"])


def test_approved_profile_goes_back_to_review_when_changed(
    api: Api, token: Any, expert: tuple[int, int]
) -> None:
    body = api.patch(
        "/me/provider", token(expert[0]), json={"title": "教授", "expertise": EXPERTISE}
    ).get_json()
    assert body["status"] == "pending"


def test_submit_and_withdraw_profile(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    secret = token(user_id)
    submitted = api.post("/me/provider/submit", secret)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "pending"
    assert api.post("/me/provider/submit", secret).status_code == 409
    withdrawn = api.post("/me/provider/withdraw", secret)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert api.post("/me/provider/withdraw", secret).status_code == 409
    assert [e["action"] for e in withdrawn.get_json()["history"]] == ["submit", "withdraw"]


def test_submit_incomplete_profile_is_422(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    provider_id = make.provider_id_of(user_id)
    with make.app.app_context():
        from market.db import db

        provider = db.session.get_one(Provider, provider_id)
        provider.expertise = ""
        provider.fields = []
        db.session.commit()
    response = api.post("/me/provider/submit", token(user_id))
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"expertise", "fields"}


def test_users_without_profile_get_404(api: Api, make: Any, token: Any) -> None:
    secret = token(make.user("enterprise"))
    assert api.get("/me/provider", secret).status_code == 404
    assert api.patch("/me/provider", secret, json={}).status_code == 404
    assert api.post("/me/provider/achievements", secret, json=ACHIEVEMENT).status_code == 404


def test_achievement_crud(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    secret = token(user_id)
    created = api.post("/me/provider/achievements", secret, json=ACHIEVEMENT)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["title"] == ACHIEVEMENT["title"] and created.headers["Location"].endswith(f"/{item['id']}")
    changed = api.patch(f"/me/provider/achievements/{item['id']}", secret, json={"year": 2023})
    assert changed.get_json()["year"] == 2023 and changed.get_json()["title"] == ACHIEVEMENT["title"]
    assert (
        api.patch(f"/me/provider/achievements/{item['id']}", secret, json={"year": 1800}).status_code == 422
    )
    assert (
        api.patch(f"/me/provider/achievements/{item['id']}", secret, json={"year": "2020"}).status_code == 400
    )
    assert api.post("/me/provider/achievements", secret, json={"kind": "patent"}).status_code == 422
    assert api.delete(f"/me/provider/achievements/{item['id']}", secret).status_code == 204
    assert make.get(Achievement, item["id"]) is None
    assert api.delete(f"/me/provider/achievements/{item['id']}", secret).status_code == 404


def test_service_crud(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    secret = token(user_id)
    created = api.post("/me/provider/services", secret, json=SERVICE)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["active"] is True  # left out: the form's default
    changed = api.patch(f"/me/provider/services/{item['id']}", secret, json={"active": False})
    assert changed.get_json()["active"] is False and changed.get_json()["title"] == SERVICE["title"]
    assert api.get("/me/provider", secret).get_json()["services"][0]["active"] is False
    bad = api.post("/me/provider/services", secret, json={**SERVICE, "delivery_mode": "teleport"})
    assert bad.status_code == 422 and "delivery_mode" in bad.get_json()["fields"]
    assert api.delete(f"/me/provider/services/{item['id']}", secret).status_code == 204
    assert make.get(ServiceItem, item["id"]) is None


def test_items_of_other_providers_are_404(api: Api, make: Any, token: Any, expert: tuple[int, int]) -> None:
    achievement_id = make.achievement(expert[1])
    service_id = make.service(expert[1])
    other = token(make.user("provider"))
    assert (
        api.patch(f"/me/provider/achievements/{achievement_id}", other, json={"year": 2020}).status_code
        == 404
    )
    assert api.delete(f"/me/provider/achievements/{achievement_id}", other).status_code == 404
    assert api.patch(f"/me/provider/services/{service_id}", other, json={"active": False}).status_code == 404
    assert api.delete(f"/me/provider/services/{service_id}", other).status_code == 404
    assert make.get(Achievement, achievement_id) is not None and make.get(ServiceItem, service_id).active
