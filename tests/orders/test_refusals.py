"""One refusal, one status code and one message: the page and the API answer a broken rule alike.

The rules are decided once, in the services; the page used to turn a wrong state or bad input into a
302 with a flash while the API answered 409 or 422. Each case sets up the same situation twice (the
first attempt must not change anything for the second) and compares the two answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import TestResponse

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from market.orders.models import Proposal
from tests.orders.world import DEAL, World


def api_call(world: World, role: str, path: str, body: dict[str, Any]) -> TestResponse:
    with world.app.app_context():
        secret, _record = auth.create_api_token(db.session.get(User, world.user_id(role)), "t")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    return world.app.test_client().post("/api/v1" + path, json=body, headers=headers)


def page_message(response: TestResponse) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'class="alert alert-(?:danger|warning)" role="alert">([^<]*)<', html)


@dataclass(frozen=True)
class Case:
    status: int
    role: str
    setup: Callable[[World], int]  # returns the id the paths are about
    page: Callable[[World, int], tuple[str, dict[str, Any]]]
    api: Callable[[World, int], tuple[str, dict[str, Any]]]


def _proposal(world: World) -> int:
    world.client("provider").post(f"/orders/proposals/need/{world.need}", data={"approach": "方案"})
    with world.app.app_context():
        return int(db.session.scalar(db.select(Proposal.id)))


CASES = {
    # A step the order's state does not allow (transitions.TABLE).
    "wrong state": Case(
        409,
        "owner",
        lambda w: w.order("ordered"),
        lambda w, o: (f"/orders/{o}/act/sign", DEAL),
        lambda w, o: (f"/orders/{o}/actions/sign", DEAL),
    ),
    # 拒单 needs a reason (transitions.REASON_REQUIRED).
    "no reason": Case(
        422,
        "provider",
        lambda w: w.order("ordered"),
        lambda w, o: (f"/orders/{o}/act/decline", {"reason": " "}),
        lambda w, o: (f"/orders/{o}/actions/decline", {"reason": " "}),
    ),
    # One open order per provider and need (services._ensure_no_open_order).
    "second invitation": Case(
        409,
        "owner",
        lambda w: w.order("ordered"),
        lambda w, o: (f"/orders/new/invite/{w.need}/{w.provider_id}", {"message": "再次邀请"}),
        lambda w, o: ("/orders", {"need_id": w.need, "provider_id": w.provider_id, "message": "再次邀请"}),
    ),
    # A rejection needs a reason (the form's rule).
    "rejection without reason": Case(
        422,
        "owner",
        _proposal,
        lambda w, p: (f"/orders/proposals/{p}/reject", {"reason": ""}),
        lambda w, p: (f"/proposals/{p}/reject", {"reason": ""}),
    ),
    # Only the provider answers an order (the party rule of the table).
    "wrong party": Case(
        403,
        "owner",
        lambda w: w.order("ordered"),
        lambda w, o: (f"/orders/{o}/act/accept", {}),
        lambda w, o: (f"/orders/{o}/actions/accept", {}),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_page_and_api_refuse_alike(world: World, name: str) -> None:
    case = CASES[name]
    target = case.setup(world)
    path, data = case.page(world, target)
    page = world.client(case.role).post(path, data=data)
    path, body = case.api(world, target)
    answer = api_call(world, case.role, path, body)
    assert (page.status_code, answer.status_code) == (case.status, case.status)
    if case.status in (409, 422):  # shown on the page the form is on, once
        shown = page_message(page)
        error = answer.get_json()
        expected = [m for found in error.get("fields", {}).values() for m in found] or [error["error"]]
        assert shown == ["；".join(expected)], (shown, error)
