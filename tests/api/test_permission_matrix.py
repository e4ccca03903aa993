"""Roles × endpoints: nobody reads or changes another organisation's drafts or confidential details.

Roles: anonymous, enterprise A (owns the needs), enterprise B, provider (owns a draft profile),
broker in the objects' region (32), broker elsewhere (11), admin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from market.needs.models import Need
from market.providers.models import Achievement, Provider
from tests.api.conftest import Api
from tests.factories import APPROVED

ROLES = ("anonymous", "enterprise_a", "enterprise_b", "provider", "broker_in", "broker_out", "admin")
SECRET = "机密：客户为某快递公司"
DRAFT_TITLE = "企业A尚未公开的草稿需求"
FORBIDDEN_WORDS = ("password", "token_hash", "session_token", "pbkdf2", "scrypt")


@dataclass
class World:
    make: Any
    tokens: dict[str, str | None]
    users: dict[str, int]
    provider_profile: int
    other_profile: int
    other_achievement: int

    def need(self, status: str, owner: str = "enterprise_a") -> int:
        return int(
            self.make.need(
                self.users[owner],
                status=status,
                title=DRAFT_TITLE if status != APPROVED else "企业A已公开的需求",
                confidential_details=SECRET,
            )
        )


@pytest.fixture
def world(make: Any, token: Any) -> World:
    users = {
        "enterprise_a": make.user("enterprise"),
        "enterprise_b": make.user("enterprise"),
        "provider": make.user("provider"),
        "broker_in": make.user("broker", regions=("32",)),
        "broker_out": make.user("broker", regions=("11",)),
        "admin": make.user("admin"),
    }
    tokens: dict[str, str | None] = {"anonymous": None, **{role: token(uid) for role, uid in users.items()}}
    other = make.provider_id_of(make.user("provider"))
    make.set_provider_status(other, "pending")
    return World(make, tokens, users, make.provider_id_of(users["provider"]), other, make.achievement(other))


def _text(response: Any) -> str:
    """The body with non-ASCII characters decoded (JSON escapes them as \\uXXXX)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return str(response.get_data(as_text=True))


def _matrix(world: World, api: Api, expected: dict[str, int], call: Any) -> None:
    got = {role: call(api, world.tokens[role], role) for role in ROLES}
    assert got == expected


# ---- reading needs -------------------------------------------------------------------------------------

NOT_PUBLIC_NEED = {
    "anonymous": 404,
    "enterprise_a": 200,
    "enterprise_b": 404,
    "provider": 404,
    "broker_in": 200,
    "broker_out": 404,
    "admin": 200,
}
CONFIDENTIAL_READERS = {"enterprise_a", "broker_in", "admin"}


@pytest.mark.parametrize("status", ["draft", "pending", "returned", "withdrawn"])
def test_read_non_public_need(api: Api, world: World, status: str) -> None:
    need_id = world.need(status)

    def read(api: Api, token: str | None, role: str) -> int:
        response = api.get(f"/needs/{need_id}", token)
        text = _text(response)
        assert (SECRET in text) == (response.status_code == 200 and role in CONFIDENTIAL_READERS), role
        assert (DRAFT_TITLE in text) == (response.status_code == 200), role
        return response.status_code

    _matrix(world, api, NOT_PUBLIC_NEED, read)


def test_read_public_need(api: Api, world: World) -> None:
    need_id = world.need(APPROVED)

    def read(api: Api, token: str | None, role: str) -> int:
        response = api.get(f"/needs/{need_id}", token)
        body = response.get_json()
        assert ("confidential_details" in body) == (role in CONFIDENTIAL_READERS), role
        assert ("history" in body) == (role in CONFIDENTIAL_READERS), role
        assert (SECRET in _text(response)) == (role in CONFIDENTIAL_READERS), role
        return response.status_code

    _matrix(world, api, dict.fromkeys(ROLES, 200), read)


def test_lists_never_show_drafts_or_secrets(api: Api, world: World) -> None:
    public = world.need(APPROVED)
    for status in ("draft", "pending", "returned"):
        world.need(status)
    world.need("draft", owner="enterprise_b")
    for role in ROLES:
        for path in ("/needs", "/providers", "/services", "/needs?q=需求"):
            text = _text(api.get(path, world.tokens[role]))
            assert DRAFT_TITLE not in text and SECRET not in text, (role, path)
        assert [n["id"] for n in api.get("/needs", world.tokens[role]).get_json()["items"]] == [public]


