"""Needs: public list and detail, create, partial update, submit, withdraw, the enterprise's own list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from market.needs.models import Need
from tests.api.conftest import VALID_NEED, Api
from tests.factories import APPROVED


@pytest.fixture
def owner(make: Any) -> int:
    return make.user("enterprise")


def test_public_list_shows_only_approved_needs(api: Api, make: Any, owner: int) -> None:
    public = make.need(owner, status=APPROVED, title="公开的储能需求标题")
    make.need(owner, status="draft", title="草稿需求不应出现")
    make.need(owner, status="pending", title="待审需求不应出现")
    body = api.get("/needs").get_json()
    assert [item["id"] for item in body["items"]] == [public]
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    assert "confidential_details" not in body["items"][0]


def test_list_filters(api: Api, make: Any, owner: int) -> None:
    ev = make.need(owner, status=APPROVED, field_code="ev", title="电动车电池低温问题")
    ai = make.need(
        owner,
        status=APPROVED,
        field_code="ai",
        province="11",
        cooperation_mode="consult",
        title="视觉质检模型",
        is_open_call=True,
    )
    assert _ids(api, {"field": "ev"}) == [ev]
    assert _ids(api, {"province": "11"}) == [ai]
    assert _ids(api, {"mode": "consult"}) == [ai]
    assert _ids(api, {"open_call": "1"}) == [ai]
    assert _ids(api, {"q": "质检"}) == [ai]
    assert _ids(api, {"q": "不存在的词"}) == []


def _ids(api: Api, query: dict[str, str]) -> list[int]:
    return [item["id"] for item in api.get("/needs", query=query).get_json()["items"]]


def test_pagination(api: Api, make: Any, owner: int) -> None:
    for n in range(5):
        make.need(owner, status=APPROVED, title=f"分页测试需求{n}")
    body = api.get("/needs", query={"page": 2, "per_page": 2}).get_json()
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (2, 2, 5, 2)
    beyond = api.get("/needs", query={"page": 9, "per_page": 2}).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5
    odd = api.get("/needs", query={"page": "x", "per_page": "-3"}).get_json()
    assert (odd["page"], odd["per_page"]) == (1, 20)
    assert api.get("/needs", query={"per_page": 10_000}).get_json()["per_page"] == 100


def test_nul_and_odd_query_strings_do_not_fail(api: Api) -> None:
    for q in ["\x00", "%", "_", "'; drop table needs; --", "😀" * 200]:
        assert api.get("/needs", query={"q": q, "field": q, "province": q}).status_code == 200


def test_get_one_public_need_hides_confidential_details(api: Api, make: Any, owner: int, token: Any) -> None:
    need_id = make.need(owner, status=APPROVED)
    anonymous = api.get(f"/needs/{need_id}").get_json()
    assert (
        anonymous["id"] == need_id and "confidential_details" not in anonymous and "history" not in anonymous
    )
    own = api.get(f"/needs/{need_id}", token(owner)).get_json()
    assert own["confidential_details"].startswith("现用电芯") and own["history"] == []


def test_create_need(api: Api, owner: int, token: Any) -> None:
    response = api.post("/needs", token(owner), json=VALID_NEED)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/needs/{body['id']}")
    assert body["status"] == "draft" and body["is_open_call"] is True and body["city"] == "1501"
    assert body["confidential_details"] == VALID_NEED["confidential_details"]
    assert api.get(f"/needs/{body['id']}").status_code == 404  # a draft is not public


def test_create_need_validation_is_422_per_field(api: Api, owner: int, token: Any) -> None:
    bad = {
        **VALID_NEED,
        "title": "短",
        "field_code": "nope",
        "city": "1101",
        "budget_min": 300,
        "budget_max": 10,
        "deadline": (date.today() - timedelta(days=1)).isoformat(),
    }
    response = api.post("/needs", token(owner), json=bad)
    assert response.status_code == 422
    assert {"title", "field_code", "city", "budget_max", "deadline"} <= set(response.get_json()["fields"])


def test_create_need_requires_fields(api: Api, owner: int, token: Any) -> None:
    response = api.post("/needs", token(owner), json={})
    assert response.status_code == 422
    assert {"title", "description", "field_code", "province", "cooperation_mode"} <= set(
        response.get_json()["fields"]
    )


@pytest.mark.parametrize(
    "change",
    [
        {"title": ["a", "list"]},
        {"title": 12345},
        {"budget_min": "50"},
        {"budget_min": 1.5},
        {"budget_min": True},
        {"is_open_call": "yes"},
        {"title": {"nested": "object"}},
        {"title": "含有\x00空字符的标题"},
        {"status": "approved"},
        {"organisation_id": 1},
    ],
)
def test_wrong_types_and_unknown_fields_are_400(
    api: Api, owner: int, token: Any, change: dict[str, Any]
) -> None:
    response = api.post("/needs", token(owner), json={**VALID_NEED, **change})
    assert response.status_code == 400
    assert set(change) <= set(response.get_json()["fields"])


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("title=x", "application/x-www-form-urlencoded"),
        ('{"title": ', "application/json"),
        ("[1, 2]", "application/json"),
        ("null", "application/json"),
        ('"a string"', "application/json"),
        ("", "application/json"),
        ("\xff\xfe", "application/json"),
        ('{"budget_min": 1' + "0" * 5000 + "}", "application/json"),
    ],
)
def test_non_json_bodies_are_400(api: Api, owner: int, token: Any, data: str, content_type: str) -> None:
    response = api.post("/needs", token(owner), data=data, headers={"Content-Type": content_type})
    assert response.status_code == 400


def test_only_enterprises_create_needs(api: Api, make: Any, token: Any) -> None:
    for role in ("provider", "broker", "admin"):
        assert api.post("/needs", token(make.user(role)), json=VALID_NEED).status_code == 403, role


def test_patch_merges_with_stored_values(api: Api, make: Any, owner: int, token: Any, app: Flask) -> None:
    need_id = make.need(owner, budget_min=10, budget_max=20)
    response = api.patch(f"/needs/{need_id}", token(owner), json={"title": "新的需求标题", "budget_max": 30})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["title"] == "新的需求标题" and body["budget_min"] == 10 and body["budget_max"] == 30
    assert body["confidential_details"].startswith("现用电芯")
    cleared = api.patch(f"/needs/{need_id}", token(owner), json={"budget_min": None}).get_json()
    assert cleared["budget_min"] is None
    assert make.get(Need, need_id).title == "新的需求标题"


def test_patch_validation_and_types(api: Api, make: Any, owner: int, token: Any) -> None:
    need_id = make.need(owner)
    assert api.patch(f"/needs/{need_id}", token(owner), json={"budget_max": -1}).status_code == 422
    assert api.patch(f"/needs/{need_id}", token(owner), json={"title": None}).status_code == 400
    assert api.patch(f"/needs/{need_id}", token(owner), data="x").status_code == 400
    assert make.get(Need, need_id).budget_max is None


def test_patch_public_need_is_409(api: Api, make: Any, owner: int, token: Any) -> None:
    need_id = make.need(owner, status=APPROVED)
    assert api.patch(f"/needs/{need_id}", token(owner), json={"title": "改一下标题"}).status_code == 409


def test_submit_and_withdraw(api: Api, make: Any, owner: int, token: Any) -> None:
    secret = token(owner)
    need_id = make.need(owner)
    submitted = api.post(f"/needs/{need_id}/submit", secret)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "pending"
    assert submitted.get_json()["history"][0]["action"] == "submit"
    assert api.post(f"/needs/{need_id}/submit", secret).status_code == 409
    assert api.patch(f"/needs/{need_id}", secret, json={"title": "待审时修改"}).status_code == 409
    withdrawn = api.post(f"/needs/{need_id}/withdraw", secret, json={})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert api.post(f"/needs/{need_id}/withdraw", secret).status_code == 409
    assert api.post(f"/needs/{need_id}/submit", secret, json={"extra": 1}).status_code == 400
    assert (
        api.post(
            f"/needs/{need_id}/submit", secret, data="x", headers={"Content-Type": "text/plain"}
        ).status_code
        == 400
    )


def test_my_needs(api: Api, make: Any, owner: int, token: Any) -> None:
    draft = make.need(owner, status="draft")
    approved = make.need(owner, status=APPROVED)
    make.need(make.user("enterprise"), status="draft")  # another enterprise's
    secret = token(owner)
    assert {n["id"] for n in api.get("/me/needs", secret).get_json()["items"]} == {draft, approved}
    assert [n["id"] for n in api.get("/me/needs", secret, query={"status": "draft"}).get_json()["items"]] == [
        draft
    ]
    assert api.get("/me/needs", token(make.user("provider"))).status_code == 403


def test_unknown_and_huge_ids_are_404(api: Api, owner: int, token: Any) -> None:
    for path in ("/needs/999999", "/needs/99999999999999999999", "/needs/-1", "/needs/abc"):
        assert api.get(path).status_code == 404, path
    assert api.patch("/needs/2147483647", token(owner), json={}).status_code == 404
    # Past the largest database id the app's <int> converter stops matching; werkzeug then answers 405
    # for non-GET methods (a routing quirk), still as JSON and never a database error.
    assert api.patch("/needs/99999999999999999999", token(owner), json={}).status_code in (404, 405)
