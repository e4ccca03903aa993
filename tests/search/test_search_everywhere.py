"""GET /api/v1/search: one query over needs, providers and services, as the three lists rank them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from market.db import commit, db
from market.needs.models import Need
from market.providers.models import Provider
from tests.factories import APPROVED

TITLE = "注塑件脱模后翘曲变形严重"
DESCRIPTION = "我们注塑车间生产的PP外壳在脱模后出现明显翘曲变形，尺寸超差，希望找到模流分析方面的专家。"
Q = "注塑件翘曲变形"


@pytest.fixture
def postings(app: Flask, make: Any) -> dict[str, int]:
    owner = make.user("enterprise")
    need_id = make.need(owner, status="pending", title=TITLE, description=DESCRIPTION)
    other = make.need(
        owner, status="pending", title="冷库能耗太高", description="冷库压缩机能耗高，夜间电费贵。"
    )
    provider_id = make.provider_id_of(make.user("provider"))
    make.achievement(provider_id, title="大型薄壁注塑件翘曲变形的模流分析与工艺优化")
    service_id = make.service(provider_id, title="注塑件翘曲变形诊断")
    with app.app_context():
        db.session.get(Provider, provider_id).status = APPROVED
        for need in (need_id, other):
            db.session.get(Need, need).status = APPROVED
        commit()  # the one commit point, where the index sync runs
    return {"need": need_id, "provider": provider_id, "service": service_id}


def _get(app: Flask, **args: Any) -> Any:
    return app.test_client().get("/api/v1/search", query_string=args)


@pytest.mark.usefixtures("synced")
def test_one_query_finds_the_top_hits_of_each_list_as_the_lists_rank_them(
    app: Flask, postings: dict[str, int]
) -> None:
    response = _get(app, q=Q)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["query"] == Q and body["cut"] is False
    results = body["results"]
    assert set(results) == {"needs", "providers", "services"}
    (need,) = results["needs"]["items"]
    assert need["id"] == postings["need"] and need["url"] == f"/needs/{postings['need']}"
    assert "<mark>" in need["title_marked"] and "<mark>" in need["snippet_marked"]
    (provider,) = results["providers"]["items"]
    assert provider["id"] == postings["provider"] and provider["passage"]["label_marked"].count("<mark>")
    (service,) = results["services"]["items"]
    assert service["id"] == postings["service"] and service["provider_id"] == postings["provider"]
    assert service["url"] == f"/providers/{postings['provider']}"
    # The same items, order and totals as each list.
    client = app.test_client()
    for kind, path in (("needs", "/needs"), ("providers", "/providers"), ("services", "/services")):
        listed = client.get(f"/api/v1{path}", query_string={"q": Q, "per_page": 5}).get_json()
        assert [i["id"] for i in results[kind]["items"]] == [i["id"] for i in listed["items"]]
        assert results[kind]["total"] == listed["total"]
        assert results[kind]["url"].startswith(f"{path}/?q=") and results[kind]["api"].startswith("/api/v1")


@pytest.mark.usefixtures("synced")
def test_kinds_and_per_kind_choose_what_is_searched(app: Flask, postings: dict[str, int]) -> None:
    body = _get(app, q=Q, kinds="needs", per_kind=1).get_json()
    assert list(body["results"]) == ["needs"] and len(body["results"]["needs"]["items"]) == 1
    assert _get(app, q="xyzzy qwrtp").get_json()["results"]["needs"] == {
        "total": 0,
        "items": [],
        "url": "/needs/?q=xyzzy+qwrtp",
        "api": "/api/v1/needs?q=xyzzy+qwrtp",
    }


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": Q, "per_kind": "0"}, "per_kind"),
        ({"q": Q, "per_kind": "abc"}, "per_kind"),
        ({"q": Q, "per_kind": "21"}, "per_kind"),
        ({"q": Q, "kinds": "needs,experts"}, "kinds"),
    ],
)
def test_bad_input_is_a_422_naming_the_argument(app: Flask, args: dict[str, str], field: str) -> None:
    response = _get(app, **args)
    assert response.status_code == 422 and response.is_json
    assert field in response.get_json()["fields"]
