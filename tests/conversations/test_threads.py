"""Conversations on pages: who reads and posts, unread counts, notices, hidden messages, bad input."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from market.conversations.models import MessageEvent, Thread, ThreadFile, ThreadMessage
from market.db import db
from market.orders.models import Notification
from market.text import MESSAGE_MAX
from tests.conversations.conftest import PDF, message_count, order_thread, post, proposal_thread
from tests.orders.world import World

PARTIES_AND_BROKERS = ("owner", "provider", "broker_in", "admin")
OUTSIDERS = ("other_enterprise", "other_provider", "broker_out")


def nav_messages(html: str) -> int:
    found = re.search(r'data-testid="nav-messages-unread">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_every_order_and_proposal_gets_its_own_thread(world: World) -> None:
    order = world.order("ordered")
    proposal, proposal_thread_id = proposal_thread(world)
    with world.app.app_context():
        thread = db.session.get_one(Thread, order_thread(world, order))
        assert (thread.order_id, thread.proposal_id, thread.province) == (order, None, "32")
        other = db.session.get_one(Thread, proposal_thread_id)
        assert (other.order_id, other.proposal_id, other.provider_id) == (None, proposal, world.provider_id)


@pytest.mark.parametrize("role", PARTIES_AND_BROKERS)
def test_parties_and_region_brokers_read_and_post(world: World, role: str) -> None:
    thread = order_thread(world, world.order("accepted"))
    response = post(world, role, thread, f"来自{role}的消息")
    assert response.status_code == 302
    page = world.client(role).get(f"/conversations/{thread}")
    assert page.status_code == 200 and f"来自{role}的消息" in page.get_data(as_text=True)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_the_same_404_for_thread_message_and_file(world: World, role: str) -> None:
    order = world.order("accepted")
    thread = order_thread(world, order)
    post(world, "provider", thread, "图纸见附件", file=(io.BytesIO(PDF), "rig.pdf"))
    with world.app.app_context():
        message = db.session.scalar(select(ThreadMessage))
        file_id = db.session.scalar(select(ThreadFile.id))
    before = message_count(world)
    client = world.client(role)
    assert client.get(f"/conversations/{thread}").status_code == 404
    assert client.post(f"/conversations/{thread}", data={"body": "插话"}).status_code == 404
    assert client.post(f"/conversations/{thread}", data={"body": ""}).status_code == 404  # not a 422
    assert client.get(f"/conversations/files/{file_id}").status_code == 404
    assert client.post(f"/conversations/messages/{message.id}/hide", data={"reason": "x"}).status_code == 404
    assert client.get(f"/conversations/{thread + 1000}").status_code == 404  # same as a thread that exists
    assert message_count(world) == before
    inbox = client.get("/conversations/").get_data(as_text=True)
    assert f'data-thread="{thread}"' not in inbox


def test_proposal_thread_is_the_enterprises_and_the_proposers(world: World) -> None:
    _proposal, thread = proposal_thread(world)
    assert post(world, "owner", thread, "请补充团队情况").status_code == 302
    assert world.client("provider").get(f"/conversations/{thread}").status_code == 200
    assert world.client("broker_in").get(f"/conversations/{thread}").status_code == 200
    for role in OUTSIDERS:
        assert world.client(role).get(f"/conversations/{thread}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    thread = order_thread(world, world.order("ordered"))
    response = world.client("anonymous").get(f"/conversations/{thread}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unread_counts_go_up_and_down(world: World) -> None:
    order = world.order("accepted")
    thread = order_thread(world, order)
    owner = world.client("owner")
    assert nav_messages(owner.get("/").get_data(as_text=True)) == 0
    post(world, "provider", thread, "第一条")
    post(world, "provider", thread, "第二条")
    assert nav_messages(owner.get("/").get_data(as_text=True)) == 2
    inbox = owner.get("/orders/").get_data(as_text=True)
    assert re.search(rf'data-order="{order}".*?data-testid="message-unread">2<', inbox, re.S)
    # The writer's own messages never count for them.
    assert nav_messages(world.client("provider").get("/").get_data(as_text=True)) == 0
    owner.get(f"/conversations/{thread}")
    assert nav_messages(owner.get("/").get_data(as_text=True)) == 0
    post(world, "provider", thread, "第三条")
    assert nav_messages(owner.get("/").get_data(as_text=True)) == 1


def test_brokers_count_the_threads_they_have_opened(world: World) -> None:
    thread = order_thread(world, world.order("accepted"))
    broker = world.client("broker_in")
    post(world, "provider", thread, "经纪人还没打开过")
    assert nav_messages(broker.get("/").get_data(as_text=True)) == 0
    broker.get(f"/conversations/{thread}")
    post(world, "owner", thread, "之后的消息")
    assert nav_messages(broker.get("/").get_data(as_text=True)) == 1


def test_the_other_side_is_notified_with_a_link_to_the_thread(world: World) -> None:
    order = world.order("accepted")
    thread = order_thread(world, order)
    with world.app.app_context():
        before = {n.id for n in db.session.scalars(select(Notification))}
    post(world, "provider", thread, "方案初稿已完成")
    with world.app.app_context():
        new = [n for n in db.session.scalars(select(Notification)) if n.id not in before]
        assert [n.user_id for n in new] == [world.owner]
        assert new[0].kind == "message" and new[0].message_params["thread_id"] == thread
    page = world.client("owner").get("/orders/notifications").get_data(as_text=True)
    assert f"/conversations/{thread}" in page
    # Reading the thread reads its notice too.
    world.client("owner").get(f"/conversations/{thread}")
    with world.app.app_context():
        assert all(
            n.read_at is not None for n in db.session.scalars(select(Notification)) if n.id not in before
        )
    post(world, "broker_in", thread, "经纪人提醒双方")
    with world.app.app_context():
        told = {
            n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "message"))
        }
        assert told == {world.owner, world.provider}


def test_a_broker_hides_an_abusive_message(world: World) -> None:
    thread = order_thread(world, world.order("accepted"))
    post(world, "provider", thread, "辱骂内容XYZ", file=(io.BytesIO(PDF), "abuse.pdf"))
    with world.app.app_context():
        message_id = db.session.scalar(select(ThreadMessage.id))
        file_id = db.session.scalar(select(ThreadFile.id))
    # Parties may not hide (403, nothing changes); a reason is required (422).
    assert (
        world.client("owner")
        .post(f"/conversations/messages/{message_id}/hide", data={"reason": "x"})
        .status_code
        == 403
    )
    refused = world.client("broker_in").post(
        f"/conversations/messages/{message_id}/hide", data={"reason": ""}
    )
    assert refused.status_code == 422
    done = world.client("broker_in").post(
        f"/conversations/messages/{message_id}/hide", data={"reason": "人身攻击"}
    )
    assert done.status_code == 302
    for role in ("owner", "provider"):
        page = world.client(role).get(f"/conversations/{thread}").get_data(as_text=True)
        assert "辱骂内容XYZ" not in page and "已隐藏" in page and "abuse.pdf" not in page
        assert world.client(role).get(f"/conversations/files/{file_id}").status_code == 404
    broker_page = world.client("broker_in").get(f"/conversations/{thread}").get_data(as_text=True)
    assert "辱骂内容XYZ" in broker_page and "人身攻击" in broker_page
    with world.app.app_context():
        events = db.session.scalars(select(MessageEvent)).all()
        assert [(e.message_id, e.actor_id, e.action, e.reason) for e in events] == [
            (message_id, world.broker_in, "hide", "人身攻击")
        ]


@pytest.mark.parametrize(
    ("body", "extra", "expected"),
    [
        ("", {}, "请填写消息内容或附上文件。"),
        ("   ", {}, "请填写消息内容或附上文件。"),
        ("长" * (MESSAGE_MAX + 1), {}, str(MESSAGE_MAX)),
        ("坏字符\x1b", {}, "控制字符"),
        ("见附件", {"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "tool.pdf")}, "扩展名与内容不符"),
        ("见附件", {"file": (io.BytesIO(b"#!/bin/sh"), "run.sh")}, "不支持该文件类型"),
    ],
    ids=["empty", "blank", "too-long", "control", "fake-pdf", "script"],
)
def test_bad_messages_are_refused_with_a_message_and_keep_the_text(
    world: World, body: str, extra: dict[str, object], expected: str
) -> None:
    thread = order_thread(world, world.order("accepted"))
    response = post(world, "owner", thread, body, **extra)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in page
    if body.strip() and "\x1b" not in body:
        assert body[:50] in page  # what was typed is still in the form
    assert message_count(world) == 0


def test_a_message_with_a_file_is_downloaded_by_the_parties_only(world: World) -> None:
    thread = order_thread(world, world.order("accepted"))
    assert post(world, "owner", thread, "", file=(io.BytesIO(PDF), "../../测试台.pdf")).status_code == 302
    with world.app.app_context():
        stored = db.session.scalar(select(ThreadFile))
        assert stored.filename == "测试台.pdf" and stored.kind == "pdf"
    for role in PARTIES_AND_BROKERS:
        response = world.client(role).get(f"/conversations/files/{stored.id}")
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")


def test_a_file_over_the_size_limit_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(world.app.config, "ATTACHMENT_MAX_BYTES", len(PDF) - 1)
    thread = order_thread(world, world.order("accepted"))
    response = post(world, "owner", thread, "大文件", file=(io.BytesIO(PDF), "big.pdf"))
    assert response.status_code == 422 and "文件过大" in response.get_data(as_text=True)
    assert message_count(world) == 0
