"""已解决 / 已关闭 / 重新开放: who may, what is refused, what is written, and who is told.

Through the pages and the API of a real app on the real database; the index is the real embedded
index (`synced`), updated by the request's own commit.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from market.auth.models import User
from market.db import commit, db
from market.errors import Conflict
from market.mail.models import EmailOutbox
from market.matching import engine
from market.moderation.models import ModerationEvent
from market.needs import services
from market.needs.models import Need
from market.orders import services as order_services
from market.orders.models import Notification
from market.providers.models import Provider
from tests.factories import APPROVED
from tests.orders.world import World

TITLE = "冬季低温下电动物流车续航下降"  # the factory's need title


def _need(world: World) -> Need:
    with world.app.app_context():
        need = db.session.get_one(Need, world.need)
        db.session.expunge(need)
        return need


def _events(app: Flask, need_id: int) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.target_kind == "need", ModerationEvent.target_id == need_id)
            .order_by(ModerationEvent.id)
        )
        return [(e.action, e.from_status, e.to_status, e.reason) for e in rows]


def _notices(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.message_key)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


# ---- pages ------------------------------------------------------------------------------------------


def test_the_owner_marks_a_need_solved_through_its_signed_order(world: World) -> None:
    order_id = world.order("signed")
    owner = world.client("owner")
    page = owner.get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="solve-form"' in page and f'value="{order_id}"' in page
    response = owner.post(
        f"/needs/{world.need}/solve",
        data={"how": "platform", "order_id": str(order_id), "reason": "方案已落地"},
    )
    assert response.status_code == 302
    need = _need(world)
    assert (need.status, need.solved_how, need.solved_order_id, need.outcome_reason) == (
        "solved",
        "platform",
        order_id,
        "方案已落地",
    )
    assert need.solved_at is not None
    assert _events(world.app, world.need)[-1] == ("solve", "approved", "solved", "方案已落地")
    shown = owner.get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="need-outcome"' in shown and f"/orders/{order_id}" in shown
    assert 'data-testid="reopen-form"' in shown and 'data-testid="solve-form"' not in shown
    assert 'data-testid="see-matches"' not in shown and 'data-testid="dispatch"' not in shown


def test_a_solved_need_leaves_public_lists_but_stays_with_its_parties(world: World) -> None:
    world.order("signed")
    world.client("owner").post(f"/needs/{world.need}/solve", data={"how": "elsewhere", "reason": "自行解决"})
    anonymous = world.app.test_client()
    assert TITLE not in anonymous.get("/needs/").get_data(as_text=True)
    assert TITLE not in anonymous.get("/needs/", query_string={"q": "续航"}).get_data(as_text=True)
    assert anonymous.get("/api/v1/needs").get_json()["total"] == 0
    assert anonymous.get(f"/needs/{world.need}").status_code == 404
    assert world.client("other_provider").get(f"/needs/{world.need}").status_code == 404
    for role in ("owner", "broker_in", "provider"):  # the provider holds the signed order
        page = world.client(role).get(f"/needs/{world.need}")
        assert page.status_code == 200, role
        assert "已解决" in page.get_data(as_text=True)


def test_a_refused_step_shows_the_page_again_with_what_was_typed(world: World) -> None:
    owner = world.client("owner")
    missing = owner.post(f"/needs/{world.need}/close", data={"reason": "  "})
    assert missing.status_code == 422 and "请填写原因" in missing.get_data(as_text=True)
    no_deal = owner.post(
        f"/needs/{world.need}/solve", data={"how": "platform", "order_id": "999", "reason": "留着这句话"}
    )
    assert no_deal.status_code == 422
    assert "请选择该需求已签约的订单" in no_deal.get_data(as_text=True)
    assert "留着这句话" in no_deal.get_data(as_text=True)
    assert _need(world).status == APPROVED
    owner.post(f"/needs/{world.need}/close", data={"reason": "项目取消"})
    again = owner.post(f"/needs/{world.need}/close", data={"reason": "再关一次"})
    assert again.status_code == 409 and "当前状态（已关闭）不能关闭需求" in again.get_data(as_text=True)


# ---- the rules, through the service ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", True),
        ("broker_in", True),
        ("admin", True),
        ("broker_out", False),
        ("other_enterprise", False),
        ("provider", False),
    ],
)
def test_who_may_close_and_reopen(world: World, role: str, allowed: bool) -> None:
    client = world.client(role)
    closed = client.post(f"/needs/{world.need}/close", data={"reason": "不再需要"})
    assert (closed.status_code == 302) is allowed, closed.status_code
    if not allowed:
        assert closed.status_code == 403
        return
    assert _need(world).status == "closed"
    reopened = client.post(f"/needs/{world.need}/reopen", data={"reason": "需求恢复"})
    assert reopened.status_code == 302
    need = _need(world)
    assert (need.status, need.closed_at, need.outcome_reason) == (APPROVED, None, "")
    assert [e[:3] for e in _events(world.app, world.need)] == [
        ("close", "approved", "closed"),
        ("reopen", "closed", "approved"),
    ]


def test_only_approved_needs_can_be_solved_or_closed(world: World, make: Any) -> None:
    draft = make.need(world.owner)
    with world.app.app_context():
        owner = db.session.get_one(User, world.owner)
        with pytest.raises(Conflict) as refused:
            services.close_need(owner, draft, reason="不要了")
        assert refused.value.message == "当前状态（草稿）不能关闭需求。"
        with pytest.raises(Conflict):
            services.reopen_need(owner, world.need, reason="还没关")


def test_a_solved_need_takes_no_new_invitation_or_dispatch(world: World) -> None:
    world.client("owner").post(f"/needs/{world.need}/solve", data={"how": "elsewhere", "reason": "已解决"})
    with world.app.app_context():
        need = db.session.get_one(Need, world.need)
        provider = db.session.get_one(Provider, world.other_provider_id)
        with pytest.raises(Conflict) as refused:
            order_services.invite(db.session.get_one(User, world.owner), need, provider)
        assert "已解决" in refused.value.message
        with pytest.raises(Conflict):
            order_services.dispatch(db.session.get_one(User, world.broker_in), need, [provider.id])


# ---- who is told -----------------------------------------------------------------------------------


def test_providers_with_an_order_hear_that_the_need_was_solved_or_withdrawn(world: World) -> None:
    world.order("accepted")
    before = _notices(world.app, world.provider)
    world.client("owner").post(
        f"/needs/{world.need}/solve", data={"how": "elsewhere", "reason": "已找到方案"}
    )
    assert _notices(world.app, world.provider)[len(before) :] == ["need.solved"]
    assert "need.solved" not in _notices(world.app, world.other_provider)  # no order, no answer
    assert "need.solved" not in _notices(world.app, world.owner)  # who acted is not told
    world.client("owner").post(f"/needs/{world.need}/reopen", data={"reason": "问题复现"})
    world.client("owner").post(f"/needs/{world.need}/withdraw")
    assert _notices(world.app, world.provider)[-1] == "need.withdrawn"
    inbox = world.client("provider").get("/orders/notifications").get_data(as_text=True)
    assert "已标记为已解决" in inbox and "已找到方案" in inbox


# ---- the index -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("synced")
def test_a_solved_need_leaves_the_index_with_the_request_and_reopening_brings_it_back(
    world: World,
) -> None:
    with world.app.app_context():
        db.session.get_one(Need, world.need).title = TITLE  # a change, committed where the sync hook runs
        commit()
        assert str(world.need) in engine.backend(engine.NEEDS).ids()
    provider = world.client("provider")
    assert TITLE in provider.get("/me/recommended").get_data(as_text=True)
    world.client("owner").post(f"/needs/{world.need}/close", data={"reason": "不再需要"})
    with world.app.app_context():
        assert str(world.need) not in engine.backend(engine.NEEDS).ids()
    assert TITLE not in provider.get("/me/recommended").get_data(as_text=True)
    world.client("broker_in").post(f"/needs/{world.need}/reopen", data={"reason": "企业要求恢复"})
    with world.app.app_context():
        assert str(world.need) in engine.backend(engine.NEEDS).ids()
    assert TITLE in provider.get("/me/recommended").get_data(as_text=True)
    assert TITLE in world.app.test_client().get("/needs/").get_data(as_text=True)


@pytest.mark.usefixtures("synced")
def test_providers_it_was_recommended_to_are_told_once_when_a_need_closes(world: World) -> None:
    world.client("provider").post(
        f"/orders/proposals/need/{world.need}", data={"approach": "低温自加热方案，三个月完成样机验证。"}
    )
    with world.app.app_context():  # a change to each profile, committed where the index sync runs
        for provider_id in (world.provider_id, world.other_provider_id):
            db.session.get_one(Provider, provider_id).expertise = "电动物流车低温续航、电池热管理"
        commit()
        assert engine.backend(engine.PROVIDERS).ids() >= {str(world.other_provider_id)}
    closed = world.client("owner").post(f"/needs/{world.need}/close", data={"reason": "不再需要"})
    assert closed.status_code == 302
    # The provider that answered is told it closed (with the reason and a link to its history) ...
    assert _notices(world.app, world.provider)[-1:] == ["need.closed"]
    assert "recommend.need_gone" not in _notices(world.app, world.provider)
    # ... and one the engine recommended it to, with no engagement, that it is gone.
    assert _notices(world.app, world.other_provider) == ["recommend.need_gone"]
    with world.app.app_context():
        kinds = db.session.scalars(
            select(EmailOutbox.kind).where(EmailOutbox.user_id == world.other_provider)
        ).all()
    assert kinds == ["recommended"]
