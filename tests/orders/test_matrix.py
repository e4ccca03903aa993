"""Role × action over every order action, through the real pages.

Outcomes: ok (done, state moved), forbidden (403 page), hidden (404: not a party), login (redirect),
conflict (wrong state: the order page again with the message, 409, nothing changes).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.orders.world import DEAL, ROLES, World

SEES = {"owner", "provider", "broker_in", "admin"}

# (start state, action, form values, next state, roles allowed)
TRANSITIONS: list[tuple[str, str, dict[str, Any], str, set[str]]] = [
    ("ordered", "accept", {}, "accepted", {"provider"}),
    ("dispatched", "accept", {}, "accepted", {"provider"}),
    ("ordered", "decline", {"reason": "不在专长范围"}, "declined", {"provider"}),
    ("ordered", "cancel", {"reason": "预算冻结"}, "cancelled", {"owner", "broker_in", "admin"}),
    ("accepted", "negotiate", {}, "negotiating", {"owner", "provider", "broker_in", "admin"}),
    ("accepted", "cancel", {"reason": "改期"}, "cancelled", {"owner", "provider", "broker_in", "admin"}),
    ("negotiating", "sign", DEAL, "signed", {"owner", "broker_in", "admin"}),
    ("signed", "deliver", {"confirmed": "y"}, "delivered", {"owner", "provider", "broker_in", "admin"}),
    ("delivered", "review", {"rating": "5", "body": "专业"}, "reviewed", {"owner"}),
]


def expected(role: str, allowed: set[str]) -> str:
    if role == "anonymous":
        return "login"
    if role not in SEES:
        return "hidden"
    return "ok" if role in allowed else "forbidden"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("start", "action", "values", "after", "allowed"),
    TRANSITIONS,
    ids=[f"{s}-{a}" for s, a, *_ in TRANSITIONS],
)
def test_transition_matrix(
    world: World, role: str, start: str, action: str, values: dict[str, Any], after: str, allowed: set[str]
) -> None:
    origin = "dispatched" if start == "dispatched" else "ordered"
    order = world.order(start, origin=origin)
    response = world.client(role).post(f"/orders/{order}/act/{action}", data=values)
    outcome = expected(role, allowed)
    if outcome == "ok":
        assert response.status_code == 302 and response.location.endswith(f"/orders/{order}")
        assert world.status(order) == after
        return
    assert world.status(order) == start
    if outcome == "login":
        assert response.status_code == 302 and "/auth/login" in response.location
    else:
        assert response.status_code == (403 if outcome == "forbidden" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_follow_up_matrix(world: World, role: str) -> None:
    order = world.order("accepted")
    response = world.client(role).post(
        f"/orders/{order}/follow-ups", data={"body": "已电话沟通", "next_follow_up_on": "2030-01-05"}
    )
    outcome = expected(role, SEES)
    codes = {"ok": 302, "login": 302, "hidden": 404}
    assert response.status_code == codes[outcome]
    page = world.client("owner").get(f"/orders/{order}").get_data(as_text=True)
    assert ("已电话沟通" in page) == (outcome == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_order_page_and_audit_matrix(world: World, role: str) -> None:
    order = world.order("accepted")
    client = world.client(role)
    detail, audit = client.get(f"/orders/{order}"), client.get(f"/orders/{order}/audit")
    if role == "anonymous":
        assert detail.status_code == audit.status_code == 302
    elif role in SEES:
        assert detail.status_code == 200
        assert audit.status_code == (200 if role in {"broker_in", "admin"} else 403)
    else:
        assert detail.status_code == audit.status_code == 404


START_PAGES = {
    "owner": 302,
    "other_enterprise": 403,
    "provider": 403,
    "other_provider": 403,
    "broker_in": 403,
    "broker_out": 403,
    "admin": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_invite_matrix(world: World, role: str) -> None:
    url = f"/orders/new/invite/{world.need}/{world.provider_id}"
    client = world.client(role)
    get, post = client.get(url), client.post(url, data={"message": "诚邀"})
    if role == "anonymous":
        assert get.status_code == post.status_code == 302 and "/auth/login" in post.location
        return
    assert get.status_code == (200 if role == "owner" else START_PAGES[role])
    assert post.status_code == START_PAGES[role]


@pytest.mark.parametrize("role", ROLES)
def test_order_service_matrix(world: World, role: str) -> None:
    service = world.make.service(world.provider_id)
    response = world.client(role).post(f"/orders/new/service/{service}", data={"message": "想了解报价"})
    allowed = {"owner", "other_enterprise"}
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role in allowed:
        assert response.status_code == 302 and "/orders/" in response.location
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_dispatch_matrix(world: World, role: str) -> None:
    response = world.client(role).post(
        f"/orders/dispatch/{world.need}", data={"provider_ids": [str(world.provider_id)], "message": "请对接"}
    )
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role in {"broker_in", "admin"}:
        assert response.status_code == 302 and f"/needs/{world.need}" in response.location
        inbox = world.client("provider").get("/orders/?side=provider").get_data(as_text=True)
        assert 'data-testid="order-row"' in inbox
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_propose_matrix(world: World, role: str) -> None:
    response = world.client(role).post(
        f"/orders/proposals/need/{world.need}",
        data={"approach": "低温自加热 + 相变保温", "price_min": "30", "price_max": "60"},
    )
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role in {"provider", "other_provider"}:
        assert response.status_code == 302 and "#proposals" in response.location
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["shortlist", "reject", "order"])
def test_judge_proposal_matrix(world: World, role: str, action: str) -> None:
    world.client("provider").post(f"/orders/proposals/need/{world.need}", data={"approach": "方案A"})
    from market.db import db
    from market.orders.models import Proposal

    with world.app.app_context():
        proposal = db.session.scalar(db.select(Proposal.id))
    response = world.client(role).post(f"/orders/proposals/{proposal}/{action}", data={"reason": "报价偏高"})
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role == "owner":
        assert response.status_code == 302
        expected_state = {"shortlist": "shortlisted", "reject": "rejected", "order": "ordered"}[action]
        with world.app.app_context():
            assert db.session.get(Proposal, proposal).status == expected_state
    elif role in {"provider", "broker_in", "admin"}:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
