"""A broker's unhide of a message (page and API, logged like hide), hiding through the API, and files
sent with a message through the API (multipart, the page's rules)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select

from market.conversations.models import MessageEvent, ThreadFile
from market.db import db
from tests.api.conftest import Api
from tests.conversations.conftest import PDF, message_count, order_thread, post
from tests.orders.world import World


def _hidden_message(world: World, api: Api, tokens: dict[str, str | None]) -> tuple[int, int]:
    thread = order_thread(world, world.order("accepted"))
    message = api.post(f"/threads/{thread}/messages", tokens["provider"], {"body": "不当言论"}).get_json()
    hidden = api.post(f"/thread-messages/{message['id']}/hide", tokens["broker_in"], {"reason": "不当"})
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    return thread, int(message["id"])


def _events(world: World) -> list[tuple[str, str]]:
    with world.app.app_context():
        return [tuple(r) for r in db.session.execute(select(MessageEvent.action, MessageEvent.reason))]  # type: ignore[misc]


def test_a_broker_unhides_a_message_on_the_page(
    world: World, api: Api, tokens: dict[str, str | None]
) -> None:
    thread, message = _hidden_message(world, api, tokens)
    broker = world.client("broker_in")
    page = broker.get(f"/conversations/{thread}").get_data(as_text=True)
    assert 'data-testid="unhide-message"' in page
    assert broker.post(f"/conversations/messages/{message}/unhide", data={"reason": ""}).status_code == 422
    assert (
        world.client("owner")
        .post(f"/conversations/messages/{message}/unhide", data={"reason": "x"})
        .status_code
        == 403
    )
    assert (
        world.client("broker_out")
        .post(f"/conversations/messages/{message}/unhide", data={"reason": "x"})
        .status_code
        == 404
    )
    assert _events(world) == [("hide", "不当")]
    assert (
        broker.post(f"/conversations/messages/{message}/unhide", data={"reason": "误判"}).status_code == 302
    )
    seen = api.get(f"/threads/{thread}", tokens["owner"]).get_json()["messages"][0]
    assert seen["hidden"] is False and seen["body"] == "不当言论"
    assert _events(world) == [("hide", "不当"), ("unhide", "误判")]
    log = broker.get(f"/conversations/{thread}").get_data(as_text=True)
    assert "取消隐藏" in log and "误判" in log


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("owner", 403),
        ("provider", 403),
        ("other_enterprise", 404),
        ("other_provider", 404),
        ("broker_out", 404),
        ("broker_in", 200),
        ("admin", 200),
    ],
)
def test_hide_and_unhide_through_the_api(
    world: World, api: Api, tokens: dict[str, str | None], role: str, status: int
) -> None:
    _thread, message = _hidden_message(world, api, tokens)
    shown = api.post(f"/thread-messages/{message}/unhide", tokens[role], {"reason": "误判"})
    assert shown.status_code == status
    expected = [("hide", "不当")] + ([("unhide", "误判")] if status == 200 else [])
    assert _events(world) == expected
    if status == 200:
        assert shown.get_json()["body"] == "不当言论"
        again = api.post(f"/thread-messages/{message}/hide", tokens[role], {"reason": "复核后隐藏"})
        assert again.status_code == 200 and again.get_json()["hidden"] is True


def test_hiding_needs_a_reason(world: World, api: Api, tokens: dict[str, str | None]) -> None:
    thread = order_thread(world, world.order("accepted"))
    message = api.post(f"/threads/{thread}/messages", tokens["provider"], {"body": "广告"}).get_json()
    refused = api.post(f"/thread-messages/{message['id']}/hide", tokens["broker_in"], {"reason": ""})
    assert refused.status_code == 422 and _events(world) == []


def _multipart(world: World, api: Api, token: str | None, thread: int, data: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = api.client.post(
        f"/api/v1/threads/{thread}/messages", headers=headers, data=data, content_type="multipart/form-data"
    )
    api._check("POST", response)  # documented status and schema, as for JSON calls
    return response


def test_a_file_through_the_api(world: World, api: Api, tokens: dict[str, str | None]) -> None:
    thread = order_thread(world, world.order("accepted"))
    sent = _multipart(
        world, api, tokens["provider"], thread, {"body": "附图纸", "file": (io.BytesIO(PDF), "图纸.pdf")}
    )
    assert sent.status_code == 201
    made = sent.get_json()
    assert made["body"] == "附图纸" and made["file"]["filename"] == "图纸.pdf"
    only_file = _multipart(world, api, tokens["owner"], thread, {"file": (io.BytesIO(PDF), "回执.pdf")})
    assert only_file.status_code == 201 and only_file.get_json()["body"] == ""
    headers = {"Authorization": f"Bearer {tokens['owner']}"}
    download = api.client.get(f"/api/v1/thread-files/{made['file']['id']}", headers=headers)
    assert download.status_code == 200 and download.data == PDF


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"body": "x", "file": (io.BytesIO(b"<html>"), "a.pdf")}, 422, "file"),
        ({"body": "x", "file": (io.BytesIO(b"MZ"), "a.exe")}, 422, "file"),
        ({"body": "", "file": (io.BytesIO(b""), "a.pdf")}, 422, "file"),
        ({"body": "   "}, 422, "body"),
        ({"body": "x", "other": (io.BytesIO(PDF), "a.pdf")}, 400, "other"),
        ({"body": "x", "extra": "y"}, 400, "extra"),
    ],
)
def test_bad_multipart_bodies_write_nothing(
    world: World, api: Api, tokens: dict[str, str | None], data: dict[str, Any], status: int, field: str
) -> None:
    thread = order_thread(world, world.order("accepted"))
    response = _multipart(world, api, tokens["owner"], thread, data)
    assert response.status_code == status
    assert field in response.get_json()["fields"]
    assert message_count(world) == 0
    with world.app.app_context():
        assert db.session.scalar(select(ThreadFile.id)) is None


def test_outsiders_get_404_before_their_file_is_read(
    world: World, api: Api, tokens: dict[str, str | None]
) -> None:
    thread = order_thread(world, world.order("accepted"))
    for role in ("other_enterprise", "other_provider", "broker_out"):
        response = _multipart(
            world, api, tokens[role], thread, {"body": "x", "file": (io.BytesIO(PDF), "a.pdf")}
        )
        assert response.status_code == 404, role
    assert message_count(world) == 0
    post(world, "owner", thread, "页面发送仍然可用")
    assert message_count(world) == 1
