"""GET /api/v1/needs/{id}/matches and /api/v1/me/recommended: the match pages' ranking, reasons,
filters and refusals, through the real encoder and embedded index; every response checked against
the OpenAPI document (tests/api/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from market.db import commit, db
from market.needs.models import Need
from market.providers.models import Achievement, Provider
from tests.api.conftest import Api, token_for
from tests.factories import login

pytestmark = pytest.mark.usefixtures("synced")

EXPERTS = (
    ("冷链物流保鲜专家，研究果蔬采后生理、气调包装和冷库温度控制，降低运输腐损。", "32", "expert"),
    ("动力电池热管理专家，研究低温自加热、电池包保温和冬季续航提升。", "32", "expert"),
    ("电池管理系统团队，做储能和电动车的低温充电策略与电池均衡。", "44", "team"),
    ("焊接工艺专家，研究高强钢激光焊接变形控制和焊缝缺陷检测。", "32", "expert"),
    ("锂电池材料研究所，研究低温电解液和负极材料，提升电池低温性能。", "11", "institution"),
)


def _provider(make: Any, expertise: str, province: str, kind: str, achievement: str = "") -> int:
    provider_id = int(make.provider_id_of(make.user("provider", provider_kind=kind)))
    with make.app.app_context():
        provider = db.session.get_one(Provider, provider_id)
        provider.expertise, provider.province = expertise, province
        if achievement:
            provider.achievements.append(Achievement(kind="patent", title=achievement, description=""))
        provider.status = "approved"
        commit()
    return provider_id


def _public_need(make: Any, owner: int, **values: Any) -> int:
    need_id = int(make.need(owner, status="pending", **values))
    with make.app.app_context():
        db.session.get_one(Need, need_id).status = "approved"
        commit()
    return need_id


@pytest.fixture
def world(app: Flask, make: Any, token: Any) -> dict[str, Any]:
    providers = [_provider(make, *row) for row in EXPERTS]
    owner = make.user("enterprise")
    need = _public_need(make, owner)  # 冬季低温下电动物流车续航下降, province 32, field ev
    users = {
        "owner": owner,
        "other_enterprise": make.user("enterprise"),
        "provider": make.user("provider"),
        "broker": make.user("broker", regions=("32",)),
        "other_broker": make.user("broker", regions=("44",)),
        "admin": make.user("admin"),
    }
    return {
        "need": need,
        "providers": providers,
        "users": users,
        "tokens": {role: token(user) for role, user in users.items()},
    }


def _page_provider_ids(html: str) -> list[int]:
    cards = html.split('data-testid="provider-match"')[1:]
    return [int(re.search(r'href="/providers/(\d+)"', card)[1]) for card in cards]  # type: ignore[index]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("broker", 200),
        ("admin", 200),
        ("other_enterprise", 404),
        ("provider", 404),
        ("other_broker", 404),
        (None, 401),
    ],
)
def test_who_may_see_a_needs_matches(
    app: Flask, api: Api, world: dict[str, Any], role: str | None, status: int
) -> None:
    need = world["need"]
    token = world["tokens"][role] if role else None
    response = api.get(f"/needs/{need}/matches", token)
    assert response.status_code == status
    if role is not None:  # the page refuses the same people with the same status
        page = login(app.test_client(), world["users"][role]).get(f"/needs/{need}/matches")
        assert page.status_code == status
        if status == 404:
            assert response.get_json()["error"]
    else:
        assert app.test_client().get(f"/needs/{need}/matches").status_code == 302  # to the login page


def test_a_draft_need_is_404_for_everyone_but_its_owner_and_brokers(
    api: Api, world: dict[str, Any], make: Any
) -> None:
    draft = make.need(world["users"]["owner"])
    assert api.get(f"/needs/{draft}/matches", world["tokens"]["owner"]).status_code == 200
    assert api.get(f"/needs/{draft}/matches", world["tokens"]["other_enterprise"]).status_code == 404
    assert api.get("/needs/999999/matches", world["tokens"]["owner"]).status_code == 404


def test_same_ranking_and_reasons_as_the_page(app: Flask, api: Api, world: dict[str, Any]) -> None:
    need, owner = world["need"], world["users"]["owner"]
    body = api.get(f"/needs/{need}/matches", world["tokens"]["owner"]).get_json()
    page_ids = _page_provider_ids(
        login(app.test_client(), owner).get(f"/needs/{need}/matches").get_data(as_text=True)
    )
    api_ids = [item["provider"]["id"] for item in body["items"]]
    assert len(page_ids) == len(EXPERTS) and api_ids == page_ids
    assert body["total"] == len(EXPERTS) and body["notice"] == ""
    assert [item["rank"] for item in body["items"]] == list(range(1, len(EXPERTS) + 1))
    battery = world["providers"][1]
    assert api_ids[0] == battery  # the battery expert solves a battery problem
    reason = body["items"][0]["reason"]
    assert reason["text"].startswith(f"匹配度 {reason['match_degree']}") and "命中关键词：" in reason["text"]
    assert reason["region_fit"] is True and 0 < reason["semantic"] <= 1
    assert body["items"][0]["score"] >= body["items"][-1]["score"]


def test_reasons_in_the_readers_language(api: Api, world: dict[str, Any]) -> None:
    need = world["need"]
    body = api.get(
        f"/needs/{need}/matches", world["tokens"]["owner"], headers={"X-Language": "en"}
    ).get_json()
    assert body["items"][0]["reason"]["text"].startswith("Match ")
    assert "匹配度" not in body["items"][0]["reason"]["text"]


def test_filters_as_on_the_page(app: Flask, api: Api, world: dict[str, Any]) -> None:
    need, owner = world["need"], world["users"]["owner"]
    for query in (
        {"kind": "team"},
        {"province": "11"},
        {"same_field": "1"},
        {"available": "1", "province": "32"},
    ):
        body = api.get(f"/needs/{need}/matches", world["tokens"]["owner"], query=query).get_json()
        page = login(app.test_client(), owner).get(f"/needs/{need}/matches", query_string=query)
        assert [i["provider"]["id"] for i in body["items"]] == _page_provider_ids(page.get_data(as_text=True))
    teams = api.get(f"/needs/{need}/matches", world["tokens"]["owner"], query={"kind": "team"}).get_json()
    assert [i["provider"]["kind"] for i in teams["items"]] == ["team"]
    beijing = api.get(f"/needs/{need}/matches", world["tokens"]["owner"], query={"province": "11"}).get_json()
    assert {i["provider"]["province"] for i in beijing["items"]} == {"11"}


def test_pages_continue_the_ranking(api: Api, world: dict[str, Any]) -> None:
    need, token = world["need"], world["tokens"]["owner"]
    whole = [i["provider"]["id"] for i in api.get(f"/needs/{need}/matches", token).get_json()["items"]]
    first = api.get(f"/needs/{need}/matches", token, query={"per_page": 2}).get_json()
    second = api.get(f"/needs/{need}/matches", token, query={"per_page": 2, "page": 2}).get_json()
    beyond = api.get(f"/needs/{need}/matches", token, query={"per_page": 2, "page": 9}).get_json()
    assert [i["provider"]["id"] for i in first["items"] + second["items"]] == whole[:4]
    assert [i["rank"] for i in second["items"]] == [3, 4]
    assert first["total"] == second["total"] == len(whole) and beyond["items"] == []


def test_feedback_shows_in_the_api(app: Flask, api: Api, world: dict[str, Any]) -> None:
    need, owner = world["need"], world["users"]["owner"]
    top = api.get(f"/needs/{need}/matches", world["tokens"]["owner"]).get_json()["items"][0]["provider"]["id"]
    login(app.test_client(), owner).post(
        f"/needs/{need}/matches/{top}/feedback", data={"useful": "0", "rank": "1"}
    )
    items = api.get(f"/needs/{need}/matches", world["tokens"]["owner"]).get_json()["items"]
    assert items[-1]["provider"]["id"] == top and items[-1]["feedback"] is False


def test_recommended_needs_for_a_provider(app: Flask, api: Api, make: Any, world: dict[str, Any]) -> None:
    battery_user = make.user("provider")
    battery = make.provider_id_of(battery_user)
    with app.app_context():
        provider = db.session.get_one(Provider, battery)
        provider.expertise = "动力电池热管理，低温自加热和冬季续航。"
        provider.status = "approved"
        commit()
    owner = world["users"]["owner"]
    welding = _public_need(
        make, owner, title="高强钢焊接变形大", description="车架高强钢焊接后变形超差，寻求激光焊接工艺优化。"
    )
    body = api.get("/me/recommended", token_for(app, battery_user)).get_json()
    ids = [item["need"]["id"] for item in body["items"]]
    assert ids[0] == world["need"] and welding in ids
    page = login(app.test_client(), battery_user).get("/me/recommended").get_data(as_text=True)
    page_ids = [int(m) for m in re.findall(r'data-testid="need-match">.*?href="/needs/(\d+)"', page, re.S)]
    assert ids == page_ids
    first = body["items"][0]
    assert "confidential_details" not in first["need"]  # the public face only
    assert first["reason"]["passage"] is None and first["reason"]["text"]
    assert api.get("/me/recommended", world["tokens"]["owner"]).status_code == 404  # no provider profile
    assert api.get("/me/recommended").status_code == 401


def test_listed_in_the_openapi_document(openapi_document: dict[str, Any]) -> None:
    paths = openapi_document["paths"]
    matches = paths["/api/v1/needs/{need_id}/matches"]["get"]
    assert {"401", "404", "200"} <= set(matches["responses"])
    assert {p["name"] for p in matches["parameters"]} >= {
        "need_id",
        "province",
        "kind",
        "available",
        "same_field",
        "page",
        "per_page",
    }
    assert "/api/v1/me/recommended" in paths and "/api/v1/suggest" in paths
    assert paths["/api/v1/suggest"]["get"]["security"] == []
    assert {t["name"] for t in openapi_document["tags"]} >= {"matching", "search"}