def test_my_needs_lists_only_own_organisation(api: Api, world: World) -> None:
    own = {world.need("draft"), world.need("pending")}
    b_need = world.need("draft", owner="enterprise_b")

    def mine(api: Api, token: str | None, role: str) -> int:
        response = api.get("/me/needs", token)
        if response.status_code == 200:
            ids = {n["id"] for n in response.get_json()["items"]}
            assert ids == (own if role == "enterprise_a" else {b_need}), role
        return response.status_code

    _matrix(
        world,
        api,
        {
            "anonymous": 401,
            "enterprise_a": 200,
            "enterprise_b": 200,
            "provider": 403,
            "broker_in": 403,
            "broker_out": 403,
            "admin": 403,
        },
        mine,
    )


# ---- changing needs ------------------------------------------------------------------------------------

CHANGE_DRAFT = {
    "anonymous": 401,
    "enterprise_a": 200,
    "enterprise_b": 404,
    "provider": 404,
    "broker_in": 403,
    "broker_out": 404,
    "admin": 403,
}


@pytest.mark.parametrize("action", ["patch", "submit"])
def test_change_draft_need(api: Api, world: World, action: str) -> None:
    def change(api: Api, token: str | None, role: str) -> int:
        need_id = world.need("draft")
        if action == "patch":
            response = api.patch(f"/needs/{need_id}", token, json={"title": "被人改过的标题"})
        else:
            response = api.post(f"/needs/{need_id}/submit", token)
        need = world.make.get(Need, need_id)
        changed = need.title == "被人改过的标题" or need.status != "draft"
        assert changed == (role == "enterprise_a"), role
        assert SECRET not in _text(response) or role in CONFIDENTIAL_READERS
        return response.status_code

    _matrix(world, api, CHANGE_DRAFT, change)


def test_withdraw_public_need(api: Api, world: World) -> None:
    def withdraw(api: Api, token: str | None, role: str) -> int:
        need_id = world.need(APPROVED)
        response = api.post(f"/needs/{need_id}/withdraw", token)
        assert (world.make.get(Need, need_id).status == "withdrawn") == (role == "enterprise_a"), role
        return response.status_code

    _matrix(
        world,
        api,
        {
            "anonymous": 401,
            "enterprise_a": 200,
            "enterprise_b": 403,
            "provider": 403,
            "broker_in": 403,
            "broker_out": 403,
            "admin": 403,
        },
        withdraw,
    )


def test_create_need(api: Api, world: World) -> None:
    from tests.api.conftest import VALID_NEED

    def create(api: Api, token: str | None, role: str) -> int:
        return api.post("/needs", token, json=VALID_NEED).status_code

    _matrix(
        world,
        api,
        {
            "anonymous": 401,
            "enterprise_a": 201,
            "enterprise_b": 201,
            "provider": 403,
            "broker_in": 403,
            "broker_out": 403,
            "admin": 403,
        },
        create,
    )


# ---- providers -----------------------------------------------------------------------------------------


def test_read_draft_profile(api: Api, world: World) -> None:
    def read(api: Api, token: str | None, role: str) -> int:
        return api.get(f"/providers/{world.provider_profile}", token).status_code

    _matrix(
        world,
        api,
        {
            "anonymous": 404,
            "enterprise_a": 404,
            "enterprise_b": 404,
            "provider": 200,
            "broker_in": 200,
            "broker_out": 404,
            "admin": 200,
        },
        read,
    )


def test_own_profile_endpoints(api: Api, world: World) -> None:
    def mine(api: Api, token: str | None, role: str) -> int:
        response = api.get("/me/provider", token)
        if response.status_code == 200:
            assert response.get_json()["id"] == world.provider_profile
        return response.status_code

    _matrix(
        world,
        api,
        {
            "anonymous": 401,
            "enterprise_a": 404,
            "enterprise_b": 404,
            "provider": 200,
            "broker_in": 404,
            "broker_out": 404,
            "admin": 404,
        },
        mine,
    )


def test_other_providers_items_are_untouchable(api: Api, world: World) -> None:
    item = world.other_achievement

    def change(api: Api, token: str | None, role: str) -> int:
        patched = api.patch(f"/me/provider/achievements/{item}", token, json={"title": "被别人改掉的成果"})
        deleted = api.delete(f"/me/provider/achievements/{item}", token)
        assert patched.status_code == deleted.status_code
        return patched.status_code

    _matrix(world, api, {"anonymous": 401, **dict.fromkeys(ROLES[1:], 404)}, change)
    assert world.make.get(Achievement, item).title != "被别人改掉的成果"


# ---- review --------------------------------------------------------------------------------------------

