"""Loading the demo: the same rows every time (fixed seed, fixed offsets before the clock), and
`load-demo --if-empty` leaves a loaded database alone."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from market.auth.models import User
from market.conversations.models import ThreadMessage
from market.db import db
from market.demo.load import load_demo
from market.orders.models import Proposal
from tests.conftest import wipe_database

Row = tuple[object, ...]
SIZE = (60, 40)  # the smallest sizes where enterprise@ keeps a public ordinary need with answers


def _load(app: Flask) -> None:
    with app.app_context():
        app.config["INDEX_SYNC"] = False
        load_demo(seed=7, n_providers=SIZE[0], n_needs=SIZE[1])
        db.session.commit()


def _fingerprint(app: Flask) -> tuple[list[Row], list[Row]]:
    with app.app_context():
        answers: list[Row] = [
            (a.need.title, a.provider.name, a.status, a.reject_reason)
            for a in db.session.scalars(select(Proposal).order_by(Proposal.id))
        ]
        messages: list[Row] = [
            (m.thread.title, m.side, m.author.email, m.body)
            for m in db.session.scalars(select(ThreadMessage).order_by(ThreadMessage.id))
        ]
        return answers, messages


@pytest.mark.slow
def test_the_demo_loads_the_same_way_twice_and_only_once(app: Flask) -> None:
    _load(app)
    answers, messages = _fingerprint(app)
    assert {"submitted", "ordered"} <= {row[2] for row in answers}
    assert {row[1] for row in messages} == {"enterprise", "provider", "broker"}
    with app.app_context():
        accounts = select(User.name).where(User.organisation_id.is_not(None), User.role != "broker")
        contacts = db.session.scalars(accounts).all()
    # Organisation accounts carry a person's name (the navigation once showed "…有限公联系人").
    assert contacts and all(2 <= len(name) <= 4 for name in contacts), contacts[:5]
    result = app.test_cli_runner().invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output, result.output
    assert _fingerprint(app) == (answers, messages)
    wipe_database(app)
    _load(app)
    assert _fingerprint(app) == (answers, messages)
