"""End-to-end flows through the pages: invite → 接单 → 签约 → 评单, proposals, confidential details."""

from __future__ import annotations

import re

import pytest

from market.db import db
from market.orders.models import AuditLog, Deal, FollowUp, Order, Proposal
from tests.orders.world import DEAL, World


def flashes(html: str) -> list[str]:
    return re.findall(r'class="alert alert-[a-z]+" role="alert">([^<]*)<', html)


def refusals(html: str) -> list[str]:
    """The warning and error messages (not, say, the welcome of the test's own login)."""
    return re.findall(r'class="alert alert-(?:danger|warning)" role="alert">([^<]*)<', html)


def confidential_visible(world: World, role: str) -> bool:
    return 'data-testid="confidential"' in world.client(role).get(f"/needs/{world.need}").get_data(
        as_text=True
    )


def test_full_flow_through_the_pages(world: World) -> None:
    owner, provider = world.client("owner"), world.client("provider")
    response = owner.post(
        f"/orders/new/invite/{world.need}/{world.provider_id}", data={"message": "诚邀合作"}
    )
    order = int(response.location.rsplit("/", 1)[1])
    assert provider.post(f"/orders/{order}/act/accept").status_code == 302
    assert owner.post(f"/orders/{order}/act/negotiate").status_code == 302
    assert owner.post(f"/orders/{order}/act/sign", data=DEAL).status_code == 302
    assert provider.post(f"/orders/{order}/act/deliver", data={"confirmed": "y"}).status_code == 302
    page = owner.post(
        f"/orders/{order}/act/review", data={"rating": "4", "body": "方案落地效果好"}, follow_redirects=True
    ).get_data(as_text=True)
    assert 'data-state="reviewed"' in page and "方案落地效果好" in page and "120.50" in page
    profile = world.client("anonymous").get(f"/providers/{world.provider_id}").get_data(as_text=True)
    assert 'data-testid="rating"' in profile and "★ 4.0" in profile and "方案落地效果好" in profile
    with world.app.app_context():
        entries = db.session.scalars(
            db.select(AuditLog).where(AuditLog.order_id == order).order_by(AuditLog.id)
        )
        steps = [(e.action, e.from_status, e.to_status) for e in entries]
        assert steps == [
            ("create", "", "ordered"),
            ("accept", "ordered", "accepted"),
            ("negotiate", "accepted", "negotiating"),
            ("sign", "negotiating", "signed"),
            ("deliver", "signed", "delivered"),
            ("review", "delivered", "reviewed"),
        ]
        assert db.session.get(Order, order).version == 6
        automatic = db.session.scalars(db.select(FollowUp).where(FollowUp.kind == "transition")).all()
        assert len(automatic) == 5
        deal = db.session.scalar(db.select(Deal))
        assert str(deal.value_wan) == "120.50" and deal.contract_type == "develop"


def test_confidential_details_only_after_accept(world: World) -> None:
    order = world.order("ordered")
    assert not confidential_visible(world, "provider")
    world.act(order, "accept", "provider")
    assert confidential_visible(world, "provider")
    assert not confidential_visible(world, "other_provider")
    assert confidential_visible(world, "owner") and confidential_visible(world, "broker_in")
    assert not confidential_visible(world, "broker_out")


@pytest.mark.parametrize("state", ["ordered", "dispatched", "declined", "cancelled"])
def test_confidential_details_stay_hidden_without_an_accepted_order(world: World, state: str) -> None:
    world.order(state, origin="dispatched" if state == "dispatched" else "ordered")
    assert not confidential_visible(world, "provider")


def test_dispatched_then_accepted_shows_confidential(world: World) -> None:
    order = world.order("accepted", origin="dispatched")
    assert world.status(order) == "accepted"
    assert confidential_visible(world, "provider")


def test_wrong_state_is_a_409_page_with_one_message_not_a_change(world: World) -> None:
    order = world.order("negotiating")
    page = world.client("provider").post(f"/orders/{order}/act/accept")
    assert page.status_code == 409  # as the API answers
    shown = refusals(page.get_data(as_text=True))
    assert len(shown) == 1 and "不能执行" in shown[0]
    assert 'data-testid="order-status"' in page.get_data(as_text=True)  # the order page, not an error page
    assert world.status(order) == "negotiating"


