"""Twenty "turn this answer into an order" requests at once give one order (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from market.needs.models import Need
from market.orders import proposals
from market.orders.models import Order, Proposal, ProposalEvent
from market.orders.terms import ProposalTerms
from tests.orders.test_concurrency import on_postgres
from tests.orders.world import World

ATTEMPTS = 20


@pytest.mark.postgres_only
def test_twenty_concurrent_orders_of_one_answer_make_one_order(world: World) -> None:
    if not on_postgres(world):
        pytest.skip("needs PostgreSQL: SELECT … FOR UPDATE and truly concurrent connections")
    with world.app.app_context():
        proposal = proposals.submit(
            db.session.get_one(User, world.provider),
            db.session.get_one(Need, world.need),
            ProposalTerms("方案"),
        ).id
        owner = db.session.get_one(User, world.owner)
        # One token each: a shared token would make every request update the same api_tokens row.
        tokens = [auth.create_api_token(owner, f"race{i}")[0] for i in range(ATTEMPTS)]
        db.session.commit()
    start = threading.Barrier(ATTEMPTS)
    codes: list[int] = []
    guard = threading.Lock()

    def attempt(token: str) -> None:
        client = world.app.test_client()
        start.wait()
        response = client.post(
            f"/api/v1/proposals/{proposal}/order", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        with guard:
            codes.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(codes) == Counter({201: 1, 409: ATTEMPTS - 1}), Counter(codes)
    with world.app.app_context():
        assert db.session.scalar(select(func.count(Order.id)).where(Order.proposal_id == proposal)) == 1
        assert db.session.get_one(Proposal, proposal).status == "ordered"
        steps = db.session.scalars(
            select(ProposalEvent.action)
            .where(ProposalEvent.proposal_id == proposal)
            .order_by(ProposalEvent.id)
        ).all()
        assert steps == ["submit", "order"]
