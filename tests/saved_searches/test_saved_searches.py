"""Saved searches: saving from a list page and the API, the limit, who may see them, and the alerts.

The alert tests use a real index of their own (`synced`): a need becomes searchable at the commit of
its approval, and `market searches alert` runs the saved search again as its owner would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from market.auth.models import User
from market.db import commit, db, utcnow
from market.mail.models import EmailOutbox
from market.messages import render
from market.orders.models import Notification
from market.saved_searches import alerts, services
from market.saved_searches.models import SavedSearch, SavedSearchAlert
from tests.api.conftest import Api
from tests.factories import APPROVED, Factory, login

WARPING = (
    "注塑件脱模后翘曲变形严重",
    "PP外壳注塑后翘曲变形，尺寸超差，希望找到模流分析和工艺优化方面的专家。",
)
WARPING_2 = ("薄壁注塑件翘曲变形控制", "薄壁ABS注塑件冷却后翘曲变形，需要优化模具冷却与保压工艺。")
COLD = ("冷库压缩机能耗太高", "冷库压缩机夜间能耗高，电费贵，希望做节能改造。")


def _user(app: Flask, user_id: int) -> User:
    return db.session.get_one(User, user_id)


def _notices(app: Flask, user_id: int) -> list[Notification]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.kind.startswith("recommend"))
                .order_by(Notification.id)
            )
        )
        db.session.expunge_all()
        return rows


def _run(app: Flask, now: Any = None) -> alerts.Run:
    with app.app_context():
        summary = alerts.run(now)
        commit()
        return summary


def _save(app: Flask, user_id: int, **terms: Any) -> int:
    with app.app_context():
        saved, _new = services.save(_user(app, user_id), services.SearchTerms(**terms))
        commit()
        return saved.id


# ---- saving, listing, deleting ----------------------------------------------------------------------------


def test_save_list_rename_delete_and_the_same_search_twice(app: Flask, make: Factory) -> None:
    me = make.user("enterprise")
    with app.app_context():
        actor = _user(app, me)
        first, new = services.save(
            actor,
            services.SearchTerms(
                kind="needs",
                q="  注塑　翘曲 ",
                filters={"field": "materials", "open_call": "1"},
                sort="deadline",
            ),
        )
        assert new and first.name == "注塑 翘曲"  # the query, cleaned (full-width space too), names it
        assert first.filters == {"field": "materials", "open_call": "yes"}
        again, new = services.save(
            actor,
            services.SearchTerms(
                kind="needs",
                q="注塑 翘曲",
                filters={"open_call": "on", "field": "materials"},
                sort="deadline",
            ),
        )
        assert not new and again.id == first.id
        other, new = services.save(
            actor, services.SearchTerms(kind="providers", name="专家", filters={"kind": "expert"})
        )
        assert new
        commit()
        assert [s.id for s in services.my_searches(actor)] == [other.id, first.id]
        services.rename(actor, first.id, "  我的  注塑 ")
        commit()
        assert services.get_own(actor, first.id).name == "我的 注塑"
        services.delete(actor, first.id)
        commit()
        assert [s.id for s in services.my_searches(actor)] == [other.id]


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"kind": "orders"}, "kind"),
        ({"kind": "needs", "filters": {"colour": "red"}}, "colour"),
        ({"kind": "needs", "filters": {"field": "no-such-field"}}, "field"),
        ({"kind": "providers", "filters": {"budget": "lt10"}}, "budget"),  # providers have no budget
        ({"kind": "needs", "sort": "rating"}, "sort"),
        ({"kind": "needs", "sort": "relevance"}, "sort"),  # relevance needs a query
        ({"kind": "needs", "name": "名" * 61}, "name"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(
    app: Flask, make: Factory, terms: dict[str, Any], field: str
) -> None:
    from market.errors import ValidationFailed

    me = make.user("enterprise")
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            services.save(_user(app, me), services.SearchTerms(**terms))
        assert field in (refused.value.field_errors or {})
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_the_limit_per_person(app: Flask, make: Factory) -> None:
    from market.errors import Conflict

    me, other = make.user("enterprise"), make.user("enterprise")
    app.config["SAVED_SEARCHES_PER_USER"] = 2
    try:
        _save(app, me, kind="needs", q="注塑")
        _save(app, me, kind="needs", q="冷库")
        _save(app, other, kind="needs", q="注塑")  # another person's count is their own
        with app.app_context():
            with pytest.raises(Conflict, match="最多保存 2 个搜索"):
                services.save(_user(app, me), services.SearchTerms(kind="needs", q="电池"))
            db.session.rollback()
            # The same search again is not a new one: no room needed.
            _saved, new = services.save(_user(app, me), services.SearchTerms(kind="needs", q="注塑"))
            assert not new
    finally:
        app.config["SAVED_SEARCHES_PER_USER"] = 20


def test_saving_from_the_list_page_in_chinese_and_english(app: Flask, make: Factory) -> None:
    me = make.user("enterprise")
    client = login(app.test_client(), me)
    page = client.get("/needs/", query_string={"q": "注塑 翘曲", "field": "materials"}).get_data(as_text=True)
    assert "保存搜索" in page and 'name="filter_field" value="materials"' in page
    assert page.count('name="q"') == 1  # the list's own search box; the save form's fields are prefixed
    english = client.get("/needs/", query_string={"q": "注塑", "lang": "en"}).get_data(as_text=True)
    assert "Save search" in english
    assert "保存搜索" not in app.test_client().get("/needs/").get_data(as_text=True)  # visitors: no button

    response = client.post(
        "/me/searches",
        data={
            "saved-kind": "needs",
            "saved-q": "注塑 翘曲",
            "saved-sort": "budget",
            "filter_field": "materials",
            "saved-name": "注塑问题",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/needs/?")
    assert "field=materials" in response.headers["Location"] and "sort=budget" in response.headers["Location"]
    mine = client.get("/me/searches").get_data(as_text=True)
    assert ("注塑问题" in mine and "领域：材料" in mine) or "注塑问题" in mine
    with app.app_context():
        saved = db.session.scalars(select(SavedSearch)).one()
        assert (saved.kind, saved.query, saved.filters, saved.sort) == (
            "needs",
            "注塑 翘曲",
            {"field": "materials"},
            "budget",
        )
        saved_id = saved.id
    assert "My saved searches" in client.get("/me/searches", query_string={"lang": "en"}).get_data(
        as_text=True
    )

    # Bad input: a message on the list page, nothing written.
    refused = client.post(
        "/me/searches", data={"saved-kind": "needs", "saved-sort": "rating"}, follow_redirects=True
    )
    assert refused.status_code == 200 and "无法保存搜索" in refused.get_data(as_text=True)
    renamed = client.post(f"/me/searches/{saved_id}/rename", data={"name": ""}, follow_redirects=True)
    assert "无法重命名" in renamed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 1
    client.post(f"/me/searches/{saved_id}/rename", data={"name": "新名字"})
    assert "新名字" in client.get("/me/searches").get_data(as_text=True)
    assert client.get(f"/me/searches/{saved_id}").headers["Location"].startswith("/needs/?q=")
    client.post(f"/me/searches/{saved_id}/delete")
    assert "还没有保存的搜索" in client.get("/me/searches").get_data(as_text=True)


def test_nobody_else_reads_renames_or_deletes_a_saved_search(
    app: Flask, make: Factory, api: Api, token: Any
) -> None:
    owner, other = make.user("enterprise"), make.user("broker")
    saved_id = _save(app, owner, kind="needs", q="注塑", name="OWNER-SECRET-NAME")
    other_client = login(app.test_client(), other)
    assert other_client.get(f"/me/searches/{saved_id}").status_code == 404
    assert other_client.post(f"/me/searches/{saved_id}/rename", data={"name": "x"}).status_code == 404
    assert other_client.post(f"/me/searches/{saved_id}/delete").status_code == 404
    assert "OWNER-SECRET-NAME" not in other_client.get("/me/searches").get_data(as_text=True)
    assert app.test_client().get("/me/searches").status_code == 302  # to the login page

    theirs = token(other)
    assert api.get(f"/me/searches/{saved_id}", theirs).status_code == 404
    assert api.patch(f"/me/searches/{saved_id}", theirs, json={"name": "x"}).status_code == 404
    assert api.delete(f"/me/searches/{saved_id}", theirs).status_code == 404
    assert api.get("/me/searches", theirs).get_json()["items"] == []
    assert api.get("/me/searches").status_code == 401
    with app.app_context():
        assert db.session.get_one(SavedSearch, saved_id).name == "OWNER-SECRET-NAME"


def test_the_api(app: Flask, make: Factory, api: Api, token: Any) -> None:
    me = token(make.user("enterprise"))
    created = api.post(
        "/me/searches",
        me,
        json={
            "kind": "needs",
            "q": "注塑 翘曲",
            "filters": {"field": "materials", "open_call": True},
            "sort": "deadline",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["name"] == "注塑 翘曲" and body["filters"] == {"field": "materials", "open_call": "yes"}
    assert body["url"].startswith("/needs/?")
    again = api.post(
        "/me/searches",
        me,
        json={
            "kind": "needs",
            "q": "注塑 翘曲",
            "filters": {"open_call": True, "field": "materials"},
            "sort": "deadline",
        },
    )
    assert again.get_json()["id"] == body["id"]
    listed = api.get("/me/searches", me).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["limit"] == 20
    assert api.patch(f"/me/searches/{body['id']}", me, json={"name": "改名"}).get_json()["name"] == "改名"
    assert api.get(f"/me/searches/{body['id']}", me).get_json()["name"] == "改名"

    # Bad input: 400 for the wrong JSON types, 422 for wrong values; nothing written.
    assert api.post("/me/searches", me, json={"kind": "needs", "filters": ["field"]}).status_code == 400
    assert api.post("/me/searches", me, json={"kind": "needs", "filters": {"field": 3}}).status_code == 400
    assert api.post("/me/searches", me, json={"kind": "needs", "colour": "red"}).status_code == 400
    bad = api.post("/me/searches", me, json={"kind": "needs", "filters": {"colour": "red"}})
    assert bad.status_code == 422 and "colour" in bad.get_json()["fields"]
    assert api.post("/me/searches", me, json={"kind": "orders"}).status_code == 422
    assert api.post("/me/searches", me, json={"kind": "recommended"}).status_code == 409  # not a provider
    assert api.patch(f"/me/searches/{body['id']}", me, json={"name": ""}).status_code == 422
    assert len(api.get("/me/searches", me).get_json()["items"]) == 1

    assert api.delete(f"/me/searches/{body['id']}", me).status_code == 204
    assert api.get(f"/me/searches/{body['id']}", me).status_code == 404


# ---- alerts ---------------------------------------------------------------------------------------------


def _approve(app: Flask, broker: int, need_id: int) -> None:
    client = login(app.test_client(), broker)
    assert client.post(f"/review/need/{need_id}/approve").status_code == 302


@pytest.mark.usefixtures("synced")
def test_an_approved_matching_need_is_alerted_once_and_nothing_else_is(app: Flask, make: Factory) -> None:
    seeker = make.user("provider")  # a provider looking for problems it can solve
    poster, broker = make.user("enterprise"), make.user("broker")
    make.need(
        poster, status=APPROVED, title="已经公开的注塑翘曲问题", description=WARPING[1]
    )  # before saving
    saved_id = _save(app, seeker, kind="needs", q="注塑件翘曲变形")
    own = _save(app, poster, kind="needs", q="注塑件翘曲变形")  # the poster's own needs are never alerted

    matching = make.need(poster, status="pending", title=WARPING[0], description=WARPING[1])
    other = make.need(poster, status="pending", title=COLD[0], description=COLD[1])
    withdrawn = make.need(poster, status="pending", title=WARPING_2[0], description=WARPING_2[1])
    for need_id in (matching, other, withdrawn):
        _approve(app, broker, need_id)
    assert login(app.test_client(), poster).post(f"/needs/{withdrawn}/withdraw").status_code == 302

    summary = _run(app)
    assert (summary.alerted, summary.postings) == (1, 1)
    notices = _notices(app, seeker)
    assert [n.kind for n in notices] == ["recommend.saved_search"]
    assert notices[0].message_params == {
        "name": "注塑件翘曲变形",
        "count": 1,
        "title": WARPING[0],
        "search_id": saved_id,
    }
    with app.test_request_context():
        assert "有 1 条新结果" in render(notices[0].message_key or "", notices[0].message_params, "zh")
    assert _notices(app, poster) == []
    with app.app_context():
        assert [a.posting_id for a in db.session.scalars(select(SavedSearchAlert))] == [matching]
        mail = db.session.scalars(select(EmailOutbox).where(EmailOutbox.user_id == seeker)).one()
        assert (mail.kind, mail.state) == ("recommended", "digest")  # the default for 推荐需求: daily digest
        assert db.session.get_one(SavedSearch, own).last_alerted_at is None

    # The same day again: nothing more, even with a new matching need (at most one alert a day).
    later = make.need(poster, status="pending", title=WARPING_2[0] + "（二）", description=WARPING_2[1])
    _approve(app, broker, later)
    assert _run(app).alerted == 0
    assert len(_notices(app, seeker)) == 1

    # The next day: the new need, and only it (the first one was alerted already).
    tomorrow = utcnow() + timedelta(days=1)
    summary = _run(app, tomorrow)
    assert (summary.alerted, summary.postings) == (1, 1)
    notices = _notices(app, seeker)
    assert len(notices) == 2 and (notices[1].message_params or {})["title"] == WARPING_2[0] + "（二）"
    assert _run(app, tomorrow + timedelta(days=1)).alerted == 0  # nothing new: no alert at all


@pytest.mark.usefixtures("synced")
def test_a_search_with_filters_alerts_only_what_passes_them(app: Flask, make: Factory) -> None:
    seeker, poster, broker = make.user("enterprise"), make.user("enterprise"), make.user("broker")
    _save(app, seeker, kind="needs", q="注塑件翘曲变形", filters={"field": "ev"})
    outside = make.need(
        poster, status="pending", title=WARPING[0], description=WARPING[1], field_code="materials"
    )
    _approve(app, broker, outside)
    assert _run(app).alerted == 0
    inside = make.need(
        poster, status="pending", title=WARPING_2[0], description=WARPING_2[1], field_code="ev"
    )
    _approve(app, broker, inside)
    assert _run(app).postings == 1
    assert (_notices(app, seeker)[0].message_params or {})["title"] == WARPING_2[0]


@pytest.mark.usefixtures("synced")
def test_a_provider_follows_its_recommended_needs(app: Flask, make: Factory) -> None:
    seeker, poster, broker = make.user("provider"), make.user("enterprise"), make.user("broker")
    make.set_provider_status(make.provider_id_of(seeker), APPROVED)
    client = login(app.test_client(), seeker)
    assert "关注推荐需求" in client.get("/me/searches").get_data(as_text=True)
    assert client.post("/me/searches/follow-recommended").status_code == 302
    assert client.post("/me/searches/follow-recommended").status_code == 302  # once only
    with app.app_context():
        assert db.session.scalars(select(SavedSearch.kind)).all() == ["recommended"]
    battery = make.need(poster, status="pending")  # the factory's need: 电动物流车 低温续航, 电池热管理
    _approve(app, broker, battery)
    assert _run(app).alerted == 1
    notice = _notices(app, seeker)[0]
    assert notice.kind == "recommend.followed" and (notice.message_params or {})["count"] >= 1
    with app.test_request_context():
        assert render(notice.message_key or "", notice.message_params, "en").startswith(
            "Your followed recommended needs"
        )


def test_the_cli_command(app: Flask, make: Factory) -> None:
    _save(app, make.user("enterprise"), kind="needs")
    result: Result = app.test_cli_runner().invoke(args=["searches", "alert"])
    assert result.exit_code == 0, result.output
    assert "1 saved searches: 0 alerted" in result.output
