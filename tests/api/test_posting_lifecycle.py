"""The posting life cycle: one transition table, one event per status change, one answer per refusal.

* The table (market/moderation/transitions.py) refuses every step it does not list with one message.
* Every status a need or profile ever had is a ModerationEvent: by hand, when a public profile is
  changed (back to pending), and when an import writes or publishes postings.
* A refusal answers the same status and message from the API, the pages and the service itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from market.auth.models import User
from market.db import commit, db
from market.errors import Conflict, Forbidden
from market.i18n import gettext as _
from market.imports import batches
from market.moderation.models import ModerationEvent
from market.moderation.transitions import check
from market.needs import services as need_services
from market.needs.models import Need
from market.postings import TABLE, Action, Party, PostingStatus, action_label, status_label
from market.providers.models import Provider
from tests.api.conftest import Api
from tests.api.test_providers import EXPERTISE
from tests.factories import APPROVED, login
from tests.imports.helpers import csv_bytes, need_row, provider_rows

Steps = list[tuple[str, str, str]]


def _events(app: Flask, kind: str, posting_id: int) -> list[ModerationEvent]:
    with app.app_context():
        events = list(
            db.session.scalars(
                select(ModerationEvent)
                .where(ModerationEvent.target_kind == kind, ModerationEvent.target_id == posting_id)
                .order_by(ModerationEvent.id)
            )
        )
        db.session.expunge_all()
        return events


def _steps(app: Flask, kind: str, posting_id: int) -> Steps:
    return [(e.action, e.from_status, e.to_status) for e in _events(app, kind, posting_id)]


def assert_history_complete(app: Flask) -> None:
    """Each posting's events run from draft, one after the other, to the status it has now."""
    with app.app_context():
        postings = [("need", p) for p in db.session.scalars(select(Need))]
        postings += [("provider", p) for p in db.session.scalars(select(Provider))]
        states = {(kind, p.id): p.status for kind, p in postings}
    for (kind, posting_id), status in states.items():
        steps = _steps(app, kind, posting_id)
        chain = [PostingStatus.DRAFT.value] + [to for _action, _from, to in steps]
        assert [f for _action, f, _to in steps] == chain[:-1], (kind, posting_id, steps)
        assert chain[-1] == status, (kind, posting_id, steps, status)


# ---- the table -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s in PostingStatus for a in Action if (s, a) not in TABLE]
)
def test_the_table_refuses_every_step_it_does_not_list_with_one_message(
    state: PostingStatus, action: Action
) -> None:
    with pytest.raises(Conflict) as refused:
        check(Need(status=state.value), action, set(Party))
    assert refused.value.message == _(
        "当前状态（{state}）不能{action}。", state=status_label(state), action=action_label(action)
    )


@pytest.mark.parametrize(("state", "action"), list(TABLE))
def test_each_step_is_for_its_parties_only(state: PostingStatus, action: Action) -> None:
    step = TABLE[(state, action)]
    posting = Provider(status=state.value) if "provider" in step.kinds else Need(status=state.value)
    others = set(Party) - step.parties
    if others:
        with pytest.raises(Forbidden):
            check(posting, action, others)
    for party in step.parties:
        assert check(posting, action, {party}) is step


@pytest.mark.parametrize("action", [Action.SOLVE, Action.CLOSE])
def test_a_profile_is_never_solved_or_closed(action: Action) -> None:
    with pytest.raises(Conflict):
        check(Provider(status=PostingStatus.APPROVED.value), action, set(Party))


# ---- every step writes its event -------------------------------------------------------------------


