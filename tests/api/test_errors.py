"""Every error is JSON in the documented shape, never HTML and never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import VALID_NEED, Api


def _assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]
    return body


def test_unknown_api_path_is_json_404(client: FlaskClient) -> None:
    _assert_error(client.get("/api/v1/nothing-here"), 404)
    _assert_error(client.get("/api/v1/needs/1/nothing"), 404)


def test_wrong_method_is_json_405_with_allow(client: FlaskClient) -> None:
    for response in (client.put("/api/v1/needs", json={}), client.delete("/api/v1/needs")):
        _assert_error(response, 405)
        # RFC 9110: a 405 names the methods the resource does support.
        assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_wrong_method_on_a_page_names_the_allowed_ones(client: FlaskClient) -> None:
    response = client.delete("/needs/")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_long_search_text_is_cut_as_documented(client: FlaskClient, make: Any) -> None:
    make.need(make.user("enterprise"), status="approved", title="冷链物流保鲜需求一则")
    response = client.get("/api/v1/needs", query_string={"q": "冷链" + "很" * 300})
    assert response.status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    q = next(p for p in spec["paths"]["/api/v1/needs"]["get"]["parameters"] if p["name"] == "q")
    # Read up to 4,000 characters, searched up to 500 cut at a word boundary (docs/search.md).
    assert "maxLength" not in q["schema"] and "searched up to 500" in q["description"]


def test_body_too_large_is_json_413(client: FlaskClient, make: Any, token: Any) -> None:
    secret = token(make.user("enterprise"))
    response = client.post(
        "/api/v1/needs",
        data=b"{" + b" " * (11 * 1024 * 1024) + b"}",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    _assert_error(response, 413)


def test_each_error_class(api: Api, make: Any, token: Any) -> None:
    owner = make.user("enterprise")
    secret = token(owner)
    _assert_error(
        api.post("/needs", secret, data="not json", headers={"Content-Type": "application/json"}), 400
    )
    _assert_error(api.get("/me/needs"), 401)
    _assert_error(api.post("/needs", token(make.user("provider")), json=VALID_NEED), 403)
    _assert_error(api.get("/needs/424242"), 404)
    need_id = make.need(owner, status="approved")
    _assert_error(api.patch(f"/needs/{need_id}", secret, json={}), 409)
    body = _assert_error(api.post("/needs", secret, json={**VALID_NEED, "title": "x"}), 422)
    assert isinstance(body["fields"]["title"], list) and body["fields"]["title"]


def test_wrong_type_message_names_the_field(api: Api, make: Any, token: Any) -> None:
    body = _assert_error(
        api.post("/needs", token(make.user("enterprise")), json={**VALID_NEED, "title": []}), 400
    )
    assert list(body["fields"]) == ["title"]


def test_lone_surrogate_in_json_is_400(api: Api, make: Any, token: Any) -> None:
    raw = '{"title": "\\ud800 surrogate title", "description": "x"}'
    response = api.post(
        "/needs", token(make.user("enterprise")), data=raw, headers={"Content-Type": "application/json"}
    )
    _assert_error(response, 400)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_errors_in_either_language_are_json(api: Api, lang: str) -> None:
    _assert_error(api.get("/me", query={"lang": lang}), 401)


def test_failed_requests_write_nothing(api: Api, make: Any, token: Any) -> None:
    secret = token(make.user("enterprise"))
    api.post("/needs", secret, json={**VALID_NEED, "budget_max": -5})
    assert api.get("/me/needs", secret).get_json()["total"] == 0
