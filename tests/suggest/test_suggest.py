"""GET /api/v1/suggest: field names, frequent terms and public titles, fresh after every commit."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.db import commit, db
from market.needs.models import Need
from market.providers.models import Provider, ServiceItem
from market.suggest import services
from tests.api.conftest import token_for

pytestmark = pytest.mark.usefixtures("synced")

WARPING = {
    "title": "注塑件翘曲变形严重",
    "description": "我们生产的聚丙烯注塑件冷却后翘曲变形，装配困难，希望优化模具冷却和注塑工艺参数。",
    "public_summary": "注塑件翘曲",
    "confidential_details": "客户为某品牌的保密项目代号琥珀蝴蝶。",
    "field_code": "materials",
}
SLUDGE = {
    "title": "污水处理厂污泥减量",
    "description": "市政污水处理厂剩余污泥产量大，处置成本高，寻求污泥减量与资源化技术。",
    "field_code": "environment",
}


def _publish_need(make: Any, owner: int, **values: Any) -> int:
    need_id = int(make.need(owner, status="pending", **values))
    with make.app.app_context():
        db.session.get_one(Need, need_id).status = "approved"
        commit()  # the app's commit point: the after-commit hooks run
    return need_id


def _suggest(client: FlaskClient, q: str, kind: str = "needs", **extra: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/suggest", query_string={"q": q, "kind": kind, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["kind"] in ("needs", "providers", "services")
    return body["items"]  # type: ignore[no-any-return]


def _texts(items: list[dict[str, Any]], kind: str | None = None) -> list[str]:
    return [item["text"] for item in items if kind is None or item["type"] == kind]


def test_a_chinese_prefix_suggests_terms_and_titles(client: FlaskClient, make: Any) -> None:
    owner = make.user("enterprise")
    need_id = _publish_need(make, owner, **WARPING)
    _publish_need(make, owner, **SLUDGE)
    items = _suggest(client, "翘")
    assert "翘曲" in _texts(items, "term")
    titles = [item for item in items if item["type"] == "title"]
    assert [t["text"] for t in titles] == ["注塑件翘曲变形严重"]
    assert titles[0]["url"] == f"/needs/{need_id}"
    assert "污泥" in _texts(_suggest(client, "污"), "term")
    # Completing the last word of unspaced Chinese, and of space-separated words.
    assert "注塑件翘曲" in _texts(_suggest(client, "注塑件翘"), "term")
    assert "注塑 翘曲" in _texts(_suggest(client, "注塑 翘"), "term")


def test_the_most_frequent_terms_come_first(client: FlaskClient, make: Any) -> None:
    owner = make.user("enterprise")
    _publish_need(make, owner, title="污泥脱水设备改造", description="污泥脱水后含水率偏高。")
    _publish_need(make, owner, title="污泥干化能耗高", description="污泥干化的能耗太高。")
    _publish_need(make, owner, title="污水管网渗漏检测", description="老旧污水管网渗漏。")
    terms = _texts(_suggest(client, "污"), "term")
    assert terms[0] == "污泥"  # in two needs; 污水 and the compounds in one
    assert "污水" in terms


def test_field_names_in_the_readers_language(client: FlaskClient, make: Any) -> None:
    items = _suggest(client, "新能")
    fields = [item for item in items if item["type"] == "field"]
    assert [f["text"] for f in fields] == ["新能源与储能", "新能源汽车与动力电池"]
    assert fields[0]["url"] == "/needs/?field=energy"
    english = client.get("/api/v1/suggest?q=new&kind=providers", headers={"X-Language": "en"}).get_json()
    assert "New energy & storage" in _texts(english["items"], "field")
    assert english["items"][0]["url"].startswith("/providers/?field=")


def test_width_and_case_do_not_matter(client: FlaskClient, make: Any) -> None:
    _publish_need(
        make, make.user("enterprise"), title="LED 封装散热不良", description="大功率LED封装结温过高。"
    )
    for typed in ("le", "LE", "ＬＥ", "Ｌe"):
        assert "led" in _texts(_suggest(client, typed), "term"), typed
        assert "LED 封装散热不良" in _texts(_suggest(client, typed), "title"), typed


def test_only_public_text_of_public_postings(client: FlaskClient, make: Any) -> None:
    owner = make.user("enterprise")
    _publish_need(make, owner, **WARPING)
    make.need(owner, status="pending", title="草稿里的钛合金疲劳", description="钛合金零件疲劳断裂。")
    assert _suggest(client, "琥珀") == []  # confidential details never
    assert _suggest(client, "钛合") == []  # a pending need is not public


def test_a_withdrawn_need_leaves_the_suggestions_at_once(app: Flask, client: FlaskClient, make: Any) -> None:
    owner = make.user("enterprise")
    need_id = _publish_need(make, owner, **SLUDGE)
    assert "污水处理厂污泥减量" in _texts(_suggest(client, "污泥"), "title")
    assert "污泥" in _texts(_suggest(client, "污泥"), "term")
    response = client.post(
        f"/api/v1/needs/{need_id}/withdraw", headers={"Authorization": f"Bearer {token_for(app, owner)}"}
    )
    assert response.status_code == 200
    assert _suggest(client, "污泥") == []
    with app.app_context():
        assert services.store().df("needs", "污泥") == 0
    # Approved again (a new review): back in the list.
    with app.app_context():
        db.session.get_one(Need, need_id).status = "approved"
        commit()
    assert "污水处理厂污泥减量" in _texts(_suggest(client, "污泥"), "title")


def test_providers_and_services(app: Flask, client: FlaskClient, make: Any) -> None:
    provider_id = make.provider_id_of(make.user("provider"))
    service_id = make.service(provider_id, title="注塑模具冷却水路设计")
    make.achievement(provider_id, title="一种注塑件翘曲变形的补偿方法")
    with app.app_context():
        provider = db.session.get_one(Provider, provider_id)
        provider.status = "approved"
        provider.expertise = "注塑成型工艺与模流分析"
        commit()
    assert "模流" in _texts(_suggest(client, "模流", "providers"), "term")
    assert "翘曲" in _texts(_suggest(client, "翘", "providers"), "term")  # from its achievement
    services_found = _suggest(client, "注塑模具", "services")
    titles = [item for item in services_found if item["type"] == "title"]
    assert [t["text"] for t in titles] == ["注塑模具冷却水路设计"]
    assert titles[0]["url"] == f"/providers/{provider_id}"
    with app.app_context():  # taken off the menu: gone from the services' suggestions
        db.session.get_one(ServiceItem, service_id).active = False
        commit()
    assert _texts(_suggest(client, "注塑模具", "services"), "title") == []
    with app.app_context():  # the profile withdrawn: gone from the providers' suggestions
        db.session.get_one(Provider, provider_id).status = "withdrawn"
        commit()
    assert _suggest(client, "模流", "providers") == []


def test_built_from_the_database_when_out_of_step(app: Flask, client: FlaskClient, make: Any) -> None:
    owner = make.user("enterprise")
    _publish_need(make, owner, **SLUDGE)
    assert _suggest(client, "翘") == []
    # A bulk load writes without the after-commit hook (make.need commits directly).
    make.need(owner, status="approved", **WARPING)
    assert _suggest(client, "翘") == []  # not checked against the database yet
    services._checked.clear()  # the periodic check is due
    assert "翘曲" in _texts(_suggest(client, "翘"), "term")


def test_bad_input_is_harmless(client: FlaskClient, make: Any) -> None:
    _publish_need(make, make.user("enterprise"), **WARPING)
    assert _suggest(client, "") == []
    assert _suggest(client, "   ") == []
    assert _suggest(client, "%") == [] and _suggest(client, "_") == []
    assert _suggest(client, "翘\x00") is not None
    body = client.get("/api/v1/suggest?q=翘&kind=nonsense&limit=abc").get_json()
    assert body["kind"] == "needs" and "翘曲" in _texts(body["items"])
    assert len(_suggest(client, "翘", limit="1")) == 1
    assert len(_suggest(client, "翘" * 500)) == 0
    assert client.get("/api/v1/suggest?q=翘&limit=999").status_code == 200


def test_rate_limited(app: Flask, client: FlaskClient) -> None:
    old = app.config["SUGGEST_RATE_LIMIT"]
    app.config["SUGGEST_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [
            client.get("/api/v1/suggest?q=x", environ_base={"REMOTE_ADDR": "10.9.8.7"}) for _ in range(4)
        ]
    finally:
        app.config["SUGGEST_RATE_LIMIT"] = old
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert codes[-1].get_json()["status"] == 429


def test_a_large_list_is_built_by_the_command_not_in_a_request(
    app: Flask,
    client: FlaskClient,
    make: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make.need(make.user("enterprise"), status="approved", **WARPING)
    monkeypatch.setattr(services, "BUILD_IN_REQUEST", 0)
    assert _suggest(client, "翘") == []
    assert "market suggest rebuild" in caplog.text
    result = app.test_cli_runner().invoke(args=["suggest", "rebuild"])
    assert result.exit_code == 0 and "needs: 1 entries" in result.output
    assert "翘曲" in _texts(_suggest(client, "翘"), "term")
