"""Near-duplicate needs on the review page, and the brokers' links and merges."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from market.assistant import duplicate_marks
from market.assistant.models import NeedLink
from market.auth.models import User
from market.db import commit, db
from market.matching import engine
from market.matching.documents import need_query_text
from market.needs.models import Need
from tests.factories import Factory, login

pytestmark = pytest.mark.usefixtures("synced")

TITLE = "注塑外壳翘曲变形装配困难"
TEXT = "聚丙烯注塑外壳冷却后翘曲变形，装配时卡不上，希望优化模具冷却和注塑工艺，降低不良率。"


def _need(make: Factory, owner: int, status: str, title: str = TITLE, text: str = TEXT) -> int:
    need_id = make.need(owner, status="pending", title=title, description=text, field_code="materials")
    if status != "pending":
        with make.app.app_context():
            db.session.get(Need, need_id).status = status
            commit()  # through the commit point: the index follows
    return need_id


def _world(make: Factory) -> dict[str, int]:
    first, second = make.user("enterprise"), make.user("enterprise")
    return {
        "reviewed": _need(make, first, "pending"),
        "public_copy": _need(make, second, "approved", title="注塑外壳翘曲变形，装配困难"),
        "pending_copy": _need(make, first, "pending", text=TEXT + "急需。"),
        "unrelated": _need(
            make,
            second,
            "approved",
            title="污水处理厂污泥减量",
            text="市政污水处理厂剩余污泥产量大，寻求污泥减量与资源化技术。",
        ),
        "broker": make.user("broker", regions=("32",)),
        "elsewhere": make.user("broker", regions=("44",)),
    }


def test_the_review_page_shows_near_duplicates_from_any_organisation(
    client: FlaskClient, make: Factory
) -> None:
    world = _world(make)
    login(client, world["broker"])
    page = client.get(f"/broker/review/need/{world['reviewed']}").get_data(as_text=True)
    panel = page[page.index('data-testid="review-duplicates"') :]
    panel = panel[: panel.index("</section>")]
    assert "注塑外壳翘曲变形，装配困难" in panel  # public, another organisation
    assert panel.count('data-testid="duplicate"') == 2  # and the same organisation's pending copy
    assert "同一单位" in panel
    assert "污泥" not in panel
    assert 'data-testid="review-assistant"' in page


def test_brokers_of_the_region_link_and_unlink_two_needs(client: FlaskClient, make: Factory) -> None:
    world = _world(make)
    login(client, world["broker"])
    back = f"/broker/review/need/{world['reviewed']}"
    url = f"/assistant/needs/{world['reviewed']}/link"
    response = client.post(url, data={"other_id": world["pending_copy"], "kind": "duplicate", "back": back})
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    # Linking again from the other side changes the kind of the one link.
    client.post(
        f"/assistant/needs/{world['pending_copy']}/link",
        data={"other_id": world["reviewed"], "kind": "related"},
    )
    with make.app.app_context():
        links = list(db.session.scalars(select(NeedLink)))
        assert [(link.kind, link.need_id < link.other_need_id) for link in links] == [("related", True)]
        link_id = links[0].id
    page = client.get(back).get_data(as_text=True)
    assert 'data-testid="need-links"' in page
    assert (
        client.post(f"/assistant/links/{link_id}/delete", data={"need_id": world["reviewed"]}).status_code
        == 302
    )
    with make.app.app_context():
        assert db.session.scalar(select(NeedLink)) is None


def test_a_merge_closes_the_public_copy_with_a_reason(client: FlaskClient, make: Factory) -> None:
    world = _world(make)
    login(client, world["broker"])
    response = client.post(
        f"/assistant/needs/{world['reviewed']}/merge", data={"other_id": world["public_copy"]}
    )
    assert response.status_code == 302
    with make.app.app_context():
        copy = db.session.get(Need, world["public_copy"])
        assert copy.status == "closed" and f"#{world['reviewed']}" in copy.outcome_reason
        assert db.session.scalar(select(NeedLink.kind)) == "duplicate"
    # A pending copy is not merged: the broker returns it from its review page instead (409, nothing written).
    response = client.post(
        f"/assistant/needs/{world['reviewed']}/merge", data={"other_id": world["pending_copy"]}
    )
    assert response.status_code == 409
    with make.app.app_context():
        assert db.session.get(Need, world["pending_copy"]).status == "pending"


def test_links_are_refused_outside_the_brokers_regions_and_for_bad_input(
    client: FlaskClient, make: Factory
) -> None:
    world = _world(make)
    login(client, world["elsewhere"])
    url = f"/assistant/needs/{world['reviewed']}/link"
    assert client.post(url, data={"other_id": world["public_copy"], "kind": "duplicate"}).status_code == 403
    client.get("/auth/logout")
    login(client, world["broker"])
    assert client.post(url, data={"other_id": world["reviewed"], "kind": "duplicate"}).status_code == 422
    assert client.post(url, data={"other_id": world["public_copy"], "kind": "same"}).status_code == 422
    assert client.post(url, data={"other_id": "x" * 50, "kind": "duplicate"}).status_code == 422
    assert client.post(url, data={"other_id": "999999", "kind": "duplicate"}).status_code == 404
    with make.app.app_context():
        assert db.session.scalar(select(NeedLink)) is None


def test_the_owner_sees_near_duplicates_after_submitting(client: FlaskClient, make: Factory) -> None:
    world = _world(make)
    with make.app.app_context():
        owner = db.session.get(Need, world["reviewed"]).author_id
    login(client, owner)
    page = client.get(f"/needs/{world['reviewed']}").get_data(as_text=True)
    assert 'data-testid="submitted-duplicates"' in page
    assert "注塑外壳翘曲变形，装配困难" in page  # the public copy of another organisation
    assert f'href="/needs/{world["pending_copy"]}"' in page  # its own organisation's pending copy
    # The public copy's own page says nothing of the kind: it is not pending.
    page = client.get(f"/needs/{world['public_copy']}").get_data(as_text=True)
    assert 'data-testid="submitted-duplicates"' not in page


def test_the_review_queue_marks_needs_with_near_duplicates_from_stored_vectors(
    client: FlaskClient, make: Factory
) -> None:
    world = _world(make)
    owner = make.user("enterprise")
    cold_chain = "果蔬采后冷链运输损耗大，寻求气调保鲜方案。"
    other = _need(make, owner, "pending", title="果蔬冷链保鲜", text=cold_chain)

    def marks() -> dict[int, int]:
        with make.app.app_context():
            broker = db.session.get(User, world["broker"])
            rows = [db.session.get(Need, i) for i in (world["reviewed"], world["pending_copy"], other)]
            return duplicate_marks.queue_marks(broker, rows)

    # Nothing stored for the pending needs yet: no mark, and nothing encoded to make one.
    assert marks() == {}
    with make.app.app_context():
        assert duplicate_marks.stored([db.session.get(Need, world["reviewed"])]) == {}
        pending = [db.session.get(Need, i) for i in (world["reviewed"], world["pending_copy"], other)]
        engine.prepare_queries(need_query_text(n) for n in pending)  # as the owner's page would
    found = marks()
    assert found == {world["reviewed"]: 2, world["pending_copy"]: 2}  # each other and the public copy
    assert other not in found  # an unrelated need has no mark

    login(client, world["broker"])
    page = client.get("/review/").get_data(as_text=True)
    assert page.count('data-testid="duplicate-mark"') == 2
    assert f"/broker/review/need/{world['reviewed']}#review-duplicates" in page