REVIEW = {
    "anonymous": 401,
    "enterprise_a": 403,
    "enterprise_b": 403,
    "provider": 403,
    "broker_in": 200,
    "broker_out": 403,
    "admin": 200,
}


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_review_need(api: Api, world: World, decision: str) -> None:
    def review(api: Api, token: str | None, role: str) -> int:
        need_id = world.need("pending")
        response = api.post(
            f"/review/need/{need_id}/{decision}",
            token,
            json={"reason": "请补充"} if decision == "return" else {},
        )
        assert (world.make.get(Need, need_id).status != "pending") == (role in ("broker_in", "admin")), role
        return response.status_code

    _matrix(world, api, REVIEW, review)


def test_review_profile(api: Api, world: World) -> None:
    def review(api: Api, token: str | None, role: str) -> int:
        world.make.set_provider_status(world.other_profile, "pending")
        response = api.post(f"/review/provider/{world.other_profile}/approve", token)
        approved = world.make.get(Provider, world.other_profile).status == APPROVED
        assert approved == (role in ("broker_in", "admin")), role
        return response.status_code

    _matrix(world, api, REVIEW, review)


def test_review_queue(api: Api, world: World) -> None:
    pending = world.need("pending")

    def queue(api: Api, token: str | None, role: str) -> int:
        response = api.get("/review/queue", token)
        if response.status_code == 200:
            seen = {(i["kind"], i["id"]) for i in response.get_json()["items"]}
            expected = (
                set() if role == "broker_out" else {("need", pending), ("provider", world.other_profile)}
            )
            assert seen == expected, role
        return response.status_code

    _matrix(world, api, {**REVIEW, "broker_out": 200}, queue)


def test_no_secrets_in_any_response(api: Api, world: World) -> None:
    world.need("draft")
    world.need(APPROVED)
    for role in ROLES:
        for path in ("/me", "/tokens", "/needs", "/me/needs", "/providers", "/me/provider", "/review/queue"):
            text = _text(api.get(path, world.tokens[role])).lower()
            assert not any(word in text for word in FORBIDDEN_WORDS), (role, path)
            token = world.tokens[role]
            assert token is None or token not in text, (role, path)


# ---- answers (科技答题) ----------------------------------------------------------------------------------

ANSWER = "方案细节：采用某型号相变材料"
ANSWER_READERS = {"enterprise_a", "broker_in", "admin"}


def _answer(world: World) -> tuple[int, int]:
    """A public need of enterprise A answered by a provider that is none of the roles."""
    from market.auth.models import User
    from market.db import db
    from market.orders import proposals
    from market.orders.terms import ProposalTerms

    need_id = world.need(APPROVED)
    proposer = world.make.user("provider")
    world.make.set_provider_status(world.make.provider_id_of(proposer), APPROVED)
    with world.make.app.app_context():
        made = proposals.submit(
            db.session.get(User, proposer), db.session.get(Need, need_id), ProposalTerms(ANSWER)
        )
        db.session.commit()
        return need_id, made.id


def test_nobody_outside_the_engagement_reads_an_answer(api: Api, world: World) -> None:
    need_id, proposal_id = _answer(world)
    one = {"anonymous": 401, **{r: 200 if r in ANSWER_READERS else 404 for r in ROLES if r != "anonymous"}}

    def read(path: str, shows_text: bool = True) -> Any:
        def call(api: Api, token: str | None, role: str) -> int:
            response = api.get(path, token)
            if shows_text:
                assert (ANSWER in _text(response)) == (role in ANSWER_READERS), (role, path)
            return response.status_code

        return call

    _matrix(world, api, one, read(f"/proposals/{proposal_id}"))
    _matrix(world, api, one, read(f"/proposals/{proposal_id}/events", shows_text=False))
    listed = {"anonymous": 401, **dict.fromkeys((r for r in ROLES if r != "anonymous"), 200)}
    _matrix(world, api, listed, read(f"/needs/{need_id}/proposals"))


def test_only_the_answering_provider_edits_and_only_region_brokers_hide(api: Api, world: World) -> None:
    _need_id, proposal_id = _answer(world)

    def edit(api: Api, token: str | None, role: str) -> int:
        return api.call("PUT", f"/proposals/{proposal_id}", token, json={"approach": "改写"}).status_code

    def hide(api: Api, token: str | None, role: str) -> int:
        return api.post(f"/proposals/{proposal_id}/hide", token, json={"reason": "广告"}).status_code

    outsiders = {"enterprise_b": 404, "provider": 404, "broker_out": 404}
    _matrix(
        world,
        api,
        {"anonymous": 401, "enterprise_a": 403, "broker_in": 403, "admin": 403, **outsiders},
        edit,
    )
    # The first broker of the region hides it; the admin then finds it hidden already (409).
    _matrix(
        world,
        api,
        {"anonymous": 401, "enterprise_a": 403, "broker_in": 200, "admin": 409, **outsiders},
        hide,
    )


