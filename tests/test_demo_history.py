"""The demo's order history: made by the real services, dated consistently into the past, and
enough for every part of the broker workspace to show something."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from market.auth.models import User
from market.broker import attention, funnel, reports
from market.broker.filters import Filters
from market.db import db
from market.demo.load import load_demo
from market.needs.models import Need
from market.orders.models import AuditLog, Deal, EmailOutbox, FollowUp, Notification, Order, Review
from market.orders.parties import provider_users
from market.providers.models import Provider
from tests.conftest import wipe_database


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# Every test here only reads the demo, so it is loaded once per module (and xdist worker) rather than
# once per test (12-22 s each on PostgreSQL), and wiped when the module is done.
SHARED_DATABASE = True


@pytest.fixture(scope="module")
def demo(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        app.config["INDEX_SYNC"] = False
        load_demo(seed=7, n_providers=120, n_needs=80)
        db.session.commit()
    yield
    wipe_database(app)


@pytest.mark.usefixtures("demo")
def test_orders_reach_every_state_through_the_state_machine(app: Flask) -> None:
    with app.app_context():
        orders = list(db.session.scalars(select(Order)))
        states = Counter(order.status for order in orders)
        assert len(orders) >= 40
        for state in ("ordered", "accepted", "negotiating", "signed", "delivered", "reviewed", "declined"):
            assert states[state] >= 1, states
        for order in orders:
            audit = list(
                db.session.scalars(
                    select(AuditLog).where(AuditLog.order_id == order.id).order_by(AuditLog.id)
                )
            )
            # every change went through transitions.fire: one audit entry per version, none skipped
            assert order.version == len(audit)
            assert audit[-1].to_status == order.status
        signed = [o for o in orders if o.status in ("signed", "delivered", "reviewed")]
        assert all(o.deal is not None for o in signed)
        assert {o.id for o in orders if o.status == "reviewed"} == {
            r.order_id for r in db.session.scalars(select(Review))
        }
        declined = db.session.scalars(select(AuditLog).where(AuditLog.to_status == "declined"))
        assert all(entry.reason for entry in declined)


@pytest.mark.usefixtures("demo")
def test_postings_reach_their_states_through_the_posting_life_cycle(app: Flask) -> None:
    from market import scope
    from market.moderation.models import ModerationEvent
    from tests.api.test_posting_lifecycle import assert_history_complete

    assert_history_complete(app)  # every status a demo posting has is a moderation event
    with app.app_context():
        approvals = db.session.scalars(select(ModerationEvent).where(ModerationEvent.action == "approve"))
        for event in approvals:
            posting = db.session.get(Need if event.target_kind == "need" else Provider, event.target_id)
            assert scope.covers(event.actor, posting.province) and event.created_at == posting.approved_at
        states = Counter(db.session.scalars(select(Need.status)))
        assert states["approved"] > states["pending"] >= 1 and states["draft"] >= 1, states


@pytest.mark.usefixtures("demo")
def test_dates_follow_each_other_and_stay_in_the_past(app: Flask) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        for order in db.session.scalars(select(Order)):
            created = _naive(order.created_at)
            assert now - timedelta(days=260) < created < now
            if order.need is not None:
                assert created > _naive(order.need.approved_at)  # type: ignore[arg-type]
            moments = [
                _naive(e.created_at)
                for e in db.session.scalars(
                    select(AuditLog).where(AuditLog.order_id == order.id).order_by(AuditLog.id)
                )
            ]
            assert moments == sorted(moments) and moments[0] == created and moments[-1] < now
            assert _naive(order.status_changed_at) == moments[-1]
            if order.deal is not None:
                sign = next(e for e in order_audit(order.id) if e.to_status == "signed")
                assert order.deal.signed_on == _naive(sign.created_at).date()
        for note in db.session.scalars(select(FollowUp)):
            assert _naive(note.created_at) < now
        for need in db.session.scalars(select(Need).where(Need.approved_at.is_not(None))):
            assert _naive(need.created_at) < _naive(need.approved_at) < now  # type: ignore[arg-type]


def order_audit(order_id: int) -> list[AuditLog]:
    return list(
        db.session.scalars(select(AuditLog).where(AuditLog.order_id == order_id).order_by(AuditLog.id))
    )


@pytest.mark.usefixtures("demo")
def test_waiting_orders_are_younger_than_the_expiry_and_no_mail_is_queued(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orders", "expire"])
    assert result.exit_code == 0 and "0" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EmailOutbox)) == 0
        unread = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))
        )
        assert 0 < unread < db.session.scalar(select(func.count()).select_from(Notification))


@pytest.mark.usefixtures("demo")
def test_demo_logins_have_orders_and_the_broker_workspace_has_something_to_show(app: Flask) -> None:
    with app.app_context():
        enterprise = db.session.scalar(select(User).where(User.email == "enterprise@demo.kechuang.cn"))
        assert db.session.scalar(
            select(func.count()).select_from(Order).where(Order.organisation_id == enterprise.organisation_id)
        )
        provider001 = db.session.scalar(select(User).where(User.email == "provider001@demo.kechuang.cn"))
        mine = [o for o in db.session.scalars(select(Order)) if provider001 in provider_users(o.provider)]
        assert mine
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.kechuang.cn"))
        steps = {step.key: step for step in funnel.build(admin, Filters())}
        assert all(
            steps[key].count > 0
            for key in ("posted", "matched", "ordered", "accepted", "signed", "delivered")
        )
        assert steps["signed"].median_days is not None and steps["signed"].median_days > 0
        months = reports.by_month(admin, Filters())
        assert len(months) >= 3
        assert db.session.scalar(select(func.count()).select_from(Deal)) >= 5
        needing = attention.build(admin, Filters())
        # stale needs, orders nobody answered, and follow-ups whose next date has passed
        assert needing.needs and needing.orders and needing.follow_ups
        assert db.session.scalar(
            select(func.count()).select_from(Provider).where(Provider.status == "approved")
        )


@pytest.mark.usefixtures("demo")
def test_some_needs_are_solved_through_a_deal_or_elsewhere_and_one_is_closed(app: Flask) -> None:
    from market.moderation.models import ModerationEvent

    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        solved = list(db.session.scalars(select(Need).where(Need.status == "solved").order_by(Need.id)))
        closed = list(db.session.scalars(select(Need).where(Need.status == "closed")))
        assert {n.solved_how for n in solved} == {"platform", "elsewhere"} and len(closed) == 1
        for need in solved + closed:
            moment = _naive(need.solved_at or need.closed_at)
            assert _naive(need.approved_at) < moment < now and need.outcome_reason
            event = db.session.scalars(
                select(ModerationEvent)
                .where(ModerationEvent.target_kind == "need", ModerationEvent.target_id == need.id)
                .order_by(ModerationEvent.id)
            ).all()[-1]
            assert (event.to_status, _naive(event.created_at)) == (need.status, moment)
        through_deal = next(n for n in solved if n.solved_how == "platform")
        order = db.session.get(Order, through_deal.solved_order_id)
        assert order is not None and order.need_id == through_deal.id and order.deal is not None
        assert _naive(datetime.combine(order.deal.signed_on, datetime.min.time())) <= _naive(
            through_deal.solved_at
        )
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        found = funnel.outcomes(admin, Filters())
        assert (found.solved, found.solved_here, found.closed) == (2, 1, 1)
        assert found.median_days_to_solve is not None and found.answers >= 1


@pytest.mark.usefixtures("demo")
def test_ordinary_needs_have_answers_in_several_states(app: Flask) -> None:
    from market.orders.models import Proposal

    with app.app_context():
        answers = db.session.scalars(
            select(Proposal).join(Need, Proposal.need_id == Need.id).where(Need.is_open_call.is_(False))
        ).all()
        states = Counter(a.status for a in answers)
        assert {"submitted", "shortlisted", "rejected", "withdrawn"} <= set(states), states
        assert all(a.reject_reason for a in answers if a.status == "rejected")
