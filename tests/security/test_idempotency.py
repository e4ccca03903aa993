"""Double submits (issue 12, point 10): a create form's one-time key and the API's Idempotency-Key
header make a double click or a retried request create one record.

The concurrent tests need PostgreSQL (real concurrent transactions colliding on the key's unique
index); SQLite serialises writers, so there the same duplicates run one after another.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from market.auth import services as auth
from market.auth.models import User
from market.db import commit, db, utcnow
from market.idempotency import IdempotencyKey
from market.needs.models import Need
from market.orders.models import Order, Proposal
from market.providers.models import Achievement, ServiceItem
from tests.api.conftest import VALID_NEED
from tests.factories import APPROVED, login
from tests.web.test_needs import VALID as NEED_FORM

ATTEMPTS = 20
KEY = re.compile(r'name="once_key" value="([^"]+)"')


def on_postgres(app: Flask) -> bool:
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql")


def form_key(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    found = KEY.search(page.get_data(as_text=True))
    assert found, f"{url} renders no one-time key"
    return found.group(1)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def api_token(app: Flask, user_id: int) -> str:
    with app.app_context():
        secret, _record = auth.create_api_token(db.session.get_one(User, user_id), "idempotency")
        commit()
        return secret


# ---- pages ----------------------------------------------------------------------------------------------


def test_a_double_submitted_need_form_creates_one_draft(app: Flask, make: Any) -> None:
    client = login(app.test_client(), make.user("enterprise"))
    data = {**NEED_FORM, "once_key": form_key(client, "/needs/new")}
    first, second = client.post("/needs/new", data=data), client.post("/needs/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, Need) == 1
    assert "该表单已经提交过，没有重复创建" in client.get(second.headers["Location"]).get_data(as_text=True)
    # A fresh form (a new key) is a new need.
    client.post("/needs/new", data={**NEED_FORM, "once_key": form_key(client, "/needs/new")})
    assert count(app, Need) == 2


def test_a_form_shown_again_with_errors_keeps_its_key_unused(app: Flask, make: Any) -> None:
    client = login(app.test_client(), make.user("enterprise"))
    key = form_key(client, "/needs/new")
    refused = client.post("/needs/new", data={**NEED_FORM, "title": "", "once_key": key})
    assert refused.status_code == 200 and f'value="{key}"' in refused.get_data(as_text=True)
    assert client.post("/needs/new", data={**NEED_FORM, "once_key": key}).status_code == 302
    assert count(app, Need) == 1


def test_someone_elses_key_is_theirs_alone(app: Flask, make: Any) -> None:
    one = login(app.test_client(), make.user("enterprise"))
    other = login(app.test_client(), make.user("enterprise"))
    data = {**NEED_FORM, "once_key": form_key(one, "/needs/new")}
    one.post("/needs/new", data=data)
    other.post("/needs/new", data=data)
    assert count(app, Need) == 2


def test_double_submits_of_service_achievement_order_and_proposal_forms(app: Flask, make: Any) -> None:
    provider_user = make.user("provider")
    provider = make.provider_id_of(provider_user)
    make.set_provider_status(provider, APPROVED)
    seller = login(app.test_client(), provider_user)
    service_form = {
        "category": "testing",
        "title": "电池低温性能检测",
        "description": "按国标开展低温充放电测试。",
        "delivery_mode": "onsite",
        "active": "y",
        "once_key": form_key(seller, "/me/services/new"),
    }
    achievement_form = {
        "kind": "patent",
        "title": "一种储能电池低温自加热方法",
        "once_key": form_key(seller, "/me/achievements/new"),
    }
    for url, data in (("/me/services/new", service_form), ("/me/achievements/new", achievement_form)):
        assert [seller.post(url, data=data).status_code for _ in range(2)] == [302, 302]
    assert count(app, ServiceItem) == count(app, Achievement) == 1
    make.set_provider_status(provider, APPROVED)  # the new items sent the profile back to review
    with app.app_context():
        service = db.session.scalar(select(ServiceItem.id))

    owner = make.user("enterprise")
    buyer = login(app.test_client(), owner)
    order_form = {"message": "请报价", "once_key": form_key(buyer, f"/orders/new/service/{service}")}
    answers = [buyer.post(f"/orders/new/service/{service}", data=order_form) for _ in range(2)]
    assert {a.headers["Location"] for a in answers} == {answers[0].headers["Location"]}
    assert "/orders/" in answers[0].headers["Location"] and count(app, Order) == 1

    need = make.need(owner, status=APPROVED, is_open_call=True)
    proposal_form = {"approach": "热管理方案", "once_key": form_key(seller, f"/needs/{need}")}
    for _ in range(2):
        assert seller.post(f"/orders/proposals/need/{need}", data=proposal_form).status_code == 302
    assert count(app, Proposal) == 1
    assert "已经提交过" in seller.get(f"/needs/{need}").get_data(as_text=True)


def test_a_refused_submit_does_not_use_up_its_key(app: Flask, make: Any) -> None:
    provider = make.provider_id_of(make.user("provider"))
    make.set_provider_status(provider, APPROVED)
    service = make.service(provider)
    buyer = login(app.test_client(), make.user("enterprise"))
    key = form_key(buyer, f"/orders/new/service/{service}")
    refused = buyer.post(f"/orders/new/service/{service}", data={"need_id": "999999", "once_key": key})
    assert refused.status_code == 422 and count(app, Order) == 0  # the form again, with the same key
    assert f'value="{key}"' in refused.get_data(as_text=True)
    accepted = buyer.post(f"/orders/new/service/{service}", data={"once_key": key})
    assert "/orders/" in accepted.headers["Location"] and count(app, Order) == 1


def _race(app: Flask, send: list[Any]) -> list[TestResponse]:
    """Run every sender from its own thread (each with its own client), all released at once."""
    start = threading.Barrier(len(send))
    results: list[TestResponse] = []
    guard = threading.Lock()

    def attempt(index: int) -> None:
        start.wait()
        response = send[index]()
        with guard:
            results.append(response)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(send))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(send)
    return results


@pytest.mark.postgres_only
def test_twenty_concurrent_identical_need_forms_create_one_need(app: Flask, make: Any) -> None:
    if not on_postgres(app):
        pytest.skip("needs PostgreSQL: truly concurrent transactions (TEST_DATABASE_URL=postgresql://…)")
    owner = make.user("enterprise")
    clients = [login(app.test_client(), owner) for _ in range(ATTEMPTS)]
    data = {**NEED_FORM, "once_key": form_key(clients[0], "/needs/new")}
    answers = _race(app, [lambda c=c: c.post("/needs/new", data=data) for c in clients])
    assert Counter(a.status_code for a in answers) == Counter({302: ATTEMPTS})
    assert len({a.headers["Location"] for a in answers}) == 1
    assert count(app, Need) == 1


@pytest.mark.postgres_only
def test_twenty_concurrent_api_retries_create_one_need(app: Flask, make: Any) -> None:
    if not on_postgres(app):
        pytest.skip("needs PostgreSQL: truly concurrent transactions (TEST_DATABASE_URL=postgresql://…)")
    owner = make.user("enterprise")
    # One token per request: a shared token would make every request update the same api_tokens row.
    tokens = [api_token(app, owner) for _ in range(ATTEMPTS)]

    def send(token: str) -> TestResponse:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "race-1"}
        return app.test_client().post("/api/v1/needs", json=VALID_NEED, headers=headers)

    answers = _race(app, [lambda t=t: send(t) for t in tokens])
    assert Counter(a.status_code for a in answers) == Counter({201: ATTEMPTS})
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert count(app, Need) == 1


# ---- the API --------------------------------------------------------------------------------------------


def test_an_api_retry_with_the_same_key_answers_the_first_response(app: Flask, make: Any) -> None:
    from tests.api.conftest import Api

    document = app.test_client().get("/api/v1/openapi.json").get_json()
    api = Api(app.test_client(), document)
    token = api_token(app, make.user("enterprise"))
    key = {"Idempotency-Key": "0b6c5a0e-5b1f-4c3e-9a77-6a2f1d1b9c11"}
    first = api.post("/needs", token, json=VALID_NEED, headers=key)
    again = api.post("/needs", token, json=dict(reversed(list(VALID_NEED.items()))), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(app, Need) == 1

    different = api.post("/needs", token, json={**VALID_NEED, "title": "另一个需求的标题文字"}, headers=key)
    assert different.status_code == 422 and "Idempotency-Key" in different.get_json()["error"]
    elsewhere = api.post("/me/provider/services", token, json={}, headers=key)
    assert elsewhere.status_code == 422
    assert (
        api.post("/needs", token, json=VALID_NEED, headers={"Idempotency-Key": "has space"}).status_code
        == 400
    )
    assert api.post("/needs", token, json=VALID_NEED).status_code == 201  # no key, no protection
    assert count(app, Need) == 2


def test_a_key_is_forgotten_after_24_hours(app: Flask, make: Any) -> None:
    token = api_token(app, make.user("enterprise"))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "daily-1"}
    client = app.test_client()
    first = client.post("/api/v1/needs", json=VALID_NEED, headers=headers).get_json()["id"]
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
        commit()
    second = client.post("/api/v1/needs", json=VALID_NEED, headers=headers).get_json()["id"]
    assert second != first and count(app, Need) == 2


def test_a_failed_request_does_not_keep_its_key(app: Flask, make: Any) -> None:
    token = api_token(app, make.user("enterprise"))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "fix-and-retry"}
    client = app.test_client()
    bad = client.post("/api/v1/needs", json={**VALID_NEED, "title": ""}, headers=headers)
    assert bad.status_code == 422 and count(app, IdempotencyKey) == 0
    assert client.post("/api/v1/needs", json=VALID_NEED, headers=headers).status_code == 201


def test_order_api_retries_create_one_order(app: Flask, make: Any) -> None:
    provider = make.provider_id_of(make.user("provider"))
    make.set_provider_status(provider, APPROVED)
    service = make.service(provider)
    token = api_token(app, make.user("enterprise"))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "order-1"}
    client = app.test_client()
    answers = [client.post("/api/v1/orders", json={"service_id": service}, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.get_json()["id"] for a in answers}) == 1 and count(app, Order) == 1


def test_the_header_is_documented_on_every_create_operation(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    creates = {
        ("/api/v1/needs", "post"),
        ("/api/v1/me/provider/achievements", "post"),
        ("/api/v1/me/provider/services", "post"),
        ("/api/v1/orders", "post"),
        ("/api/v1/needs/{need_id}/dispatch", "post"),
        ("/api/v1/needs/{need_id}/proposals", "post"),
    }
    for path, method in creates:
        operation = document["paths"][path][method]
        assert "Idempotency-Key" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}, path
        assert {"409", "422"} <= set(operation["responses"]), path
