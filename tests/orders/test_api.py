"""The orders JSON API: happy paths and error codes (401, 403, 404, 409, 422, 400)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from market.orders.models import Order
from tests.orders.world import DEAL, World


class Caller:
    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.token = client, token

    def __call__(self, method: str, path: str, json: Any = None, **kw: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.open("/api/v1" + path, method=method, json=json, headers=headers, **kw)
        assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
        return response


@pytest.fixture
def api(world: World) -> Any:
    def caller(role: str) -> Caller:
        user_id = world.user_id(role)
        if user_id is None:
            return Caller(world.app.test_client(), None)
        with world.app.app_context():
            secret, _record = auth.create_api_token(db.session.get(User, user_id), "t")
            db.session.commit()
        return Caller(world.app.test_client(), secret)

    return caller


def test_invite_and_walk_the_whole_flow(world: World, api: Any) -> None:
    owner, provider, broker = api("owner"), api("provider"), api("broker_in")
    created = owner(
        "POST", "/orders", {"need_id": world.need, "provider_id": world.provider_id, "message": "请评估"}
    )
    assert created.status_code == 201
    order = created.get_json()
    assert order["status"] == "ordered" and order["version"] == 1 and "confidential" not in str(order)
    oid = order["id"]
    assert provider("POST", f"/orders/{oid}/actions/accept").get_json()["status"] == "accepted"
    assert broker("POST", f"/orders/{oid}/actions/negotiate").get_json()["status"] == "negotiating"
    signed = broker("POST", f"/orders/{oid}/actions/sign", DEAL).get_json()
    assert signed["status"] == "signed" and signed["deal"]["value_wan"] == "120.50"
    assert provider("POST", f"/orders/{oid}/actions/deliver", {}).get_json()["status"] == "delivered"
    done = owner("POST", f"/orders/{oid}/actions/review", {"rating": 5, "body": "很好"}).get_json()
    assert done["status"] == "reviewed" and done["review"]["rating"] == 5 and done["version"] == 6
    audit = broker("GET", f"/orders/{oid}/audit").get_json()["items"]
    assert [e["to_status"] for e in audit] == [
        "ordered",
        "accepted",
        "negotiating",
        "signed",
        "delivered",
        "reviewed",
    ]
    assert [e["version"] for e in audit] == [1, 2, 3, 4, 5, 6]


def test_order_a_service_list_and_get(world: World, api: Any) -> None:
    service = world.make.service(world.provider_id)
    owner = api("owner")
    created = owner("POST", "/orders", {"service_id": service, "message": "报价"})
    assert created.status_code == 201 and created.get_json()["service_id"] == service
    listed = owner("GET", "/orders?state=ordered&side=enterprise").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == created.get_json()["id"]
    assert owner("GET", "/orders?side=provider").get_json()["total"] == 0
    one = api("provider")("GET", f"/orders/{created.get_json()['id']}")
    assert one.status_code == 200 and one.get_json()["follow_ups"] == []


def test_follow_ups(world: World, api: Any) -> None:
    order = world.order("accepted")
    added = api("broker_in")(
        "POST", f"/orders/{order}/follow-ups", {"body": "已回访", "next_follow_up_on": "2030-02-01"}
    )
    assert added.status_code == 201 and added.get_json()["next_follow_up_on"] == "2030-02-01"
    items = api("owner")("GET", f"/orders/{order}/follow-ups").get_json()["items"]
    assert [i["kind"] for i in items] == ["transition", "note"]
    bad = api("owner")("POST", f"/orders/{order}/follow-ups", {"body": ""})
    assert bad.status_code == 422 and "body" in bad.get_json()["fields"]


def test_dispatch_and_proposals(world: World, api: Any) -> None:
    broker = api("broker_in")
    made = broker(
        "POST",
        f"/needs/{world.need}/dispatch",
        {"provider_ids": [world.other_provider_id, world.other_provider_id], "message": "请对接"},
    )
    assert made.status_code == 201 and [o["status"] for o in made.get_json()["items"]] == ["dispatched"]
    again = broker("POST", f"/needs/{world.need}/dispatch", {"provider_ids": [world.other_provider_id]})
    assert again.status_code == 409  # one open order per provider and need
    assert (
        api("broker_out")(
            "POST", f"/needs/{world.need}/dispatch", {"provider_ids": [world.provider_id]}
        ).status_code
        == 403
    )
    assert broker("POST", f"/needs/{world.need}/dispatch", {"provider_ids": "1"}).status_code == 400
    assert broker("POST", f"/needs/{world.need}/dispatch", {"provider_ids": []}).status_code == 422
    proposal = api("provider")(
        "POST", f"/needs/{world.need}/proposals", {"approach": "方案", "price_min": 10, "price_max": 20}
    )
    assert proposal.status_code == 201
    pid = proposal.get_json()["id"]
    assert api("provider")("POST", f"/needs/{world.need}/proposals", {"approach": "再来"}).status_code == 409
    assert (
        api("other_provider")(
            "POST", f"/needs/{world.need}/proposals", {"approach": "x", "price_min": 9, "price_max": 1}
        ).status_code
        == 422
    )
    owner = api("owner")
    assert len(owner("GET", f"/needs/{world.need}/proposals").get_json()["items"]) == 1
    assert owner("POST", f"/proposals/{pid}/shortlist").get_json()["status"] == "shortlisted"
    assert owner("POST", f"/proposals/{pid}/reject", {}).status_code == 422
    assert api("provider")("POST", f"/proposals/{pid}/shortlist").status_code == 403
    ordered = owner("POST", f"/proposals/{pid}/order", {"message": "请确认"})
    assert ordered.status_code == 201 and ordered.get_json()["origin"] == "proposal"


def test_error_codes(world: World, api: Any) -> None:
    order = world.order("ordered")
    assert api("anonymous")("GET", "/orders").status_code == 401
    assert api("anonymous")("POST", f"/orders/{order}/actions/accept").headers["WWW-Authenticate"]
    assert api("owner")("POST", f"/orders/{order}/actions/accept").status_code == 403
    assert api("other_provider")("POST", f"/orders/{order}/actions/accept").status_code == 404
    assert api("provider")("POST", f"/orders/{order}/actions/sign", DEAL).status_code == 409
    assert api("provider")("POST", f"/orders/{order}/actions/decline", {"reason": ""}).status_code == 422
    assert api("provider")("POST", f"/orders/{order}/actions/fly").status_code == 404
    assert (
        api("provider")(
            "POST", f"/orders/{order}/actions/accept", data="nope", content_type="application/json"
        ).status_code
        == 400
    )
    assert api("provider")("GET", "/orders/99999999999").status_code == 404
    assert api("owner")("GET", f"/orders/{order}/audit").status_code == 403
    assert api("owner")("POST", "/orders", {"message": "?"}).status_code == 400
    assert (
        api("provider")(
            "POST", "/orders", {"need_id": world.need, "provider_id": world.provider_id}
        ).status_code
        == 403
    )
    assert world.status(order) == "ordered"


def test_reject_review_out_of_range(world: World, api: Any) -> None:
    order = world.order("delivered")
    bad = api("owner")("POST", f"/orders/{order}/actions/review", {"rating": 6})
    assert bad.status_code == 422 and "rating" in bad.get_json()["fields"]
    assert world.status(order) == "delivered"


def test_notifications_api(world: World, api: Any) -> None:
    world.order("accepted")
    provider = api("provider")
    body = provider("GET", "/notifications?unread=1").get_json()
    assert body["unread"] == 1 and body["total"] == 1 and body["items"][0]["order_id"]
    assert provider("POST", "/notifications/read").get_json() == {"unread": 0}
    assert provider("GET", "/notifications").get_json()["unread"] == 0


def _proposal(world: World, api: Any) -> int:
    made = api("provider")("POST", f"/needs/{world.need}/proposals", {"approach": "方案"})
    assert made.status_code == 201
    return int(made.get_json()["id"])


def test_unknown_fields_are_refused_on_every_order_endpoint(world: World, api: Any) -> None:
    """Every body the orders API takes answers 400 for a field it does not know, and changes nothing
    (it used to ignore them silently)."""
    service = world.make.service(world.provider_id)
    order = world.order("ordered")
    steps = {
        "accept": {},
        "decline": {"reason": "忙"},
        "negotiate": {},
        "sign": DEAL,
        "deliver": {},
        "review": {"rating": 5},
        "cancel": {"reason": "不需要了"},
    }
    calls: list[tuple[str, str, str, dict[str, Any]]] = [
        ("owner", "POST", "/orders", {"service_id": service}),
        ("owner", "POST", "/orders", {"need_id": world.need, "provider_id": world.other_provider_id}),
        *(("provider", "POST", f"/orders/{order}/actions/{a}", body) for a, body in steps.items()),
        ("owner", "POST", f"/orders/{order}/follow-ups", {"body": "已沟通"}),
        ("broker_in", "POST", f"/needs/{world.need}/dispatch", {"provider_ids": [world.other_provider_id]}),
        ("other_provider", "POST", f"/needs/{world.need}/proposals", {"approach": "方案"}),
        ("provider", "POST", "/notifications/read", {}),
    ]
    proposal = _proposal(world, api)
    for action, body in (("shortlist", {}), ("reject", {"reason": "偏贵"}), ("order", {"message": "请确认"})):
        calls.append(("owner", "POST", f"/proposals/{proposal}/{action}", body))
    for role, method, path, body in calls:
        response = api(role)(method, path, {**body, "colour": "red"})
        assert response.status_code == 400, (path, response.get_json())
        assert response.get_json()["fields"] == {"colour": ["未知字段。"]}, path
    assert world.status(order) == "ordered"
    with world.app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 1


UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


def test_every_timestamp_is_utc(world: World, api: Any) -> None:
    order = world.order("reviewed")
    owner, broker = api("owner"), api("broker_in")
    owner("POST", f"/orders/{order}/follow-ups", {"body": "回访"})
    _proposal(world, api)
    detail = owner("GET", f"/orders/{order}").get_json()
    moments = [detail["created_at"], detail["status_changed_at"], detail["review"]["created_at"]]
    moments += [f["created_at"] for f in detail["follow_ups"]]
    moments += [o["created_at"] for o in owner("GET", "/orders").get_json()["items"]]
    moments += [e["created_at"] for e in broker("GET", f"/orders/{order}/audit").get_json()["items"]]
    moments += [p["created_at"] for p in owner("GET", f"/needs/{world.need}/proposals").get_json()["items"]]
    provider = api("provider")
    provider("POST", "/notifications/read")
    notices = provider("GET", "/notifications").get_json()["items"]
    moments += [n["created_at"] for n in notices] + [n["read_at"] for n in notices]
    assert len(moments) > 15
    for moment in moments:
        assert UTC.fullmatch(moment), moment
    assert detail["deal"]["signed_on"] == DEAL["signed_on"]  # a date stays a date
