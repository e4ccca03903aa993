"""The OpenAPI document matches the routes, the forms and itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from wtforms.validators import Length, NumberRange

from market.needs.forms import BUDGET_MAX, NeedForm
from market.providers.forms import MAX_FIELDS, AchievementForm, ProviderForm, ServiceForm

JSON = dict[str, Any]
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {
                (path, method.lower()) for method in rule.methods or () if method not in IGNORED_METHODS
            }
    return routes


def _documented(document: JSON) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_every_route_is_documented_and_vice_versa(app: Flask, openapi_document: JSON) -> None:
    routes = _routes(app)
    assert len(routes) >= 30
    assert routes == _documented(openapi_document)


def test_document_basics(openapi_document: JSON) -> None:
    assert openapi_document["openapi"] == "3.1.0"
    ids = [op["operationId"] for item in openapi_document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for item in openapi_document["paths"].values():
        for op in item.values():
            assert op["summary"] and op["tags"] and op["responses"]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_reference_resolves(openapi_document: JSON) -> None:
    for reference in set(_refs(openapi_document)):
        _hash, section, kind, name = reference.split("/")
        assert name in openapi_document[section][kind], reference


def test_path_parameters_are_declared(openapi_document: JSON) -> None:
    for path, item in openapi_document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for op in item.values():
            assert {p["name"] for p in op.get("parameters", []) if p["in"] == "path"} == names, path


def _body(document: JSON, path: str, method: str) -> JSON:
    return document["paths"]["/api/v1" + path][method]["requestBody"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("path", "method", "form_class"),
    [
        ("/needs", "post", NeedForm),
        ("/needs/{need_id}", "patch", NeedForm),
        ("/me/provider", "patch", ProviderForm),
        ("/me/provider/achievements", "post", AchievementForm),
        ("/me/provider/services", "post", ServiceForm),
        ("/me/provider/services/{item_id}", "patch", ServiceForm),
    ],
)
def test_body_schemas_follow_the_forms(
    app: Flask, openapi_document: JSON, path: str, method: str, form_class: type
) -> None:
    schema = _body(openapi_document, path, method)
    with app.test_request_context():
        form = form_class(formdata=None, meta={"csrf": False})
        assert set(schema["properties"]) == {field.name for field in form}
        for field in form:
            _assert_limits(schema["properties"][field.name], field.validators)
    assert schema["additionalProperties"] is False
    assert ("required" in schema) == (method == "post")


def _assert_limits(prop: JSON, validators: list[Any]) -> None:
    for validator in validators:
        if isinstance(validator, Length):
            assert prop["maxLength"] == validator.max
            assert prop.get("minLength", 0) == max(validator.min, 0)
        if isinstance(validator, NumberRange):
            assert (prop["minimum"], prop["maximum"]) == (validator.min, validator.max)


def test_need_body_details(openapi_document: JSON) -> None:
    schema = _body(openapi_document, "/needs", "post")
    props = schema["properties"]
    assert (props["title"]["minLength"], props["title"]["maxLength"]) == (4, 120)
    assert props["description"]["maxLength"] == 5000 and props["budget_max"]["maximum"] == BUDGET_MAX
    assert "ev" in props["field_code"]["enum"] and "" not in props["field_code"]["enum"]
    assert props["deadline"]["format"] == "date" and props["is_open_call"]["type"] == "boolean"
    assert set(schema["required"]) == {"title", "description", "field_code", "province", "cooperation_mode"}
    assert props["city"]["type"] == ["string", "null"] and props["title"]["type"] == "string"


def test_provider_body_details(openapi_document: JSON) -> None:
    props = _body(openapi_document, "/me/provider", "patch")["properties"]
    assert props["fields"]["type"] == "array" and props["fields"]["maxItems"] == MAX_FIELDS
    service = _body(openapi_document, "/me/provider/services", "post")["properties"]
    assert service["active"]["default"] is True and service["price_note"]["maxLength"] == 200


def test_security_is_declared(openapi_document: JSON) -> None:
    paths = openapi_document["paths"]
    assert paths["/api/v1/needs"]["post"]["security"] == [{"bearer": []}]
    assert paths["/api/v1/needs"]["get"]["security"] == [{}, {"bearer": []}]
    assert paths["/api/v1/tokens"]["post"]["security"] == []
    assert "401" in paths["/api/v1/needs"]["post"]["responses"]
    assert "429" in paths["/api/v1/tokens"]["post"]["responses"]


def test_docs_page_lists_every_path(client: FlaskClient, openapi_document: JSON) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path in openapi_document["paths"]:
        assert path in page
