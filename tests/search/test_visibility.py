"""What search lists is what the database says is public, at the request after each change.

With `synced`, every commit updates the test's own index (market/matching/sync.py); these tests
check that the public lists and the API follow approval, withdrawal, closing and a profile sent back
to review within one request, and that a posting the index still holds but the database no longer
publishes is never listed.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from market.db import commit, db
from market.matching import engine
from market.needs.models import Need
from market.providers.models import Provider
from tests.factories import APPROVED, login

TITLE = "注塑件脱模后翘曲变形严重"
DESCRIPTION = (
    "我们注塑车间生产的PP外壳在脱模后出现明显翘曲变形，尺寸超差，希望找到模流分析和工艺优化方面的专家。"
)
COLD = "冷库压缩机能耗高，夜间电费贵。"


def _html(app: Flask, path: str, q: str) -> str:
    return app.test_client().get(path, query_string={"q": q}).get_data(as_text=True)


def _total(app: Flask, path: str, q: str) -> int:
    return int(app.test_client().get(path, query_string={"q": q}).get_json()["total"])


def _titles(app: Flask, q: str, path: str = "/api/v1/needs") -> list[str]:
    body = app.test_client().get(path, query_string={"q": q}).get_json()
    return [item.get("title") or item.get("name") for item in body["items"]]


@pytest.mark.usefixtures("synced")
def test_a_need_is_searchable_right_after_approval_and_gone_right_after_withdrawal(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    other = make.need(owner, status=APPROVED, title="冷库能耗太高", description=COLD)
    need_id = make.need(owner, status="pending", title=TITLE, description=DESCRIPTION)
    broker = login(app.test_client(), make.user("broker"))
    enterprise = login(app.test_client(), owner)
    with app.app_context():
        db.session.get(Need, other).title = "冷库能耗太高的问题"
        commit()  # the one commit point, where the index sync runs
    link = f'href="/needs/{need_id}"'
    assert link not in enterprise.get("/needs/", query_string={"q": "翘曲变形"}).get_data(as_text=True)

    assert broker.post(f"/review/need/{need_id}/approve").status_code == 302
    assert _titles(app, "翘曲变形")[0] == TITLE  # the very next request
    assert link in _html(app, "/needs/", "注塑 翘曲")

    assert enterprise.post(f"/needs/{need_id}/withdraw").status_code == 302
    assert TITLE not in _titles(app, "翘曲变形")
    assert link not in _html(app, "/needs/", "翘曲变形")
    with app.app_context():
        assert str(need_id) not in engine.backend(engine.NEEDS).ids()


@pytest.mark.usefixtures("synced")
def test_a_closed_need_leaves_search_with_the_request(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    need_id = make.need(owner, status="pending", title=TITLE, description=DESCRIPTION)
    login(app.test_client(), make.user("broker")).post(f"/review/need/{need_id}/approve")
    assert TITLE in _titles(app, "注塑件翘曲变形")
    enterprise = login(app.test_client(), owner)
    assert enterprise.post(f"/needs/{need_id}/close", data={"reason": "已自行解决"}).status_code == 302
    assert TITLE not in _titles(app, "注塑件翘曲变形")
    enterprise.post(f"/needs/{need_id}/reopen", data={"reason": "问题复现"})
    assert TITLE in _titles(app, "注塑件翘曲变形")


@pytest.mark.usefixtures("synced")
def test_a_provider_sent_back_to_review_leaves_the_provider_and_service_lists(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user = make.user("provider")
    provider_id = make.provider_id_of(user)
    make.achievement(provider_id, title="大型薄壁注塑件翘曲变形的模流分析与工艺优化")
    make.service(provider_id, title="注塑件翘曲变形诊断")
    with app.app_context():
        db.session.get(Provider, provider_id).status = APPROVED
        commit()  # the one commit point, where the index sync runs
    providers = _html(app, "/providers/", "注塑件翘曲变形")
    assert f"/providers/{provider_id}" in providers and 'data-testid="best-passage"' in providers
    services = app.test_client().get("/api/v1/services", query_string={"q": "注塑件翘曲变形"}).get_json()
    assert [item["title"] for item in services["items"]] == ["注塑件翘曲变形诊断"]

    assert login(app.test_client(), user).post("/me/profile/withdraw").status_code == 302
    assert _titles(app, "注塑件翘曲变形", "/api/v1/providers") == []
    assert _total(app, "/api/v1/services", "注塑件翘曲变形") == 0


def test_a_posting_the_index_still_holds_is_not_listed_once_the_database_hides_it(
    app: Flask, make: Any, tmp_path: Any
) -> None:
    """The index lags (a failed sync): the database's visibility decides, count included."""
    from market.matching import indexing

    old = dict(app.config)
    app.config.update(INDEX_DIR=str(tmp_path / "index"))
    engine.forget_open_indexes()
    try:
        owner = make.user("enterprise")
        shown = make.need(owner, status=APPROVED, title=TITLE, description=DESCRIPTION)
        second = "注塑件翘曲变形的第二个需求"
        hidden = make.need(owner, status=APPROVED, title=second, description=DESCRIPTION)
        with app.app_context():
            indexing.rebuild(engine.NEEDS)
            db.session.get(Need, hidden).status = "withdrawn"  # INDEX_SYNC is off: the index keeps it
            db.session.commit()
            assert str(hidden) in engine.backend(engine.NEEDS).ids()
        body = app.test_client().get("/api/v1/needs", query_string={"q": "注塑件翘曲变形"}).get_json()
        assert [item["id"] for item in body["items"]] == [shown] and body["total"] == 1
        counts = {f["key"]: sum(v["count"] for v in f["values"]) for f in body["search"]["facets"]}
        assert counts["province"] == 1
    finally:
        engine.forget_open_indexes()
        app.config.update(INDEX_DIR=old["INDEX_DIR"])


@pytest.mark.usefixtures("synced")
def test_stored_markup_is_escaped_around_the_marks_and_the_csp_is_unchanged(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    need_id = make.need(
        owner, status="pending", title='<img src=x onerror="alert(1)">注塑件翘曲', description=DESCRIPTION
    )
    login(app.test_client(), make.user("broker")).post(f"/review/need/{need_id}/approve")
    response = app.test_client().get("/needs/", query_string={"q": "翘曲 <script>"})
    html = response.get_data(as_text=True)
    assert f'href="/needs/{need_id}"' in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html and "<mark>翘曲</mark>" in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    home = app.test_client().get("/")
    assert response.headers["Content-Security-Policy"] == home.headers["Content-Security-Policy"]


def test_an_index_never_built_answers_by_plain_text_and_says_so(app: Flask, make: Any, tmp_path: Any) -> None:
    old = app.config["INDEX_DIR"]
    app.config["INDEX_DIR"] = str(tmp_path / "never-built")
    engine.forget_open_indexes()
    try:
        need_id = make.need(make.user("enterprise"), status=APPROVED, title=TITLE, description=DESCRIPTION)
        body = app.test_client().get("/api/v1/needs", query_string={"q": "脱模后翘曲"}).get_json()
        assert [item["id"] for item in body["items"]] == [need_id]
        assert "market reindex" in body["search"]["notice"]
        assert "market reindex" in _html(app, "/needs/", "脱模后翘曲")
    finally:
        engine.forget_open_indexes()
        app.config["INDEX_DIR"] = old
