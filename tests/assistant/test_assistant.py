"""The need assistant through its page endpoint and the API, on the real encoder and index."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from market.auth.models import User
from market.auth.services import create_api_token
from market.db import commit, db
from tests.assistant.conftest import VAGUE_TEXT, VAGUE_TITLE, Market
from tests.factories import Factory, login

SHARED_DATABASE = True  # the market fixture is built once for the module


def _token(app: Flask, user_id: int) -> dict[str, str]:
    with app.app_context():
        token, _row = create_api_token(db.session.get(User, user_id), "test")
        commit()
    return {"Authorization": f"Bearer {token}"}


def _ask(client: FlaskClient, **form: str) -> dict:
    response = client.post("/assistant/need.json", data=form, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_vague_need_gets_field_providers_terms_similar_needs_and_a_checklist(
    client: FlaskClient, market: Market
) -> None:
    login(client, market.owner)
    answer = _ask(client, title=VAGUE_TITLE, description=VAGUE_TEXT)
    assert answer["field"]["code"] == "materials"
    assert answer["providers"]["count"] >= 1
    assert {p["id"] for p in answer["providers"]["top"]} <= set(market.moulders)
    assert answer["terms"] and not any(term in VAGUE_TITLE + VAGUE_TEXT for term in answer["terms"])
    assert {"翘曲", "模流"} & set(answer["terms"])  # the experts' words for 变形
    missing = {item["key"] for item in answer["checklist"] if not item["done"]}
    assert missing == {"current", "target", "constraints", "budget", "deadline"}
    similar = answer["similar"]
    assert similar[0]["id"] == market.solved and similar[0]["solved"]  # solved ones first
    assert [s["id"] for s in similar[0]["solvers"]] == [market.solver]
    assert similar[0]["url"] is None  # a solved need of another organisation stays closed to this reader
    assert market.open_need in {s["id"] for s in similar if not s["solved"]}


def test_adding_the_experts_terms_and_details_changes_the_answer(client: FlaskClient, market: Market) -> None:
    login(client, market.owner)
    first = _ask(client, title=VAGUE_TITLE, description=VAGUE_TEXT)
    better = (
        VAGUE_TEXT
        + "目前翘曲量约 2 mm，希望降到 0.5 mm 以下，不能更换现有注塑机。相关技术："
        + "、".join(first["terms"][:2])
    )
    second = _ask(client, title=VAGUE_TITLE, description=better, budget_max="30", deadline="2027-06-30")
    assert all(item["done"] for item in second["checklist"])
    assert second["providers"]["count"] >= first["providers"]["count"]
    assert not set(first["terms"][:2]) & set(second["terms"])  # what was added is no longer offered


def test_the_need_being_edited_is_not_its_own_duplicate(
    client: FlaskClient, market: Market, make: Factory
) -> None:
    owner = make.user("broker")
    login(client, owner)
    with client.application.app_context():
        from market.needs.models import Need

        need = db.session.get(Need, market.open_need)
        title, text = need.title, need.description
    answer = _ask(client, title=title, description=text, need_id=str(market.open_need))
    assert market.open_need not in {s["id"] for s in answer["similar"]}


def test_short_text_gets_the_checklist_only(client: FlaskClient, market: Market) -> None:
    login(client, market.owner)
    answer = _ask(client, title="变形")
    assert answer["field"] is None and answer["providers"]["count"] == 0 and answer["similar"] == []
    assert len(answer["checklist"]) == 5


def test_the_page_endpoint_refuses_bad_and_huge_input_with_a_message(
    client: FlaskClient, market: Market
) -> None:
    login(client, market.owner)
    headers = {"Accept": "application/json"}
    response = client.post("/assistant/need.json", data={"title": "长" * 121}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["fields"]["title"]
    response = client.post("/assistant/need.json", data={"description": "字" * 5001}, headers=headers)
    assert response.status_code == 422 and response.get_json()["fields"]["description"]
    response = client.post("/assistant/need.json", data={"need_id": "abc"}, headers=headers)
    assert response.status_code == 422 and "need_id" in response.get_json()["fields"]
    response = client.post("/assistant/need.json", data={"title": "a\x00b"}, headers=headers)
    assert response.status_code == 422 and "title" in response.get_json()["fields"]
    response = client.post(
        "/assistant/need.json", data={"description": "x" * (11 * 1024 * 1024)}, headers=headers
    )
    assert response.status_code == 413 and response.get_json()["error"]


def test_only_enterprises_and_brokers_use_it(client: FlaskClient, market: Market, make: Factory) -> None:
    response = client.post(
        "/assistant/need.json", data={"title": VAGUE_TITLE}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 401 or response.status_code == 302
    login(client, make.user("provider"))
    response = client.post(
        "/assistant/need.json", data={"title": VAGUE_TITLE}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 403 and response.get_json()["error"]


def test_the_no_javascript_page_shows_the_same_suggestions(client: FlaskClient, market: Market) -> None:
    login(client, market.owner)
    response = client.post("/assistant/need", data={"title": VAGUE_TITLE, "description": VAGUE_TEXT})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "新材料" in page and "平台上约有" in page and "注塑外壳翘曲变形装配困难" in page


def test_the_need_form_carries_the_panel_and_its_script(client: FlaskClient, market: Market) -> None:
    login(client, market.owner)
    page = client.get("/needs/new").get_data(as_text=True)
    assert 'id="need-assistant"' in page and "js/assistant.js" in page
    assert "<script>" not in page  # no inline script (CSP script-src 'self')


def test_the_api_answers_and_refuses_bad_input_as_json(
    app: Flask, client: FlaskClient, market: Market
) -> None:
    headers = _token(app, market.owner)
    response = client.post(
        "/api/v1/assistant/need", json={"title": VAGUE_TITLE, "description": VAGUE_TEXT}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json()["field"]["code"] == "materials"
    bad = [
        ({"title": 5}, 400),
        ({"colour": "red"}, 400),
        ({"title": ["a"]}, 400),
        ({"title": "长" * 121}, 422),
        ({"field_code": "nonsense"}, 422),
        ({"description": "字" * 100_000}, 422),
    ]
    for body, status in bad:
        response = client.post("/api/v1/assistant/need", json=body, headers=headers)
        assert response.status_code == status, body
        assert response.get_json()["error"]
    response = client.post("/api/v1/assistant/need", data="not json", headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]
    response = client.post("/api/v1/assistant/need", json={"title": VAGUE_TITLE})
    assert response.status_code == 401


def test_the_form_script_posts_with_the_forms_own_csrf_token(
    app: Flask, client: FlaskClient, market: Market
) -> None:
    login(client, market.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/needs/new").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        headers = {"Accept": "application/json"}
        refused = client.post("/assistant/need.json", data={"title": VAGUE_TITLE}, headers=headers)
        assert refused.status_code == 400 and refused.get_json()["error"]
        answered = client.post(
            "/assistant/need.json", data={"title": VAGUE_TITLE, "csrf_token": token}, headers=headers
        )
        assert answered.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
