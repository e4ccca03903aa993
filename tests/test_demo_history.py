"""The demo's order history: made by the real services, dated consistently into the past, and
enough for every part of the broker workspace to show something."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update

from market.auth.models import User
from market.broker import attention, funnel, reports
from market.broker.filters import Filters
from market.conversations.models import Thread, ThreadRead
from market.db import db
from market.demo.load import load_demo
from market.needs.models import Need
from market.orders.models import AuditLog, Deal, EmailOutbox, FollowUp, Notification, Order, Proposal, Review
from market.orders.parties import provider_users
from market.providers.models import Provider
from tests.conftest import wipe_database


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# Every test here only reads the demo (or puts back what it changed: see `_reading_restored`), so it is
# loaded once per module (and xdist worker) rather than once per test (12-22 s each on PostgreSQL), and
# wiped when the module is done. --dist worksteal runs a module's tests in any order on a worker.
SHARED_DATABASE = True
# Small enough to load quickly, and big enough that enterprise@ keeps a public ordinary need once one
# of its needs is solved (at 120 providers and 80 needs its only other one is a 揭榜挂帅 call).
DEMO_SIZE = (100, 100)


@contextmanager
def _reading_restored(app: Flask, user_id: int) -> Iterator[None]:
    """Put the user's read markers and message notices back as they were: reading a thread in a page
    changes them, and the badge test on the same module's demo counts them."""
    with app.app_context():
        marks = [(r.thread_id, r.last_message_id, r.read_at) for r in _reads_of(user_id)]
        unread = list(
            db.session.scalars(
                select(Notification.id).where(Notification.user_id == user_id, Notification.read_at.is_(None))
            )
        )
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(delete(ThreadRead).where(ThreadRead.user_id == user_id))
            db.session.add_all(
                ThreadRead(thread_id=t, user_id=user_id, last_message_id=m, read_at=at) for t, m, at in marks
            )
            db.session.execute(update(Notification).where(Notification.id.in_(unread)).values(read_at=None))
            db.session.commit()


def _reads_of(user_id: int) -> list[ThreadRead]:
    return list(db.session.scalars(select(ThreadRead).where(ThreadRead.user_id == user_id)))


