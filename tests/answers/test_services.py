"""科技答题 services on every public need (issue 14): who may answer, one open answer, edit and withdraw
until the enterprise acts, the daily limit, blocks, hidden answers, evidence, the answers' log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.needs.models import Need
from market.orders import proposals
from market.orders.models import Order, Proposal, ProposalEvent
from market.orders.terms import ProposalTerms
from tests.factories import APPROVED
from tests.orders.world import World

TERMS = ProposalTerms(approach="低温自加热与电池包保温相结合", timeline="6 个月", price_min=20, price_max=40)


def user(world: World, role: str) -> User:
    return db.session.get_one(User, world.user_id(role))


def need(need_id: int) -> Need:
    return db.session.get_one(Need, need_id)


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def plain_need(world: World, **values: Any) -> int:
    """An approved need that is not an open call (揭榜挂帅)."""
    return int(world.make.need(world.owner, status=APPROVED, is_open_call=False, **values))


def answer(world: World, need_id: int, role: str = "provider", terms: ProposalTerms = TERMS) -> int:
    return int(world.run(lambda: proposals.submit(user(world, role), need(need_id), terms).id))


def test_any_public_need_takes_answers_and_the_step_is_logged(world: World) -> None:
    plain = plain_need(world)
    proposal = answer(world, plain)
    with world.app.app_context():
        row = db.session.get_one(Proposal, proposal)
        assert (row.status, row.need_id, row.approach) == ("submitted", plain, TERMS.approach)
        events = db.session.scalars(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal)).all()
        assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
            ("submit", "", "submitted", world.provider)
        ]


def test_one_open_answer_per_provider_and_need(world: World) -> None:
    answer(world, world.need)
    with world.app.app_context():
        with pytest.raises(Conflict, match="已对该需求提交过答题"):
            proposals.submit(user(world, "provider"), need(world.need), TERMS)
        db.session.rollback()
        assert count(Proposal) == 1


def test_edit_and_withdraw_until_the_enterprise_acts(world: World) -> None:
    proposal = answer(world, world.need)
    edited = ProposalTerms(approach="改进后的方案", price_min=10, price_max=15)
    world.run(lambda: proposals.edit(user(world, "provider"), proposal, edited))
    world.run(lambda: proposals.withdraw(user(world, "provider"), proposal))
    # A withdrawn answer is no longer open: the provider may answer again, on the same row.
    again = answer(world, world.need, terms=ProposalTerms(approach="重新提交"))
    assert again == proposal
    world.run(lambda: proposals.shortlist(user(world, "owner"), proposal))
    with world.app.app_context():
        for change in (
            lambda: proposals.edit(user(world, "provider"), proposal, edited),
            lambda: proposals.withdraw(user(world, "provider"), proposal),
        ):
            with pytest.raises(Conflict, match="企业已处理该答题"):
                change()
            db.session.rollback()
        row = db.session.get_one(Proposal, proposal)
        assert (row.status, row.approach) == ("shortlisted", "重新提交")
        actions = db.session.scalars(
            select(ProposalEvent.action)
            .where(ProposalEvent.proposal_id == proposal)
            .order_by(ProposalEvent.id)
        ).all()
        assert actions == ["submit", "edit", "withdraw", "resubmit", "shortlist"]


def test_only_the_provider_that_answered_edits_or_withdraws(world: World) -> None:
    proposal = answer(world, world.need)
    with world.app.app_context():
        with pytest.raises(NotFound):
            proposals.withdraw(user(world, "other_provider"), proposal)
        db.session.rollback()
        with pytest.raises(Forbidden):
            proposals.withdraw(user(world, "owner"), proposal)
        db.session.rollback()
        assert db.session.get_one(Proposal, proposal).status == "submitted"


def test_a_provider_of_the_same_organisation_cannot_answer(world: World) -> None:
    org = world.make.org_of(world.owner)
    colleague = world.make.user("provider", org=org, provider_kind="university")
    world.make.set_provider_status(world.make.provider_id_of(colleague), APPROVED)
    with world.app.app_context():
        with pytest.raises(Forbidden, match="本单位"):
            proposals.submit(db.session.get_one(User, colleague), need(world.need), TERMS)
        db.session.rollback()
        assert count(Proposal) == 0


def test_answers_per_day_are_limited(world: World) -> None:
    world.app.config["ANSWERS_PER_DAY"] = 2
    try:
        answer(world, plain_need(world))
        answer(world, plain_need(world))
        third = plain_need(world)
        with world.app.app_context():
            with pytest.raises(Conflict, match="24 小时内最多提交 2 份"):
                proposals.submit(user(world, "provider"), need(third), TERMS)
            db.session.rollback()
            assert count(Proposal) == 2
    finally:
        world.app.config["ANSWERS_PER_DAY"] = 10


def test_a_blocked_provider_is_refused_until_unblocked(world: World) -> None:
    proposal = answer(world, world.need)
    world.run(lambda: proposals.block(user(world, "owner"), world.provider_id))
    world.run(lambda: proposals.block(user(world, "owner"), world.provider_id))  # twice is not an error
    second = plain_need(world)
    with world.app.app_context():
        with pytest.raises(Forbidden, match="不再接收你的答题"):
            proposals.submit(user(world, "provider"), need(second), TERMS)
        db.session.rollback()
        with pytest.raises(Forbidden, match="不再接收你的答题"):
            proposals.edit(user(world, "provider"), proposal, ProposalTerms(approach="改"))
        db.session.rollback()
        assert count(Proposal) == 1
        # Another enterprise's needs are not affected.
        other = world.make.need(world.other_enterprise, status=APPROVED)
        assert proposals.submit(user(world, "provider"), need(other), TERMS).id
        db.session.rollback()
        with pytest.raises(Forbidden):
            proposals.block(user(world, "provider"), world.other_provider_id)
        db.session.rollback()
    world.run(lambda: proposals.unblock(user(world, "owner"), world.provider_id))
    assert answer(world, second)


def test_a_broker_hides_an_answer_from_the_enterprise(world: World) -> None:
    proposal = answer(world, world.need)
    with world.app.app_context():
        with pytest.raises(NotFound):  # a broker of another region does not see it
            proposals.hide(user(world, "broker_out"), proposal, reason="广告")
        db.session.rollback()
        with pytest.raises(Forbidden):
            proposals.hide(user(world, "owner"), proposal, reason="广告")
        db.session.rollback()
    world.run(lambda: proposals.hide(user(world, "broker_in"), proposal, reason="广告内容"))
    with world.app.app_context():
        owner, the_need = user(world, "owner"), need(world.need)
        assert proposals.visible_proposals(owner, the_need) == []
        with pytest.raises(NotFound):
            proposals.to_order(owner, proposal)
        db.session.rollback()
        assert [p.id for p in proposals.visible_proposals(user(world, "broker_in"), the_need)] == [proposal]
        mine = proposals.my_answers(user(world, "provider"))
        assert [(p.id, p.hidden, p.hidden_reason) for p in mine] == [(proposal, True, "广告内容")]
        event = db.session.scalars(select(ProposalEvent).where(ProposalEvent.action == "hide")).one()
        assert (event.actor_id, event.reason) == (world.broker_in, "广告内容")
        with pytest.raises(Conflict):
            proposals.hide(user(world, "broker_in"), proposal, reason="再次")
        db.session.rollback()


def test_evidence_is_the_providers_own_achievements(world: World) -> None:
    own = world.make.achievement(world.provider_id)
    foreign = world.make.achievement(world.other_provider_id)
    with world.app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            proposals.submit(
                user(world, "provider"),
                need(world.need),
                ProposalTerms(approach="x", achievement_ids=(foreign,)),
            )
        assert "achievement_ids" in refused.value.field_errors
        db.session.rollback()
        assert count(Proposal) == 0
    proposal = answer(world, world.need, terms=ProposalTerms(approach="x", achievement_ids=(own,)))
    with world.app.app_context():
        assert [a.id for a in db.session.get_one(Proposal, proposal).evidence] == [own]


def test_answering_a_need_that_is_no_longer_public_is_refused(world: World) -> None:
    with world.app.app_context():
        need(world.need).status = "withdrawn"
        db.session.commit()
        with pytest.raises(Conflict, match="未公开或已关闭"):
            proposals.submit(user(world, "provider"), need(world.need), TERMS)
        db.session.rollback()
        assert count(Proposal) == 0


def test_a_withdrawn_answer_cannot_become_an_order(world: World) -> None:
    proposal = answer(world, world.need)
    world.run(lambda: proposals.withdraw(user(world, "provider"), proposal))
    with world.app.app_context():
        with pytest.raises(Conflict, match="已撤回"):
            proposals.to_order(user(world, "owner"), proposal)
        db.session.rollback()
        assert count(Order) == 0
        assert db.session.get_one(Proposal, proposal).status == "withdrawn"


def test_picked_answer_waits_for_the_providers_accept(world: World) -> None:
    proposal = answer(world, plain_need(world))
    order = world.run(lambda: proposals.to_order(user(world, "owner"), proposal).id)
    assert world.status(order) == "ordered"
    with world.app.app_context():
        assert db.session.get_one(Proposal, proposal).order.id == order


def test_a_broker_nudges_the_enterprise(world: World) -> None:
    from market.orders.models import Notification

    proposal = answer(world, world.need)
    with world.app.app_context():
        before = count(Notification)
    world.run(lambda: proposals.nudge(user(world, "broker_in"), proposal, message="请尽快答复"))
    with world.app.app_context():
        notes = db.session.scalars(
            select(Notification).where(Notification.user_id == world.owner).order_by(Notification.id)
        ).all()
        assert count(Notification) == before + 1
        assert notes[-1].message_key == "proposal.nudged_with_message"
        with pytest.raises(Forbidden):
            proposals.nudge(user(world, "owner"), proposal)
        db.session.rollback()