def test_decline_without_reason_is_refused_with_one_message(world: World) -> None:
    order = world.order("ordered")
    response = world.client("provider").post(f"/orders/{order}/act/decline", data={"reason": "  "})
    assert response.status_code == 422
    # Once: it used to read "请填写原因。 必须填写原因。"
    assert refusals(response.get_data(as_text=True)) == ["请填写原因。"]
    assert world.status(order) == "ordered"


def test_refused_sign_keeps_what_was_typed(world: World) -> None:
    order = world.order("negotiating")
    bad = {**DEAL, "value_wan": "0", "note": "首期款分两次"}
    response = world.client("owner").post(f"/orders/{order}/act/sign", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and len(refusals(page)) == 1
    assert 'value="首期款分两次"' in page and f'value="{DEAL["signed_on"]}"' in page


def test_sign_needs_valid_deal_values(world: World) -> None:
    order = world.order("negotiating")
    bad = {**DEAL, "value_wan": "-3"}
    page = world.client("owner").post(f"/orders/{order}/act/sign", data=bad, follow_redirects=True)
    assert any("金额" in m for m in flashes(page.get_data(as_text=True)))
    assert world.status(order) == "negotiating"


def test_unknown_action_is_not_found(world: World) -> None:
    order = world.order("ordered")
    response = world.client("provider").post(f"/orders/{order}/act/teleport")
    assert response.status_code == 404 and world.status(order) == "ordered"  # as the API answers
    assert world.client("provider").post(f"/orders/{order}/act/expire").status_code == 404  # the system's


def test_second_open_invitation_is_refused(world: World) -> None:
    world.order("ordered")
    page = (
        world.client("owner")
        .post(f"/orders/new/invite/{world.need}/{world.provider_id}", data={}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert any("进行中的订单" in m for m in flashes(page))


def test_order_a_service_with_an_own_need(world: World) -> None:
    service = world.make.service(world.provider_id)
    owner = world.client("owner")
    form = owner.get(f"/orders/new/service/{service}").get_data(as_text=True)
    assert f'value="{world.need}"' in form
    response = owner.post(
        f"/orders/new/service/{service}", data={"need_id": str(world.need), "message": "报价？"}
    )
    order = int(response.location.rsplit("/", 1)[1])
    with world.app.app_context():
        found = db.session.get(Order, order)
        assert (found.service_id, found.need_id, found.origin, found.status) == (
            service,
            world.need,
            "ordered",
            "ordered",
        )


def test_other_enterprise_cannot_attach_someone_elses_need(world: World) -> None:
    service = world.make.service(world.provider_id)
    page = (
        world.client("other_enterprise")
        .post(f"/orders/new/service/{service}", data={"need_id": str(world.need)}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert any("关联" in m for m in flashes(page))


def test_service_button_and_invite_button_show_for_enterprises(world: World) -> None:
    world.make.service(world.provider_id)
    provider_page = world.client("owner").get(f"/providers/{world.provider_id}").get_data(as_text=True)
    assert 'data-testid="order-service"' in provider_page
    assert 'data-testid="order-service"' not in world.client("provider").get(
        f"/providers/{world.provider_id}"
    ).get_data(as_text=True)


def test_proposal_to_order_flow(world: World) -> None:
    provider = world.client("provider")
    need_page = provider.get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="proposal-form"' in need_page
    provider.post(
        f"/orders/proposals/need/{world.need}", data={"approach": "相变材料保温", "timeline": "6个月"}
    )
    again = provider.post(
        f"/orders/proposals/need/{world.need}", data={"approach": "再来一次"}, follow_redirects=True
    ).get_data(as_text=True)
    assert any("提交过" in m for m in flashes(again))
    owner = world.client("owner")
    owner_page = owner.get(f"/needs/{world.need}").get_data(as_text=True)
    assert "相变材料保温" in owner_page and 'data-testid="proposal"' in owner_page
    with world.app.app_context():
        proposal = db.session.scalar(db.select(Proposal.id))
    owner.post(f"/orders/proposals/{proposal}/shortlist")
    owner.post(f"/orders/proposals/{proposal}/order", data={"message": "请确认"})
    with world.app.app_context():
        order = db.session.scalar(db.select(Order))
        assert (order.origin, order.status, order.proposal_id) == ("proposal", "ordered", proposal)
        assert db.session.get(Proposal, proposal).status == "ordered"
    late = owner.post(f"/orders/proposals/{proposal}/reject", data={"reason": "晚了"}, follow_redirects=True)
    assert any("不能执行" in m for m in flashes(late.get_data(as_text=True)))


def test_reject_proposal_needs_reason(world: World) -> None:
    world.client("provider").post(f"/orders/proposals/need/{world.need}", data={"approach": "方案"})
    with world.app.app_context():
        proposal = db.session.scalar(db.select(Proposal.id))
    page = (
        world.client("owner")
        .post(f"/orders/proposals/{proposal}/reject", data={"reason": ""}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert any("必填" in m for m in flashes(page))
    world.client("owner").post(f"/orders/proposals/{proposal}/reject", data={"reason": "报价偏高"})
    mine = world.client("provider").get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="my-proposal"' in mine and "报价偏高" in mine


def test_proposals_on_every_public_need_not_only_open_calls(world: World) -> None:
    """Issue 14: 答题 on any approved need; a need that is not public takes none."""
    plain = world.make.need(world.owner, status="approved", is_open_call=False)
    page = world.client("provider").get(f"/needs/{plain}").get_data(as_text=True)
    assert 'data-testid="proposal-form"' in page
    response = world.client("provider").post(f"/orders/proposals/need/{plain}", data={"approach": "方案"})
    assert response.status_code == 302
    draft = world.make.need(world.owner, status="draft")
    response = world.client("provider").post(f"/orders/proposals/need/{draft}", data={"approach": "方案"})
    assert response.status_code == 404


def test_inbox_filters_by_state_and_side(world: World) -> None:
    accepted = world.order("accepted")
    other_need = world.make.need(world.owner, status="approved", title="第二个需求")
    ordered = world.order("ordered", need=other_need)
    owner = world.client("owner")
    rows = re.findall(r'data-order="(\d+)"', owner.get("/orders/").get_data(as_text=True))
    assert sorted(map(int, rows)) == sorted([accepted, ordered])
    rows = re.findall(r'data-order="(\d+)"', owner.get("/orders/?state=accepted").get_data(as_text=True))
    assert rows == [str(accepted)]
    assert re.findall(r'data-order="(\d+)"', owner.get("/orders/?side=provider").get_data(as_text=True)) == []
    broker_rows = re.findall(
        r'data-order="(\d+)"', world.client("broker_in").get("/orders/").get_data(as_text=True)
    )
    assert len(broker_rows) == 2
    assert re.findall(r"data-order", world.client("broker_out").get("/orders/").get_data(as_text=True)) == []


def test_dispatch_page_lists_providers(world: World) -> None:
    page = world.client("broker_in").get(f"/orders/dispatch/{world.need}").get_data(as_text=True)
    assert f'value="{world.provider_id}"' in page
    need_page = world.client("broker_in").get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="dispatch"' in need_page


def test_audit_page_lists_every_transition(world: World) -> None:
    order = world.order("cancelled")
    page = world.client("broker_in").get(f"/orders/{order}/audit").get_data(as_text=True)
    assert page.count('data-testid="audit-row"') == 2 and "需求调整" in page


def test_odd_filter_values_are_ignored(world: World) -> None:
    world.order("ordered")
    owner = world.client("owner")
    for url in ("/orders/?state=%00", "/orders/?side=%00&state=x"):
        response = owner.get(url)
        assert response.status_code == 200 and 'data-testid="order-row"' in response.get_data(as_text=True)
    assert owner.get("/orders/notifications?unread=%00").status_code == 200