@pytest.fixture(scope="module")
def demo(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        app.config["INDEX_SYNC"] = False
        load_demo(seed=7, n_providers=DEMO_SIZE[0], n_needs=DEMO_SIZE[1])
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
        assert needing.needs.items and needing.orders.items and needing.follow_ups.items
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


# What the first logins show: answers on enterprise@'s own need, the featured expert's 我的答题, and
# conversations on answers and orders (market/demo/showcase.py).

DEMO_ENTERPRISE = "enterprise@demo.kechuang.cn"


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _showcase(app: Flask) -> tuple[User, Need, list[Proposal]]:
    """enterprise@, its need with answers, and those answers."""
    enterprise = _user(DEMO_ENTERPRISE)
    answers = list(
        db.session.scalars(
            select(Proposal)
            .join(Need, Proposal.need_id == Need.id)
            .where(Need.organisation_id == enterprise.organisation_id, Need.is_open_call.is_(False))
            .order_by(Proposal.id)
        )
    )
    assert answers, "enterprise@ has no answers on its ordinary needs"
    need = answers[0].need
    return enterprise, need, [a for a in answers if a.need_id == need.id]


@pytest.mark.usefixtures("demo")
def test_the_demo_enterprise_has_answers_in_every_state_on_its_own_need(app: Flask) -> None:
    from market.orders import proposals

    with app.app_context():
        enterprise, need, answers = _showcase(app)
        assert need.is_public and not need.is_open_call
        states = Counter(a.status for a in answers)
        assert states["ordered"] == states["shortlisted"] == states["rejected"] == 1, states
        assert states["submitted"] >= 1, states
        # answerers are of the need's field, so the matching engine ranks them for it
        assert all(need.field_code in a.provider.field_codes for a in answers)
        assert all(a.reject_reason for a in answers if a.status == "rejected")
        picked = next(a for a in answers if a.status == "ordered")
        order = db.session.scalar(select(Order).where(Order.proposal_id == picked.id))
        assert order is not None and order.status == "accepted" and order.origin == "proposal"
        # what the need page lists for its enterprise
        shown = proposals.answers_on_need(enterprise, need).answers
        assert sorted(r.proposal.id for r in shown) == [a.id for a in answers]
        now = datetime.now(UTC).replace(tzinfo=None)
        assert need.approved_at is not None
        for answer in answers:
            assert _naive(need.approved_at) < _naive(answer.created_at) <= _naive(answer.updated_at) < now
            assert answer.updated_at < order.created_at or answer is picked


@pytest.mark.usefixtures("demo")
def test_the_featured_expert_sees_answers_in_several_states(app: Flask) -> None:
    from market.orders import proposals

    with app.app_context():
        _enterprise, _need, answers = _showcase(app)
        expert = next(a for a in answers if a.status == "ordered").provider
        assert expert.kind == "expert" and expert.user is not None  # logs in as themselves
        mine = proposals.my_answers(expert.user)
        assert {"ordered", "shortlisted", "rejected", "submitted"} <= {a.status for a in mine}, [
            a.status for a in mine
        ]
        assert len({a.need.organisation_id for a in mine}) >= 2  # not only enterprise@'s needs


def _threads_with_messages() -> list[Thread]:
    return list(
        db.session.scalars(select(Thread).where(Thread.last_message_at.is_not(None)).order_by(Thread.id))
    )


@pytest.mark.usefixtures("demo")
def test_conversations_on_answers_and_orders_with_both_sides_and_a_broker(app: Flask) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        threads = _threads_with_messages()
        assert len(threads) >= 6
        assert any(t.order_id for t in threads) and any(t.proposal_id for t in threads)
        broker_threads = 0
        for thread in threads:
            messages = thread.messages
            sides = {m.side for m in messages}
            assert {"enterprise", "provider"} <= sides and len(messages) >= 2, (thread.id, sides)
            assert all(m.body and not m.hidden for m in messages)
            moments = [_naive(m.created_at) for m in messages]
            assert moments == sorted(moments) and moments[-1] < now
            assert thread.last_message_at is not None and _naive(thread.last_message_at) == moments[-1]
            engagement = thread.order or thread.proposal
            assert engagement is not None and _naive(engagement.created_at) < moments[0]
            if "broker" in sides:
                broker_threads += 1
                broker = next(m.author for m in messages if m.side == "broker")
                assert broker.role == "broker" and thread.province in broker.region_codes
        assert broker_threads >= 2


@pytest.mark.usefixtures("demo")
def test_some_messages_are_unread_so_the_badges_show(app: Flask) -> None:
    from market.conversations import services as conversations

    with app.app_context():
        enterprise, _need, answers = _showcase(app)
        mine = conversations.my_threads(enterprise)
        readable = cast(list[Thread], db.session.scalars(mine).all())
        talking = [t for t in readable if t.last_message_at is not None]
        assert len(talking) >= 4
        unread = conversations.unread_by_thread(enterprise, [t.id for t in talking])
        assert sum(unread.values()) == conversations.unread_total(enterprise) == 3, unread
        assert len(unread) == 2  # the picked expert's order thread and a waiting answer's
        assert any(t.proposal_id for t in talking if t.id in unread)
        assert any(t.order_id for t in talking if t.id in unread)
        assert any(unread.get(t.id, 0) == 0 for t in talking)  # and some it has read to the end
        # their notices are unread too; what it has read, it has been told of and read
        notices = db.session.scalars(
            select(Notification).where(Notification.user_id == enterprise.id, Notification.kind == "message")
        ).all()
        assert 0 < sum(n.read_at is None for n in notices) <= 3
        expert = next(a for a in answers if a.status == "ordered").provider.user
        assert conversations.unread_total(expert) >= 1
        # a 点单 under way whose provider has not read the enterprise's last question
        service_threads = [t for t in _threads_with_messages() if t.order and t.order.service_id]
        assert service_threads
        provider = provider_users(service_threads[0].provider)[0]
        assert conversations.unread_by_thread(provider, [service_threads[0].id]) == {service_threads[0].id: 1}


@pytest.mark.usefixtures("demo")
def test_the_demo_enterprise_sees_answers_and_conversations_in_its_pages(app: Flask) -> None:
    from market.demo.load import DEMO_PASSWORD

    with app.app_context():
        enterprise, need, answers = _showcase(app)
        ids = (enterprise.id, need.id)
        waiting = next(a for a in answers if a.status == "submitted")
        names = [a.provider.name for a in answers]
        reason = next(a.reject_reason for a in answers if a.status == "rejected")
        thread = db.session.scalar(select(Thread).where(Thread.proposal_id == waiting.id))
        assert thread is not None
        thread_id, last = thread.id, thread.messages[-1].body
    client = app.test_client()
    response = client.post("/auth/login", data={"email": DEMO_ENTERPRISE, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    with _reading_restored(app, ids[0]):
        page = client.get(f"/needs/{ids[1]}").get_data(as_text=True)
        assert all(name in page for name in names) and reason in page
        inbox = client.get("/conversations/").get_data(as_text=True)
        assert 'data-testid="nav-messages-unread">3<' in inbox
        assert f"/conversations/{thread_id}" in inbox
        assert last in client.get(f"/conversations/{thread_id}").get_data(as_text=True)
        with app.app_context():  # reading the thread (the page) took it off the unread count
            from market.conversations import services as conversations

            assert conversations.unread_total(db.session.get(User, ids[0])) == 2


@pytest.mark.usefixtures("demo")
def test_postings_carry_sub_fields_and_a_few_providers_are_full_or_away(app: Flask) -> None:
    from market.capacity.load import loads
    from market.capacity.models import ProviderCapacity
    from market.reference.models import SubField

    with app.app_context():
        needs = db.session.scalars(select(Need)).all()
        providers = db.session.scalars(select(Provider)).all()
        with_subfield = [n for n in needs if n.subfield_code]
        assert len(with_subfield) >= 0.9 * len(needs)
        field_of = {c: f for c, f in db.session.execute(select(SubField.code, SubField.field_code))}
        assert all(field_of[n.subfield_code] == n.field_code for n in with_subfield if n.subfield_code)
        assert all(s.field_code in p.field_codes for p in providers for s in p.subfields)
        assert sum(1 for p in providers if p.subfields) >= 0.9 * len(providers)
        standing = loads(providers).values()
        full = [s for s in standing if s.at_capacity]
        away = [s for s in standing if s.away and s.away_until is not None]
        settings = db.session.scalars(select(ProviderCapacity)).all()
        # A minority sets anything: the few full ones have work in progress, as the history left it.
        assert len(full) >= 2 and all(s.active >= 1 for s in full)
        assert 1 <= len(away) <= 2
        assert len(full) + len(away) < len(settings) < len(providers) / 5
