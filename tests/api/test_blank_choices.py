"""A choice made only of spaces is no choice (issue 12, point 7).

WTForms' Optional() ends validation on a blank value and clears the choice check's error, so a city
of " " reached the database and its foreign key answered 500 on the need form, the profile form and
the API. Every form strips choices like text, so the value is empty before any rule runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from market.db import db
from market.needs.models import Need
from market.providers.models import Provider
from tests.api.conftest import VALID_NEED, Api
from tests.factories import login

BLANKS = [" ", "\u3000", " \t "]

NEED_FORM = {
    "title": "冬季低温下电动物流车续航下降",
    "description": "我司电动物流车在零下二十度续航下降约百分之四十，希望找到电池热管理方案。",
    "field_code": "ev",
    "province": "32",
    "cooperation_mode": "develop",
}


@pytest.mark.parametrize("city", BLANKS)
def test_need_form_with_blank_city_saves_without_a_city(
    app: Flask, client: FlaskClient, make: Any, city: str
) -> None:
    login(client, make.user("enterprise"))
    response = client.post("/needs/new", data={**NEED_FORM, "city": city})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        need = db.session.scalars(select(Need)).one()
        assert need.city is None


@pytest.mark.parametrize("city", BLANKS)
def test_profile_form_with_blank_city_saves_without_a_city(
    app: Flask, client: FlaskClient, make: Any, city: str
) -> None:
    login(client, make.user("provider"))
    response = client.post(
        "/me/profile/edit",
        data={
            "name": "周志远",
            "province": "32",
            "city": city,
            "fields": ["ev"],
            "expertise": "动力电池热管理、低温自加热与电池包结构设计，十年整车项目经验。",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        provider = db.session.scalars(select(Provider)).one()
        assert provider.city is None


@pytest.mark.parametrize("city", BLANKS)
def test_api_need_with_blank_city_is_created_without_a_city(
    api: Api, make: Any, token: Any, city: str
) -> None:
    secret = token(make.user("enterprise"))
    response = api.post("/needs", secret, json={**VALID_NEED, "city": city})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["city"] is None


def test_a_padded_real_choice_is_the_choice(app: Flask, client: FlaskClient, make: Any) -> None:
    login(client, make.user("enterprise"))
    response = client.post("/needs/new", data={**NEED_FORM, "province": " 32 ", "city": " 3201"})
    assert response.status_code == 302
    with app.app_context():
        need = db.session.scalars(select(Need)).one()
        assert (need.province, need.city) == ("32", "3201")
