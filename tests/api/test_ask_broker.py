"""请经纪人帮忙 in the API: the list's zero-result help names the operation, which tells the brokers
through the same service as the page (roles, once a day), and refuses bad bodies with JSON."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from market.db import db
from market.orders.models import Notification
from tests.api.conftest import Api

NOTHING = "xyzzy qwrtp"  # typed noise: every list finds nothing
pytestmark = pytest.mark.usefixtures("synced")


def _told(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(
            select(Notification.message_params).where(
                Notification.user_id == user_id, Notification.message_key == "search.ask_broker"
            )
        )
        return [params["query"] for params in rows]


def test_a_search_that_found_nothing_names_the_operation_which_tells_the_brokers(
    app: Flask, make: Any, api: Api, token: Any
) -> None:
    enterprise, broker = make.user("enterprise"), make.user("broker", regions=("32",))
    secret = token(enterprise)
    search = api.get("/providers", secret, query={"q": NOTHING}).get_json()["search"]
    assert search["ask_broker"] == "/api/v1/search/ask-broker"
    assert api.get("/providers", secret).get_json()["search"]["ask_broker"] == ""  # no query, no help

    answer = api.post("/search/ask-broker", secret, json={"query": NOTHING, "kind": "providers"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["told"] == 1 and body["sent"] is True and body["kind"] == "providers"
    assert body["query"] == NOTHING and "已通知" in body["message"]
    assert _told(app, broker) == [NOTHING]

    again = api.post("/search/ask-broker", secret, json={"query": NOTHING}).get_json()
    assert again["sent"] is False and again["told"] == 0 and again["kind"] == "needs"
    assert _told(app, broker) == [NOTHING]  # once a day


def test_visitors_other_roles_and_bad_bodies_are_refused(app: Flask, make: Any, api: Api, token: Any) -> None:
    broker = make.user("broker", regions=("32",))
    assert api.post("/search/ask-broker", json={"query": NOTHING}).status_code == 401
    provider = token(make.user("provider"))
    refused = api.post("/search/ask-broker", provider, json={"query": NOTHING})
    assert refused.status_code == 403 and refused.get_json()["error"]
    secret = token(make.user("enterprise"))
    for body, status in (
        ({"query": "   "}, 422),
        ({"query": NOTHING, "kind": "bogus"}, 422),
        ({"query": 5}, 400),
        ({"query": NOTHING, "province": "32"}, 400),
        ([NOTHING], 400),
    ):
        response = api.post("/search/ask-broker", secret, json=body)
        assert response.status_code == status, (body, response.get_json())
    assert api.post("/search/ask-broker", secret, data="query=x").status_code == 400
    assert _told(app, broker) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