ANSWER_FILE = b"%PDF-1.7 answer file: the customer's cooling rig"


def test_nobody_outside_the_engagement_downloads_an_answers_file(api: Api, world: World) -> None:
    """An answer's file: its enterprise and the region's brokers (and admins); 404 for everybody else."""
    from market.attachments.files import Upload
    from market.auth.models import User
    from market.db import db
    from market.orders import proposals
    from market.orders.terms import ProposalTerms

    need_id = world.need(APPROVED)
    proposer = world.make.user("provider")
    world.make.set_provider_status(world.make.provider_id_of(proposer), APPROVED)
    with world.make.app.app_context():
        made = proposals.submit(
            db.session.get(User, proposer),
            db.session.get(Need, need_id),
            ProposalTerms(ANSWER),
            [Upload("rig.pdf", ANSWER_FILE)],
        )
        file_id, proposal_id = made.files[0].id, made.id
        db.session.commit()

    def download(api: Api, token: str | None, role: str) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = api.client.get(f"/api/v1/proposal-files/{file_id}", headers=headers)
        assert (ANSWER_FILE in response.data) == (role in ANSWER_READERS), role
        return response.status_code

    one = {"anonymous": 401, **{r: 200 if r in ANSWER_READERS else 404 for r in ROLES if r != "anonymous"}}
    _matrix(world, api, one, download)

    def remove(api: Api, token: str | None, role: str) -> int:
        return api.delete(f"/proposals/{proposal_id}/files/{file_id}", token).status_code

    outsiders = {"enterprise_b": 404, "provider": 404, "broker_out": 404}
    _matrix(
        world,
        api,
        {"anonymous": 401, "enterprise_a": 403, "broker_in": 403, "admin": 403, **outsiders},
        remove,
    )


def test_only_region_brokers_unhide_an_answer(api: Api, world: World) -> None:
    _need_id, proposal_id = _answer(world)
    outsiders = {"enterprise_b": 404, "provider": 404, "broker_out": 404}

    def hide_then_unhide(api: Api, token: str | None, role: str) -> int:
        broker = world.tokens["broker_in"]
        api.post(f"/proposals/{proposal_id}/hide", broker, json={"reason": "广告"})
        return api.post(f"/proposals/{proposal_id}/unhide", token, json={"reason": "误判"}).status_code

    # A hidden answer is gone for its enterprise (404); the broker then the admin show it again.
    _matrix(
        world,
        api,
        {"anonymous": 401, "enterprise_a": 404, "broker_in": 200, "admin": 200, **outsiders},
        hide_then_unhide,
    )


# ---- saved searches (docs/search.md, Saved searches and alerts) -------------------------------------------

SAVED_SEARCH_NAME = "企业A保存的搜索"
ONLY_A = {role: 200 if role == "enterprise_a" else 401 if role == "anonymous" else 404 for role in ROLES}


def _saved_search_of_a(api: Api, world: World) -> int:
    response = api.post(
        "/me/searches",
        world.tokens["enterprise_a"],
        json={"kind": "needs", "q": "热管理", "name": SAVED_SEARCH_NAME},
    )
    assert response.status_code == 201
    return int(response.get_json()["id"])


def test_only_its_owner_reads_a_saved_search(api: Api, world: World) -> None:
    search_id = _saved_search_of_a(api, world)

    def read(api: Api, token: str | None, role: str) -> int:
        response = api.get(f"/me/searches/{search_id}", token)
        assert (SAVED_SEARCH_NAME in _text(response)) == (role == "enterprise_a"), role
        listed = api.get("/me/searches", token)
        assert (SAVED_SEARCH_NAME in _text(listed)) == (role == "enterprise_a"), role
        return response.status_code

    _matrix(world, api, ONLY_A, read)


def test_only_its_owner_renames_or_deletes_a_saved_search(api: Api, world: World) -> None:
    search_id = _saved_search_of_a(api, world)

    def rename(api: Api, token: str | None, role: str) -> int:
        return api.patch(f"/me/searches/{search_id}", token, json={"name": f"{role} 改的名"}).status_code

    _matrix(world, api, ONLY_A, rename)
    others = {role: code for role, code in ONLY_A.items() if role != "enterprise_a"}
    for role, expected in others.items():
        assert api.delete(f"/me/searches/{search_id}", world.tokens[role]).status_code == expected, role
    name = api.get(f"/me/searches/{search_id}", world.tokens["enterprise_a"]).get_json()["name"]
    assert name == "enterprise_a 改的名"
    assert api.delete(f"/me/searches/{search_id}", world.tokens["enterprise_a"]).status_code == 204
