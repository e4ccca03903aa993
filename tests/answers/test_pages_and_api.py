"""科技答题 through the pages and the API: the need page's 答题 button, 我的答题, refusals that lose
nothing (422/409/403 with a message, no row written), blocks, hiding, and answers ranked by match."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from market.auth import services as auth
from market.auth.models import User
from market.db import commit, db
from market.matching import services as matching
from market.needs.models import Need
from market.orders.forms import APPROACH_MAX
from market.orders.models import Order, Proposal, ProviderBlock
from market.providers.models import Provider
from tests.factories import APPROVED
from tests.orders.world import World


def count(world: World, model: Any) -> int:
    with world.app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def plain_need(world: World) -> int:
    return int(world.make.need(world.owner, status=APPROVED, is_open_call=False))


def api(world: World, role: str) -> Any:
    with world.app.app_context():
        token, _record = auth.create_api_token(db.session.get_one(User, world.user_id(role)), "answers")
        db.session.commit()
    client = world.app.test_client()

    def call(method: str, path: str, body: Any = None) -> Any:
        kwargs = {"json": body} if body is not None else {}
        return client.open(
            f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )

    return call


def test_the_need_page_offers_answer_then_shows_mine(world: World) -> None:
    need = plain_need(world)
    provider = world.client("provider")
    page = provider.get(f"/needs/{need}").get_data(as_text=True)
    assert 'data-testid="answer-button"' in page and "科技答题" in page
    response = provider.post(
        f"/orders/proposals/need/{need}", data={"approach": "保温方案", "timeline": "3 个月"}
    )
    assert response.status_code == 302
    page = provider.get(f"/needs/{need}").get_data(as_text=True)
    assert 'data-testid="my-proposal"' in page and "保温方案" in page and "撤回答题" in page
    mine = provider.get("/orders/answers").get_data(as_text=True)
    assert 'data-testid="my-answer"' in mine and f"/needs/{need}#proposals" in mine


@pytest.mark.parametrize(
    ("data", "status"),
    [({"approach": "   "}, 422), ({"approach": "长" * (APPROACH_MAX + 1)}, 422), ({"approach": ""}, 422)],
)
def test_bad_answers_are_refused_and_kept_on_the_page(
    world: World, data: dict[str, str], status: int
) -> None:
    response = world.client("provider").post(
        f"/orders/proposals/need/{world.need}", data={**data, "team": "三人"}
    )
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "三人" in page  # what was typed is shown again
    assert count(world, Proposal) == 0


def test_answering_twice_or_ones_own_need_is_refused(world: World) -> None:
    provider = world.client("provider")
    provider.post(f"/orders/proposals/need/{world.need}", data={"approach": "方案"})
    again = provider.post(f"/orders/proposals/need/{world.need}", data={"approach": "再来"})
    assert again.status_code == 409 and "已对该需求提交过答题" in again.get_data(as_text=True)
    own = world.client("owner").post(f"/orders/proposals/need/{world.need}", data={"approach": "自己答"})
    assert own.status_code == 403 and "只有已公开的服务方可以答题" in own.get_data(as_text=True)
    assert count(world, Proposal) == 1


def test_a_stale_page_ordering_a_withdrawn_answer_gets_a_refusal(world: World) -> None:
    provider, owner = world.client("provider"), world.client("owner")
    provider.post(f"/orders/proposals/need/{world.need}", data={"approach": "方案"})
    with world.app.app_context():
        proposal = db.session.scalar(select(Proposal.id))
    owner_page = owner.get(f"/needs/{world.need}").get_data(as_text=True)
    assert f"/orders/proposals/{proposal}/order" in owner_page  # the page the owner still has open
    assert provider.post(f"/orders/proposals/{proposal}/withdraw").status_code == 302
    response = owner.post(f"/orders/proposals/{proposal}/order", data={"message": "请确认"})
    assert response.status_code == 409 and "服务方已撤回该答题" in response.get_data(as_text=True)
    assert count(world, Order) == 0
    ordered = api(world, "owner")("POST", f"/proposals/{proposal}/order", {})
    assert ordered.status_code == 409 and count(world, Order) == 0


def test_answer_operations_through_the_api(world: World) -> None:
    provider, owner, broker = api(world, "provider"), api(world, "owner"), api(world, "broker_in")
    need = plain_need(world)
    achievement = world.make.achievement(world.provider_id)
    made = provider(
        "POST", f"/needs/{need}/proposals", {"approach": "方案", "achievement_ids": [achievement]}
    )
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()["id"]
    assert made.get_json()["evidence"][0]["id"] == achievement
    assert provider("POST", f"/needs/{need}/proposals", {"approach": "   "}).status_code in (409, 422)
    edited = provider("PUT", f"/proposals/{proposal}", {"approach": "新方案", "price_min": 5, "price_max": 8})
    assert edited.status_code == 200 and edited.get_json()["approach"] == "新方案"
    assert owner("PUT", f"/proposals/{proposal}", {"approach": "企业改"}).status_code == 403
    assert provider("GET", "/me/proposals").get_json()["items"][0]["id"] == proposal
    listed = owner("GET", f"/needs/{need}/proposals").get_json()
    assert [p["id"] for p in listed["items"]] == [proposal] and "match" in listed["items"][0]
    assert owner("GET", f"/needs/{need}/proposals?state=shortlisted").get_json()["items"] == []
    declined = owner("POST", f"/proposals/{proposal}/reject", {"reason": "报价偏高"})
    assert declined.get_json()["status"] == "rejected"
    mine = provider("GET", f"/proposals/{proposal}").get_json()
    assert mine["reject_reason"] == "报价偏高" and mine["need_status"] == APPROVED
    assert provider("POST", f"/proposals/{proposal}/withdraw").status_code == 409
    events = broker("GET", f"/proposals/{proposal}/events").get_json()["items"]
    assert [e["action"] for e in events] == ["submit", "edit", "reject"]
    assert broker("POST", f"/proposals/{proposal}/hide", {"reason": "广告"}).get_json()["hidden"] is True
    assert owner("GET", f"/proposals/{proposal}").status_code == 404
    blocked = owner("POST", "/me/blocked-providers", {"provider_id": world.provider_id})
    assert blocked.status_code == 201 and blocked.get_json()["provider"]["id"] == world.provider_id
    refused = provider("POST", f"/needs/{plain_need(world)}/proposals", {"approach": "再答"})
    assert refused.status_code == 403 and "不再接收你的答题" in refused.get_json()["error"]
    assert owner("DELETE", f"/me/blocked-providers/{world.provider_id}").get_json()["items"] == []
    assert count(world, ProviderBlock) == 0


def test_nudge_reaches_the_enterprise(world: World) -> None:
    world.client("provider").post(f"/orders/proposals/need/{world.need}", data={"approach": "方案"})
    with world.app.app_context():
        proposal = db.session.scalar(select(Proposal.id))
    broker = world.client("broker_in")
    page = broker.get(f"/needs/{world.need}").get_data(as_text=True)
    assert f"/orders/proposals/{proposal}/nudge" in page and 'data-testid="hide-answer"' in page
    assert broker.post(f"/orders/proposals/{proposal}/nudge").status_code == 302
    notices = world.client("owner").get("/orders/notifications").get_data(as_text=True)
    assert "提醒您处理" in notices


def _provider(world: World, expertise: str) -> tuple[int, int]:
    user_id = world.make.user("provider")
    provider_id = world.make.provider_id_of(user_id)
    with world.app.app_context():
        provider = db.session.get_one(Provider, provider_id)
        provider.expertise, provider.status = expertise, APPROVED
        commit()  # through the app's commit point, so the index sync hook runs
    return user_id, provider_id


@pytest.mark.usefixtures("synced")
def test_answers_are_listed_best_match_first_with_one_ranking_per_page(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    weak_user, weak = _provider(world, "焊接工艺专家，研究高强钢激光焊接变形控制和焊缝缺陷检测。")
    strong_user, strong = _provider(world, "动力电池热管理专家，研究低温自加热、电池包保温和冬季续航提升。")
    need = world.make.need(world.owner, status="pending", is_open_call=False)
    with app.app_context():
        db.session.get_one(Need, need).status = APPROVED
        commit()
    # The weak match answers first: listed by id, it would come first.
    for user_id in (weak_user, strong_user):
        world.make.set_provider_status(world.make.provider_id_of(user_id), APPROVED)
        with app.app_context():
            from market.orders import proposals
            from market.orders.terms import ProposalTerms

            proposals.submit(
                db.session.get_one(User, user_id), db.session.get_one(Need, need), ProposalTerms("方案")
            )
            commit()
    calls: list[int] = []
    real = matching.providers_for_need
    monkeypatch.setattr(matching, "providers_for_need", lambda *a, **k: calls.append(1) or real(*a, **k))
    page = world.client("owner").get(f"/needs/{need}").get_data(as_text=True)
    order = [int(i) for i in __import__("re").findall(r'data-proposal="(\d+)"', page)]
    with app.app_context():
        by_provider = {p.provider_id: p.id for p in db.session.scalars(select(Proposal))}
    assert order == [by_provider[strong], by_provider[weak]]
    assert page.count('data-testid="match-reason"') == 2 and 'data-testid="answer-match">匹配度 ' in page
    assert len(calls) == 1  # one ranking of the need for the whole page, not one per answer
    listed = api(world, "owner")("GET", f"/needs/{need}/proposals").get_json()["items"]
    assert [p["provider"]["id"] for p in listed] == [strong, weak]
    assert listed[0]["match"]["score"] >= listed[1]["match"]["score"]
