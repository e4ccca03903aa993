"""Hypothesis throws arbitrary JSON at POST /needs: the answer is never a 5xx and always JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import VALID_NEED, token_for

FIELDS = [*VALID_NEED, "deadline", "status", "id", ""]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6000),
    st.sampled_from(
        ["", " ", "\x00", "ev", "32", "3201", "develop", "2030-01-01", "1999-02-30", "y", "false"]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)

need_like = st.fixed_dictionaries(
    {},
    optional={name: st.one_of(st.just(value), json_values) for name, value in VALID_NEED.items()}
    | {"deadline": st.one_of(st.dates().map(str), json_values), "status": json_values},
)
bodies = st.one_of(need_like, json_values, st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8))


@pytest.fixture
def secret(app: Flask, make: Any) -> str:
    """An enterprise token, shared by all examples of one test (the database is emptied between tests)."""
    return token_for(app, make.user("enterprise"))


def _assert_sane(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code in (201, 400, 413, 422)
    assert response.mimetype == "application/json"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_post_needs_never_fails_on_json(app: Flask, secret: str, body: Any) -> None:
    client = app.test_client()
    response = client.post(
        "/api/v1/needs",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    _assert_sane(response)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_post_needs_never_fails_on_bytes(app: Flask, secret: str, raw: bytes, content_type: str) -> None:
    client = app.test_client()
    response = client.post(
        "/api/v1/needs", data=raw, headers={"Authorization": f"Bearer {secret}", "Content-Type": content_type}
    )
    _assert_sane(response)
