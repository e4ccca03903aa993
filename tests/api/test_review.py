"""The review queue and decisions over the API."""

from __future__ import annotations

from typing import Any

from market.needs.models import Need
from market.providers.models import Provider
from tests.api.conftest import Api
from tests.factories import APPROVED


def test_queue_is_scoped_to_the_brokers_regions(api: Api, make: Any, token: Any) -> None:
    owner = make.user("enterprise")
    in_region = make.need(owner, status="pending", province="32")
    elsewhere = make.need(owner, status="pending", province="11")
    make.need(owner, status="draft", province="32")
    profile = make.provider_id_of(make.user("provider"))
    make.set_provider_status(profile, "pending")

    broker = api.get("/review/queue", token(make.user("broker", regions=("32",)))).get_json()
    assert {(i["kind"], i["id"]) for i in broker["items"]} == {("need", in_region), ("provider", profile)}
    assert broker["total"] == 2

    admin = token(make.user("admin"))
    everything = api.get("/review/queue", admin).get_json()
    assert {(i["kind"], i["id"]) for i in everything["items"]} == {
        ("need", in_region),
        ("need", elsewhere),
        ("provider", profile),
    }
    only_needs = api.get("/review/queue", admin, query={"kind": "need"}).get_json()
    assert {i["kind"] for i in only_needs["items"]} == {"need"} and only_needs["total"] == 2
    paged = api.get("/review/queue", admin, query={"per_page": 2, "page": 2}).get_json()
    assert (len(paged["items"]), paged["total"]) == (1, 3)


def test_queue_is_for_reviewers_only(api: Api, make: Any, token: Any) -> None:
    for role in ("enterprise", "provider"):
        assert api.get("/review/queue", token(make.user(role))).status_code == 403
    assert api.get("/review/queue").status_code == 401


def test_approve_need(api: Api, make: Any, token: Any) -> None:
    need_id = make.need(make.user("enterprise"), status="pending")
    response = api.post(f"/review/need/{need_id}/approve", token(make.user("broker", regions=("32",))))
    assert response.status_code == 200 and response.get_json()["status"] == APPROVED
    assert make.get(Need, need_id).status == APPROVED
    assert api.get(f"/needs/{need_id}").status_code == 200
    assert api.post(f"/review/need/{need_id}/approve", token(make.user("admin"))).status_code == 409


def test_return_provider_with_reason(api: Api, make: Any, token: Any) -> None:
    user_id = make.user("provider")
    profile = make.provider_id_of(user_id)
    make.set_provider_status(profile, "pending")
    broker = token(make.user("broker", regions=("32",)))
    assert api.post(f"/review/provider/{profile}/return", broker, json={"reason": "  "}).status_code == 422
    assert api.post(f"/review/provider/{profile}/return", broker, json={}).status_code == 422
    assert api.post(f"/review/provider/{profile}/return", broker, json={"reason": 5}).status_code == 400
    long = api.post(f"/review/provider/{profile}/return", broker, json={"reason": "长" * 1001})
    assert long.status_code == 422 and "reason" in long.get_json()["fields"]
    assert api.post(f"/review/provider/{profile}/return", broker, data="reason=x").status_code == 400
    response = api.post(f"/review/provider/{profile}/return", broker, json={"reason": "请补充成果证明材料。"})
    assert response.status_code == 200 and response.get_json()["status"] == "returned"
    own = api.get("/me/provider", token(user_id)).get_json()
    assert own["review_note"] == "请补充成果证明材料。" and own["history"][-1]["action"] == "return"
    assert make.get(Provider, profile).status == "returned"


def test_review_errors(api: Api, make: Any, token: Any) -> None:
    need_id = make.need(make.user("enterprise"), status="pending", province="32")
    outsider = token(make.user("broker", regions=("11",)))
    assert api.post(f"/review/need/{need_id}/approve", outsider).status_code == 403
    assert api.post(f"/review/need/{need_id}/return", outsider, json={"reason": "不通过"}).status_code == 403
    assert api.post("/review/need/999999/approve", outsider).status_code == 404
    assert api.post(f"/review/order/{need_id}/approve", outsider).status_code == 404
    assert api.post(f"/review/need/{need_id}/approve", token(make.user("enterprise"))).status_code == 403
    assert api.post(f"/review/need/{need_id}/approve").status_code == 401
    assert make.get(Need, need_id).status == "pending"