def test_solve_close_and_reopen_through_the_api_write_their_events(
    api: Api, app: Flask, make: Any, token: Any
) -> None:
    from tests.api.conftest import VALID_NEED

    owner = make.user("enterprise")
    secret, broker = token(owner), token(make.user("broker", regions=(VALID_NEED["province"],)))
    need_id = api.post("/needs", secret, json=VALID_NEED).get_json()["id"]
    api.post(f"/needs/{need_id}/submit", secret)
    api.post(f"/review/need/{need_id}/approve", broker)
    assert api.get("/needs").get_json()["total"] == 1
    closed = api.post(f"/needs/{need_id}/close", secret, json={"reason": "项目取消"}).get_json()
    assert (closed["status"], closed["outcome_reason"]) == ("closed", "项目取消") and closed["closed_at"]
    assert api.get("/needs").get_json()["total"] == 0
    again = api.post(f"/needs/{need_id}/close", secret, json={"reason": "再关一次"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "当前状态（已关闭）不能关闭需求。"
    missing = api.post(f"/needs/{need_id}/reopen", broker, json={"reason": ""})
    assert missing.status_code == 422 and "reason" in missing.get_json()["fields"]
    reopened = api.post(f"/needs/{need_id}/reopen", broker, json={"reason": "企业要求恢复"}).get_json()
    assert (reopened["status"], reopened["closed_at"], reopened["outcome_reason"]) == ("approved", None, "")
    assert api.get("/needs").get_json()["total"] == 1
    no_order = api.post(f"/needs/{need_id}/solve", secret, json={"how": "platform", "reason": "已解决"})
    assert no_order.status_code == 422 and "order_id" in no_order.get_json()["fields"]
    stranger = api.post(
        f"/needs/{need_id}/solve", token(make.user("enterprise")), json={"how": "elsewhere", "reason": "x"}
    )
    assert stranger.status_code == 403
    body = api.post(
        f"/needs/{need_id}/solve", secret, json={"how": "elsewhere", "reason": "自研解决"}
    ).get_json()
    assert (body["status"], body["solved_how"], body["solved_order_id"]) == ("solved", "elsewhere", None)
    assert [(e["action"], e["from_status"], e["to_status"], e["reason"]) for e in body["history"][2:]] == [
        ("close", "approved", "closed", "项目取消"),
        ("reopen", "closed", "approved", "企业要求恢复"),
        ("solve", "approved", "solved", "自研解决"),
    ]
    assert api.get("/needs").get_json()["total"] == 0
    assert api.get(f"/needs/{need_id}").status_code == 404  # anonymous: no longer public
    assert_history_complete(app)


def test_every_step_of_a_need_writes_its_event(api: Api, app: Flask, make: Any, token: Any) -> None:
    from tests.api.conftest import VALID_NEED

    owner = make.user("enterprise")
    secret, broker = token(owner), token(make.user("broker", regions=(VALID_NEED["province"],)))
    need_id = api.post("/needs", secret, json=VALID_NEED).get_json()["id"]
    api.post(f"/needs/{need_id}/submit", secret)
    api.post(f"/review/need/{need_id}/return", broker, json={"reason": "请补充指标"})
    api.post(f"/needs/{need_id}/submit", secret)
    api.post(f"/review/need/{need_id}/approve", broker)
    body = api.post(f"/needs/{need_id}/withdraw", secret).get_json()
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["history"]] == [
        ("submit", "draft", "pending"),
        ("return", "pending", "returned"),
        ("submit", "returned", "pending"),
        ("approve", "pending", "approved"),
        ("withdraw", "approved", "withdrawn"),
    ]
    assert body["history"][1]["reason"] == "请补充指标"
    assert_history_complete(app)


def test_a_changed_public_profile_goes_back_to_review_with_an_event(
    api: Api, app: Flask, make: Any, token: Any
) -> None:
    user_id = make.user("provider")
    profile = make.provider_id_of(user_id)
    secret, broker = token(user_id), token(make.user("broker", regions=("32",)))
    api.post("/me/provider/submit", secret)
    api.post(f"/review/provider/{profile}/approve", broker)
    changed = api.patch("/me/provider", secret, json={"title": "研究员", "expertise": EXPERTISE}).get_json()
    assert changed["status"] == "pending"
    assert (changed["history"][-1]["action"], changed["history"][-1]["to_status"]) == ("recheck", "pending")
    assert ("provider", profile) in {
        (i["kind"], i["id"]) for i in api.get("/review/queue", broker).get_json()["items"]
    }
    # Adding a service to the pending profile changes nothing more: it is under review already.
    api.post("/me/provider/services", secret, json=_SERVICE)
    assert _steps(app, "provider", profile) == [
        ("submit", "draft", "pending"),
        ("approve", "pending", "approved"),
        ("recheck", "approved", "pending"),
    ]
    assert_history_complete(app)


_SERVICE = {
    "category": "consulting",
    "title": "热管理方案评估",
    "description": "评估现有方案并提出改进建议。",
    "delivery_mode": "online",
    "price_note": "面议",
}


def _import(app: Flask, broker_id: int, kind: str, data: bytes, publish: bool) -> None:
    with app.app_context():
        actor = db.session.get_one(User, broker_id)
        batch = batches.create_batch(actor, kind, f"{kind}.csv", data, publish)
        while batch.status == "validating":
            batches.validate_step(batch, actor)
        assert batch.status == "ready", batches.batch_errors(batch)
        batches.commit_batch(batch, actor)
        commit()


@pytest.mark.parametrize("publish", [True, False])
def test_an_import_writes_the_events_of_its_postings(app: Flask, make: Any, publish: bool) -> None:
    broker = make.user("broker", regions=("32",))
    _import(app, broker, "needs", csv_bytes("needs", [need_row()]), publish)
    _import(app, broker, "providers", csv_bytes("providers", provider_rows()), publish)
    expected = [("import", "draft", "pending")] + ([("approve", "pending", "approved")] if publish else [])
    with app.app_context():
        need_id = db.session.scalar(select(Need.id))
        provider_id = db.session.scalar(select(Provider.id))
    for kind, posting_id in (("need", need_id), ("provider", provider_id)):
        events = _events(app, kind, posting_id)
        assert [(e.action, e.from_status, e.to_status) for e in events] == expected
        assert {e.actor_id for e in events} == {broker}
    assert_history_complete(app)


# ---- one refusal, one answer ------------------------------------------------------------------------


def _page_text(client: Any, method: str, url: str) -> tuple[int, str]:
    response = client.open(url, method=method, follow_redirects=False)
    status = response.status_code
    if status == 302:  # the page shows the refusal as a flash where it sends the reader
        return status, client.get(response.headers["Location"]).get_data(as_text=True)
    return status, response.get_data(as_text=True)


def test_editing_a_public_need_is_one_refusal(api: Api, app: Flask, make: Any, token: Any) -> None:
    owner = make.user("enterprise")
    need_id = make.need(owner, status=APPROVED)
    refusal = api.patch(f"/needs/{need_id}", token(owner), json={"title": "改一下标题"})
    assert refusal.status_code == 409
    message = refusal.get_json()["error"]
    status, page = _page_text(login(app.test_client(), owner), "GET", f"/needs/{need_id}/edit")
    assert status == 302 and message in page
    with app.app_context():
        actor, need = db.session.get_one(User, owner), db.session.get_one(Need, need_id)
        with pytest.raises(Conflict) as refused:
            need_services.update_need(actor, need, {"title": "改一下标题"})
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("api_call", "page_call"),
    [
        (("POST", "/needs/{need}/submit", "owner"), ("POST", "/needs/{need}/submit", "owner")),
        (
            ("POST", "/review/need/{need}/approve", "broker"),
            ("POST", "/review/need/{need}/approve", "broker"),
        ),
        (("POST", "/me/provider/submit", "provider"), ("POST", "/me/profile/submit", "provider")),
        (("POST", "/me/provider/withdraw", "provider"), ("POST", "/me/profile/withdraw", "provider")),
    ],
)
def test_a_step_the_state_does_not_allow_answers_the_same_everywhere(
    api: Api,
    app: Flask,
    make: Any,
    token: Any,
    api_call: tuple[str, str, str],
    page_call: tuple[str, str, str],
) -> None:
    users = {"owner": make.user("enterprise"), "broker": make.user("broker", regions=("32",))}
    users["provider"] = make.user("provider")
    need = make.need(users["owner"], status="pending" if "submit" in api_call[1] else APPROVED)
    profile = make.provider_id_of(users["provider"])
    make.set_provider_status(profile, "pending" if "submit" in api_call[1] else "draft")

    method, path, who = api_call
    refusal = api.call(method, path.format(need=need), token(users[who]))
    assert refusal.status_code == 409
    message = refusal.get_json()["error"]
    method, path, who = page_call
    status, page = _page_text(login(app.test_client(), users[who]), method, path.format(need=need))
    assert (status, message in page) == (409, True)
