"""Weaker matches: after a short ranked list, the next-best hits below the relevance cut are shown,
apart from the counted results (market/search/services.py, `_weaker`).

On the demo (seed 7) with the real encoder, as test_demo_search.py. Plain-language problems of a few
words are the queries whose relevant postings the cut leaves out (docs/search.md, "Ranking quality").
"""

# ruff: noqa: F811 (pytest fixtures imported from test_demo_search and requested by name)

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from market.search import services
from tests.search.test_demo_search import _api, client, demo  # noqa: F401 (the same demo fixtures)

pytestmark = pytest.mark.engine_independent
SHARED_DATABASE = True

# Short problems as people type them; the tests use those whose counted list is short.
QUERIES = (
    "螺丝漏拧老是查不出来",
    "地坪漆冬天好几天不干",
    "车间粉尘太大",
    "老设备程序没人看得懂",
    "充电桩晚上跳闸",
    "冬天续航掉得厉害",
    "产品表面有划痕",
    "废水颜色去不掉",
)


def _with_weaker(client: FlaskClient, path: str) -> list[tuple[str, dict[str, Any]]]:
    found = [(q, _api(client, path, q=q, per_page=20)) for q in QUERIES]
    return [(q, body) for q, body in found if body.get("weaker")]


@pytest.mark.parametrize("path", ["/providers", "/needs"])
def test_short_lists_are_followed_by_weaker_matches_that_are_not_counted(
    client: FlaskClient, path: str
) -> None:
    found = _with_weaker(client, path)
    assert found, "no short query of the list got weaker matches"
    for q, body in found:
        counted = [item["id"] for item in body["items"]]
        weaker = [item["id"] for item in body["weaker"]]
        assert body["total"] == len(counted) < 20, q
        assert len(weaker) <= min(services.WEAKER_MAX, 20 - len(counted))
        assert not set(weaker) & set(counted) and len(set(weaker)) == len(weaker)
        # Not in the facets either: every facet value counts counted results only.
        for facet in body["search"]["facets"]:
            assert sum(v["count"] for v in facet["values"]) <= max(body["total"], 1) * 20


def test_the_page_shows_them_under_their_own_heading(client: FlaskClient) -> None:
    q, body = _with_weaker(client, "/providers")[0]
    html = client.get("/providers/", query_string={"q": q}).get_data(as_text=True)
    assert 'data-testid="weaker-results"' in html and "相关度较低" in html
    assert f"共 {body['total']} 条" in html
    english = client.get("/providers/", query_string={"q": q, "lang": "en"}).get_data(as_text=True)
    assert "Weaker matches for your search" in english


def test_weaker_matches_pass_the_same_filters(client: FlaskClient) -> None:
    q, body = _with_weaker(client, "/providers")[0]
    kind = body["weaker"][0]["kind"]
    filtered = _api(client, "/providers", q=q, kind=kind, per_page=20)
    assert all(item["kind"] == kind for item in filtered["items"] + filtered.get("weaker", []))


def test_only_on_the_last_page_and_only_by_relevance(client: FlaskClient) -> None:
    q, body = _with_weaker(client, "/providers")[0]
    total = body["total"]
    if total > 1:
        first = _api(client, "/providers", q=q, per_page=total - 1)
        assert "weaker" not in first, "a page before the last one shows only counted results"
        last = _api(client, "/providers", q=q, per_page=total - 1, page=2)
        assert last.get("weaker")
    newest = _api(client, "/providers", q=q, sort="newest", per_page=20)
    assert "weaker" not in newest and newest["total"] == total


def test_typed_noise_gets_no_weaker_matches(client: FlaskClient) -> None:
    for path in ("/providers", "/needs", "/services"):
        body = _api(client, path, q="xyzzy qwrtp")
        assert body["total"] == 0 and "weaker" not in body
