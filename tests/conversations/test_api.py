"""Conversations through the API: list with unread counts, read, post, mark read, files; the same 404s."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from market.conversations.models import ThreadFile
from market.db import db
from market.text import MESSAGE_MAX
from tests.api.conftest import Api
from tests.conversations.conftest import PDF, message_count, order_thread, post, proposal_thread
from tests.orders.world import World

READERS = {"owner", "provider", "broker_in", "admin"}
ROLES = (
    "anonymous",
    "owner",
    "other_enterprise",
    "provider",
    "other_provider",
    "broker_in",
    "broker_out",
    "admin",
)


def test_list_post_read_and_mark_read(world: World, api: Api, tokens: dict[str, str | None]) -> None:
    order = world.order("accepted")
    thread = order_thread(world, order)
    made = api.post(f"/threads/{thread}/messages", tokens["provider"], {"body": "样机下周寄出"})
    assert made.status_code == 201
    assert made.get_json()["body"] == "样机下周寄出" and made.get_json()["side"] == "provider"
    listed = api.get("/threads", tokens["owner"]).get_json()
    assert listed["unread"] == 1
    mine = next(item for item in listed["items"] if item["id"] == thread)
    assert mine["order_id"] == order and mine["unread"] == 1
    detail = api.get(f"/threads/{thread}", tokens["owner"]).get_json()
    assert [m["body"] for m in detail["messages"]] == ["样机下周寄出"]
    assert api.post(f"/threads/{thread}/read", tokens["owner"]).get_json() == {"unread": 0}
    assert api.get("/threads", tokens["owner"]).get_json()["unread"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_parties_and_region_brokers_reach_a_thread(
    world: World, api: Api, tokens: dict[str, str | None], role: str
) -> None:
    thread = order_thread(world, world.order("accepted"))
    post(world, "owner", thread, "附图纸", file=(io.BytesIO(PDF), "rig.pdf"))
    with world.app.app_context():
        file_id = db.session.scalar(select(ThreadFile.id))
    token = tokens[role]
    expected = 200 if role in READERS else (401 if token is None else 404)
    assert api.get(f"/threads/{thread}", token).status_code == expected
    # The Api checker reads JSON only; a file is application/octet-stream.
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    download = api.client.get(f"/api/v1/thread-files/{file_id}", headers=headers)
    assert download.status_code == expected
    if expected == 200:
        assert download.data == PDF and download.mimetype == "application/octet-stream"
    else:
        assert download.is_json
    before = message_count(world)
    posted = api.post(f"/threads/{thread}/messages", token, {"body": "你好"})
    assert posted.status_code == (201 if role in READERS else expected)
    assert message_count(world) == before + (1 if role in READERS else 0)
    assert api.post(f"/threads/{thread}/read", token).status_code == expected
    if token is not None and role not in READERS:
        assert thread not in [t["id"] for t in api.get("/threads", token).get_json()["items"]]


def test_a_proposal_thread_is_closed_to_other_providers(
    world: World, api: Api, tokens: dict[str, str | None]
) -> None:
    _proposal, thread = proposal_thread(world)
    assert api.get(f"/threads/{thread}", tokens["provider"]).status_code == 200
    assert api.get(f"/threads/{thread}", tokens["other_provider"]).status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"body": ""}, 422),
        ({"body": "长" * (MESSAGE_MAX + 1)}, 422),
        ({"body": 5}, 400),
        ({"body": "好", "extra": 1}, 400),
    ],
)
def test_bad_bodies_write_nothing(
    world: World, api: Api, tokens: dict[str, str | None], body: dict[str, object], status: int
) -> None:
    thread = order_thread(world, world.order("accepted"))
    response = api.post(f"/threads/{thread}/messages", tokens["owner"], body)
    assert response.status_code == status and response.get_json()["error"]
    assert message_count(world) == 0


def test_hidden_messages_lose_their_text_for_the_parties(
    world: World, api: Api, tokens: dict[str, str | None]
) -> None:
    thread = order_thread(world, world.order("accepted"))
    message = api.post(f"/threads/{thread}/messages", tokens["provider"], {"body": "不当言论"}).get_json()
    world.client("broker_in").post(f"/conversations/messages/{message['id']}/hide", data={"reason": "不当"})
    seen = api.get(f"/threads/{thread}", tokens["owner"]).get_json()["messages"][0]
    assert seen["hidden"] is True and seen["body"] == ""
    assert api.get(f"/threads/{thread}", tokens["broker_in"]).get_json()["messages"][0]["body"] == "不当言论"
