"""API test helpers: token-carrying calls whose every response is checked against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from tests.api.schema import problems

JSON = dict[str, Any]
_UNSET: Any = object()


@pytest.fixture(scope="session")
def openapi_document(app: Flask) -> JSON:
    with app.test_client() as client:
        return client.get("/api/v1/openapi.json").get_json()  # type: ignore[no-any-return]


class Api:
    """Calls /api/v1 as a given token and asserts the response matches the document."""

    def __init__(self, client: FlaskClient, document: JSON) -> None:
        self.client = client
        self.document = document

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        json: Any = _UNSET,
        *,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> TestResponse:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        kwargs: dict[str, Any] = {"headers": all_headers, "query_string": query}
        if json is not _UNSET:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        response = self.client.open("/api/v1" + path, method=method, **kwargs)
        self._check(method, response)
        return response

    def get(self, path: str, token: str | None = None, **kw: Any) -> TestResponse:
        return self.call("GET", path, token, **kw)

    def post(self, path: str, token: str | None = None, json: Any = _UNSET, **kw: Any) -> TestResponse:
        return self.call("POST", path, token, json, **kw)

    def patch(self, path: str, token: str | None = None, json: Any = _UNSET, **kw: Any) -> TestResponse:
        return self.call("PATCH", path, token, json, **kw)

    def delete(self, path: str, token: str | None = None, **kw: Any) -> TestResponse:
        return self.call("DELETE", path, token, **kw)

    def _check(self, method: str, response: TestResponse) -> None:
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        if response.status_code == 204:
            assert response.get_data() == b""
            return
        assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
        body = response.get_json()
        schema = self._schema_for(method, response)
        if schema is not None:
            found = problems(body, schema, self.document)
            assert not found, (found, body)

    def _schema_for(self, method: str, response: TestResponse) -> JSON | None:
        """The documented schema for this status; every status an operation answers must be documented."""
        adapter = self.client.application.url_map.bind("localhost")
        try:
            endpoint, _args = adapter.match(response.request.path, method=method)
        except HTTPException:
            assert response.status_code in (404, 405)
            return {"$ref": "#/components/schemas/Error"}
        op = self._operation(method, endpoint)
        documented = op["responses"].get(str(response.status_code))
        assert documented is not None, f"{endpoint} answered an undocumented {response.status_code}"
        if "$ref" in documented:
            return {"$ref": "#/components/schemas/Error"}
        return documented["content"]["application/json"]["schema"]  # type: ignore[no-any-return]

    def _operation(self, method: str, endpoint: str) -> JSON:
        for item in self.document["paths"].values():
            op = item.get(method.lower())
            if op and op["operationId"] == endpoint.removeprefix("api."):
                return op  # type: ignore[no-any-return]
        raise AssertionError(f"{endpoint} is not in the document")


@pytest.fixture
def api(client: FlaskClient, openapi_document: JSON) -> Api:
    return Api(client, openapi_document)


def token_for(app: Flask, user_id: int, name: str = "test") -> str:
    with app.app_context():
        secret, _record = auth.create_api_token(db.session.get_one(User, user_id), name)
        db.session.commit()
        return secret


@pytest.fixture
def token(app: Flask) -> Iterator[Any]:
    """token(user_id) -> a fresh API token for that user."""
    yield lambda user_id: token_for(app, user_id)


VALID_NEED: JSON = {
    "title": "高寒地区锂电池低温启动方案",
    "description": "我司储能电站位于内蒙古，冬季零下三十度时电池无法启动，寻求低温自加热或保温方案。",
    "field_code": "energy",
    "province": "15",
    "city": "1501",
    "budget_min": 50,
    "budget_max": 200,
    "cooperation_mode": "develop",
    "public_summary": "储能电池低温启动",
    "confidential_details": "电站位于锡林郭勒，电芯为磷酸铁锂 280Ah。",
    "is_open_call": True,
}
