"""Conversation tests: the orders' cast of users (tests/orders/world.py) and helpers for threads."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from market.auth.models import User
from market.conversations.models import Thread, ThreadMessage
from market.db import db
from market.needs.models import Need
from market.orders import proposals
from market.orders.terms import ProposalTerms
from tests.api.conftest import Api, token_for
from tests.orders.world import World, build_world

PDF = b"%PDF-1.7 drawing of the test rig"


@pytest.fixture
def world(app: Flask, make: Any) -> World:
    return build_world(app, make)


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    """API calls whose every answer is checked against the served OpenAPI document."""
    return Api(client, client.get("/api/v1/openapi.json").get_json())


@pytest.fixture
def tokens(app: Flask, world: World) -> dict[str, str | None]:
    roles = ("owner", "other_enterprise", "provider", "other_provider", "broker_in", "broker_out", "admin")
    return {"anonymous": None, **{role: token_for(app, int(world.user_id(role) or 0)) for role in roles}}


def order_thread(world: World, order_id: int) -> int:
    with world.app.app_context():
        return int(db.session.scalar(select(Thread.id).where(Thread.order_id == order_id)) or 0)


def proposal_thread(world: World) -> tuple[int, int]:
    """A proposal of `provider` on the open-call need, and its thread."""

    def submit() -> tuple[int, int]:
        proposal = proposals.submit(
            db.session.get_one(User, world.provider),
            db.session.get_one(Need, world.need),
            ProposalTerms(approach="采用相变材料保温与脉冲自加热相结合的方案。"),
        )
        db.session.flush()
        thread = db.session.scalar(select(Thread.id).where(Thread.proposal_id == proposal.id))
        return proposal.id, int(thread or 0)

    return world.run(submit)  # type: ignore[no-any-return]


def message_count(world: World) -> int:
    with world.app.app_context():
        return db.session.scalar(select(func.count(ThreadMessage.id))) or 0


def post(world: World, role: str, thread_id: int, body: str, **extra: Any) -> Any:
    return world.client(role).post(f"/conversations/{thread_id}", data={"body": body, **extra})
