"""Search words are literal (issue 12, point 12): `%` and `_` in q are not LIKE wildcards.

Before, `q=%` listed every public need, provider and service, and `q=_` matched any one character.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from market.db import db
from market.providers.models import Provider
from tests.factories import APPROVED, login

PLAIN, PERCENT, UNDERSCORE, SLASH = "冷库能耗太高", "回收率达到100%的方案", "型号a_b的改进", "路径a/b的优化"


@pytest.fixture
def listed(app: Flask, make) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One approved need, provider and service per title; provider names carry the titles too."""
    owner = make.user("enterprise")
    providers = []
    for title in (PLAIN, PERCENT, UNDERSCORE, SLASH):
        make.need(owner, status=APPROVED, title=title, description=f"{title}：需求详细描述，二十个字以上。")
        provider_id = make.provider_id_of(make.user("provider"))
        make.set_provider_status(provider_id, APPROVED)
        make.service(provider_id, title=title)
        providers.append((provider_id, title))
    with app.app_context():
        for provider_id, title in providers:
            db.session.execute(update(Provider).where(Provider.id == provider_id).values(name=title))
        db.session.commit()
    return {"owner": owner}


CASES = [("%", {PERCENT}), ("_", {UNDERSCORE}), ("/", {SLASH}), ("0%的", {PERCENT}), ("a_b", {UNDERSCORE})]
TITLES = (PLAIN, PERCENT, UNDERSCORE, SLASH)


@pytest.mark.parametrize("page", ["/needs/", "/providers/", "/services/"])
@pytest.mark.parametrize(("q", "expected"), CASES)
def test_pages_match_percent_and_underscore_literally(
    app: Flask, listed: dict[str, Any], page: str, q: str, expected: set[str]
) -> None:
    html = app.test_client().get(page, query_string={"q": q}).get_data(as_text=True)
    assert {t for t in TITLES if t in html} == expected


API_TITLE = {"/api/v1/needs": "title", "/api/v1/providers": "name", "/api/v1/services": "title"}


@pytest.mark.parametrize("path", list(API_TITLE))
@pytest.mark.parametrize(("q", "expected"), CASES)
def test_api_lists_match_percent_and_underscore_literally(
    app: Flask, listed: dict[str, Any], path: str, q: str, expected: set[str]
) -> None:
    body = app.test_client().get(path, query_string={"q": q}).get_json()
    assert {item[API_TITLE[path]] for item in body["items"]} == expected


def test_plain_words_still_match_case_insensitively(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    make.need(make.user("enterprise"), status=APPROVED, title="Battery 热管理方案")
    body = app.test_client().get("/api/v1/needs", query_string={"q": "battery"}).get_json()
    assert [item["title"] for item in body["items"]] == ["Battery 热管理方案"]


def test_admin_user_search_is_literal(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin = login(app.test_client(), make.user("admin"))
    make.user("enterprise", name="普通用户")
    make.user("enterprise", name="百分号%用户")
    html = admin.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "百分号%用户" in html and "普通用户" not in html
