"""请经纪人帮忙 on a list that found nothing: who is offered it, who is told, once a day per question."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from market.db import db
from market.messages import link, render
from market.orders.models import Notification
from tests.factories import login

NOTHING = "xyzzy qwrtp"  # typed noise: every list finds nothing


def _notices(app: Flask, user_id: int) -> list[Notification]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == user_id, Notification.message_key == "search.ask_broker"
                )
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def _page(client: FlaskClient, path: str = "/providers/") -> str:
    return client.get(path, query_string={"q": NOTHING}).get_data(as_text=True)


@pytest.mark.usefixtures("synced")
def test_an_enterprise_asks_the_brokers_of_its_region_once_a_day(app: Flask, make: Any) -> None:
    enterprise = make.user("enterprise")  # its organisation is in province 32
    here, elsewhere = make.user("broker", regions=("32",)), make.user("broker", regions=("31",))
    admin = make.user("admin")
    client = login(app.test_client(), enterprise)
    page = _page(client)
    assert 'data-testid="ask-broker"' in page and 'data-testid="help-post-need"' in page
    assert 'data-testid="elsewhere-needs"' in page  # the other lists stay offered

    response = client.post("/needs/ask-broker", data={"query": NOTHING, "kind": "providers"})
    assert response.status_code == 302 and response.location.startswith("/providers/?q=xyzzy")
    (notice,) = _notices(app, here)
    assert notice.message_params["query"] == NOTHING and notice.kind == "posting.ask_broker"
    with app.test_request_context():
        assert NOTHING in render(notice.message_key, notice.message_params, "zh")
        assert link(notice.message_key, notice.message_params).startswith("/providers/?q=xyzzy")
    assert _notices(app, elsewhere) == [] and _notices(app, admin) == []
    assert "已通知本地区的技术经理人" in client.get(response.location).get_data(as_text=True)

    asked = {"query": NOTHING, "kind": "providers"}
    again = client.post("/needs/ask-broker", data=asked, follow_redirects=True)
    assert "今天已就这个内容请过经纪人帮忙" in again.get_data(as_text=True)
    assert len(_notices(app, here)) == 1  # nobody is told twice


@pytest.mark.usefixtures("synced")
def test_a_region_without_brokers_asks_the_admins(app: Flask, make: Any) -> None:
    enterprise, admin = make.user("enterprise"), make.user("admin")
    make.user("broker", regions=("31",))
    client = login(app.test_client(), enterprise)
    assert client.post("/needs/ask-broker", data={"query": "注塑件翘曲", "kind": "needs"}).status_code == 302
    assert [n.message_params["query"] for n in _notices(app, admin)] == ["注塑件翘曲"]


@pytest.mark.usefixtures("synced")
def test_visitors_are_asked_to_log_in_and_other_roles_cannot_ask(app: Flask, make: Any) -> None:
    broker = make.user("broker", regions=("32",))
    page = _page(app.test_client(), "/needs/")
    assert 'data-testid="ask-broker-login"' in page and 'data-testid="ask-broker"' not in page
    assert "/auth/login?next=" in page and 'data-testid="help-post-need"' in page
    anonymous = app.test_client().post("/needs/ask-broker", data={"query": NOTHING})
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.location

    provider = login(app.test_client(), make.user("provider"))
    assert 'data-testid="ask-broker' not in _page(provider)
    assert provider.post("/needs/ask-broker", data={"query": NOTHING}).status_code == 403
    assert _notices(app, broker) == []


@pytest.mark.usefixtures("synced")
def test_an_empty_question_is_refused_with_a_message(app: Flask, make: Any) -> None:
    broker = make.user("broker", regions=("32",))
    client = login(app.test_client(), make.user("enterprise"))
    response = client.post("/needs/ask-broker", data={"query": "   ", "kind": "bogus"}, follow_redirects=True)
    assert response.status_code == 200 and "请先填写要找的内容" in response.get_data(as_text=True)
    assert _notices(app, broker) == []
