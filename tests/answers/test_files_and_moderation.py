"""Files on answers (page and API, the attachment rules, confidential to the answer's readers), a
broker's unhide, and answers on needs that were solved or closed meanwhile."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from market.attachments.models import ProposalAttachment
from market.auth.models import User
from market.db import db
from market.needs import services as needs
from market.orders import proposals
from market.orders.models import Order, Proposal, ProposalEvent
from market.orders.terms import ProposalTerms
from tests.answers.test_pages_and_api import api, plain_need
from tests.orders.world import World

PDF = b"%PDF-1.7 answer drawing"
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
FILE_READERS = {"owner", "provider", "broker_in", "admin"}


def files(world: World) -> list[tuple[int, str, int]]:
    with world.app.app_context():
        rows = db.session.execute(
            select(ProposalAttachment.proposal_id, ProposalAttachment.filename, ProposalAttachment.size)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def answer_with_file(world: World, need: int, name: str = "方案.pdf", data: bytes = PDF) -> Any:
    return world.client("provider").post(
        f"/orders/proposals/need/{need}",
        data={"approach": "热管理方案", "files": [(io.BytesIO(data), name)]},
        content_type="multipart/form-data",
    )


def proposal_id(world: World) -> int:
    with world.app.app_context():
        return int(db.session.scalar(select(Proposal.id)) or 0)


def test_an_answer_carries_files_shown_to_its_enterprise(world: World) -> None:
    need = plain_need(world)
    response = answer_with_file(world, need)
    assert response.status_code == 302
    pid = proposal_id(world)
    assert files(world) == [(pid, "方案.pdf", len(PDF))]
    page = world.client("owner").get(f"/needs/{need}").get_data(as_text=True)
    assert 'data-testid="answer-file"' in page and "方案.pdf" in page
    with world.app.app_context():
        file_id = db.session.scalar(select(ProposalAttachment.id))
    download = world.client("owner").get(f"/orders/proposal-files/{file_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script>", "扩展名与内容不符"),
        ("run.exe", b"MZ\x90\x00", "不支持该文件类型"),
        ("empty.pdf", b"", "文件是空的"),
    ],
)
def test_a_bad_file_refuses_the_whole_answer(world: World, name: str, data: bytes, message: str) -> None:
    need = plain_need(world)
    response = answer_with_file(world, need, name, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "热管理方案" in page  # the message, and what was typed
    with world.app.app_context():
        assert db.session.scalar(select(func.count(Proposal.id))) == 0
    assert files(world) == []


def test_an_oversized_file_is_refused(world: World) -> None:
    need = plain_need(world)
    world.app.config["ATTACHMENT_MAX_BYTES"] = 1024
    try:
        response = answer_with_file(world, need, "big.pdf", PDF + b"0" * 2048)
    finally:
        world.app.config["ATTACHMENT_MAX_BYTES"] = 8 * 1024 * 1024
    assert response.status_code == 422 and "文件过大" in response.get_data(as_text=True)
    assert files(world) == []


def test_editing_adds_and_removes_files_within_the_limit(world: World) -> None:
    need = plain_need(world)
    answer_with_file(world, need)
    pid = proposal_id(world)
    provider = world.client("provider")
    with world.app.app_context():
        first = db.session.scalar(select(ProposalAttachment.id))
    edited = provider.post(
        f"/orders/proposals/{pid}/edit",
        data={
            "approach": "改进后的方案",
            "remove_file_ids": [str(first)],
            "files": [(io.BytesIO(PDF), "新图纸.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert edited.status_code == 302
    assert [name for _p, name, _s in files(world)] == ["新图纸.pdf"]
    too_many = [(io.BytesIO(PDF), f"f{i}.pdf") for i in range(proposals.FILES_PER_ANSWER)]
    refused = provider.post(
        f"/orders/proposals/{pid}/edit",
        data={"approach": "再改", "files": too_many},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "最多" in refused.get_data(as_text=True)
    assert [name for _p, name, _s in files(world)] == ["新图纸.pdf"]
    with world.app.app_context():
        assert db.session.get_one(Proposal, pid).approach == "改进后的方案"


def _answer_file(world: World) -> tuple[int, int]:
    need = plain_need(world)

    def submit() -> tuple[int, int]:
        from market.attachments.files import Upload
        from market.needs.models import Need

        made = proposals.submit(
            db.session.get_one(User, world.provider),
            db.session.get_one(Need, need),
            ProposalTerms(approach="方案"),
            [Upload("secret.pdf", PDF)],
        )
        return made.id, made.files[0].id

    return world.run(submit)  # type: ignore[no-any-return]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_answers_readers_download_its_file(world: World, role: str) -> None:
    pid, file_id = _answer_file(world)
    page = world.client(role).get(f"/orders/proposal-files/{file_id}")
    if role == "anonymous":
        assert page.status_code == 302  # to the login page
    else:
        assert page.status_code == (200 if role in FILE_READERS else 404), role
    if role != "anonymous":
        call = api(world, role)
        response = call("GET", f"/proposal-files/{file_id}")
        assert response.status_code == (200 if role in FILE_READERS else 404), role
        assert (PDF in response.data) == (role in FILE_READERS)
        seen = call("GET", f"/proposals/{pid}")
        if role in FILE_READERS:
            assert seen.get_json()["files"][0]["filename"] == "secret.pdf"


def test_a_hidden_answers_file_is_gone_for_the_enterprise(world: World) -> None:
    pid, file_id = _answer_file(world)
    world.client("broker_in").post(f"/orders/proposals/{pid}/hide", data={"reason": "广告"})
    assert world.client("owner").get(f"/orders/proposal-files/{file_id}").status_code == 404
    assert world.client("provider").get(f"/orders/proposal-files/{file_id}").status_code == 200


def test_files_through_the_api(world: World) -> None:
    pid, first = _answer_file(world)
    call = api(world, "provider")
    client = world.app.test_client()
    token = _token(world, "provider")
    headers = {"Authorization": f"Bearer {token}"}
    sent = client.post(
        f"/api/v1/proposals/{pid}/files",
        headers=headers,
        data={"files": [(io.BytesIO(PDF), "附图.pdf"), (io.BytesIO(PDF), "附表.pdf")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.get_json()
    assert [f["filename"] for f in sent.get_json()["files"]] == ["secret.pdf", "附图.pdf", "附表.pdf"]
    bad = client.post(
        f"/api/v1/proposals/{pid}/files",
        headers=headers,
        data={"files": [(io.BytesIO(b"MZ"), "x.pdf")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "files" in bad.get_json()["fields"]
    not_multipart = client.post(f"/api/v1/proposals/{pid}/files", headers=headers, json={})
    assert not_multipart.status_code == 400
    removed = call("DELETE", f"/proposals/{pid}/files/{first}")
    assert removed.status_code == 200
    assert [f["filename"] for f in removed.get_json()["files"]] == ["附图.pdf", "附表.pdf"]
    assert call("DELETE", f"/proposals/{pid}/files/{first}").status_code == 404
    # Another provider, the enterprise: not theirs to change.
    other = client.post(
        f"/api/v1/proposals/{pid}/files",
        headers={"Authorization": f"Bearer {_token(world, 'other_provider')}"},
        data={"files": [(io.BytesIO(PDF), "spam.pdf")]},
        content_type="multipart/form-data",
    )
    assert other.status_code == 404
    owner = client.post(
        f"/api/v1/proposals/{pid}/files",
        headers={"Authorization": f"Bearer {_token(world, 'owner')}"},
        data={"files": [(io.BytesIO(PDF), "spam.pdf")]},
        content_type="multipart/form-data",
    )
    assert owner.status_code == 403
    assert len(files(world)) == 2
    with world.app.app_context():
        edits = db.session.scalar(
            select(func.count(ProposalEvent.id)).where(
                ProposalEvent.proposal_id == pid, ProposalEvent.action == "edit"
            )
        )
    assert edits == 2  # adding and removing are edits, recorded


def test_files_cannot_change_once_the_enterprise_acted(world: World) -> None:
    pid, first = _answer_file(world)
    world.client("owner").post(f"/orders/proposals/{pid}/shortlist")
    call = api(world, "provider")
    assert call("DELETE", f"/proposals/{pid}/files/{first}").status_code == 409
    assert len(files(world)) == 1


def _token(world: World, role: str) -> str:
    from market.auth import services as auth

    with world.app.app_context():
        secret, _record = auth.create_api_token(db.session.get_one(User, world.user_id(role)), "files")
        db.session.commit()
        return secret


# ---- unhide -------------------------------------------------------------------------------------------


def test_a_broker_unhides_an_answer_with_a_reason(world: World) -> None:
    pid, _file = _answer_file(world)
    need = world.run(lambda: db.session.get_one(Proposal, pid).need_id)
    broker = world.client("broker_in")
    broker.post(f"/orders/proposals/{pid}/hide", data={"reason": "广告"})
    assert f'data-proposal="{pid}"' not in world.client("owner").get(f"/needs/{need}").get_data(as_text=True)
    page = broker.get(f"/needs/{need}").get_data(as_text=True)
    assert 'data-testid="unhide-answer"' in page
    assert broker.post(f"/orders/proposals/{pid}/unhide", data={"reason": " "}).status_code == 422
    assert broker.post(f"/orders/proposals/{pid}/unhide", data={"reason": "误判"}).status_code == 302
    assert f'data-proposal="{pid}"' in world.client("owner").get(f"/needs/{need}").get_data(as_text=True)
    assert broker.post(f"/orders/proposals/{pid}/unhide", data={"reason": "再次"}).status_code == 409
    with world.app.app_context():
        steps = list(
            db.session.execute(
                select(ProposalEvent.action, ProposalEvent.reason).where(ProposalEvent.proposal_id == pid)
            )
        )
    assert [tuple(s) for s in steps][-2:] == [("hide", "广告"), ("unhide", "误判")]


def test_unhide_through_the_api_is_for_region_brokers(world: World) -> None:
    pid, _file = _answer_file(world)
    api(world, "broker_in")("POST", f"/proposals/{pid}/hide", {"reason": "广告"})
    for role, status in (("owner", 404), ("provider", 403), ("broker_out", 404), ("other_enterprise", 404)):
        assert api(world, role)("POST", f"/proposals/{pid}/unhide", {"reason": "误判"}).status_code == status
    shown = api(world, "admin")("POST", f"/proposals/{pid}/unhide", {"reason": "误判"})
    assert shown.status_code == 200 and shown.get_json()["hidden"] is False


# ---- needs that left the market ------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["solve", "close"])
def test_an_answer_on_an_ended_need_is_not_turned_into_an_order(world: World, step: str) -> None:
    pid, _file = _answer_file(world)
    need = world.run(lambda: db.session.get_one(Proposal, pid).need_id)

    def end() -> None:
        owner = db.session.get_one(User, world.owner)
        if step == "solve":
            needs.solve_need(owner, need, how="elsewhere", reason="自行解决")
        else:
            needs.close_need(owner, need, reason="不再需要")

    world.run(end)
    shown = world.client("owner").get(f"/needs/{need}").get_data(as_text=True)
    assert f"/orders/proposals/{pid}/order" not in shown  # no 转为订单 button on an ended need
    page = world.client("owner").post(f"/orders/proposals/{pid}/order")
    assert page.status_code == 409
    assert ("已解决" if step == "solve" else "已关闭") in page.get_data(as_text=True)
    through_api = api(world, "owner")("POST", f"/proposals/{pid}/order")
    assert through_api.status_code == 409
    assert ("已解决" if step == "solve" else "已关闭") in through_api.get_json()["error"]
    with world.app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0
        assert db.session.get_one(Proposal, pid).status == "submitted"


def test_a_provider_who_answered_still_reads_the_ended_need(world: World) -> None:
    pid, _file = _answer_file(world)
    need = world.run(lambda: db.session.get_one(Proposal, pid).need_id)
    world.run(
        lambda: needs.solve_need(
            db.session.get_one(User, world.owner), need, how="elsewhere", reason="自行解决"
        )
    )
    page = world.client("provider").get(f"/needs/{need}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="my-proposal"' in text
    assert 'data-testid="proposal-edit-form"' not in text and "撤回答题" not in text  # read-only
    assert world.client("provider").get(f"/needs/{need}").status_code == 200
    for role in ("other_provider", "other_enterprise", "anonymous", "broker_out"):
        assert world.client(role).get(f"/needs/{need}").status_code == 404, role
    listed = world.client("provider").get("/needs/").get_data(as_text=True)
    assert f'/needs/{need}"' not in listed
    assert api(world, "provider")("GET", f"/needs/{need}").status_code == 200
    assert api(world, "other_provider")("GET", f"/needs/{need}").status_code == 404
