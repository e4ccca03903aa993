"""Ranked search on the demo data: the issue's examples, facets, sorts, pages, help, parity.

The demo (seed 7, 120 providers, 80 needs, as tests/test_demo_history.py loads it) is loaded once
for this module and indexed with the real encoder into the module's own index directory.
Assertions are about what the results contain, never about exact scores.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.matching import engine
from market.search import services

# What the ranking finds on the demo does not depend on the database engine (visibility, which does, is
# tested on both in test_visibility.py): run once, on SQLite.
pytestmark = pytest.mark.engine_independent
SHARED_DATABASE = True  # read-only tests: the demo is loaded once (and wiped by the fixture)

EXAMPLES = {
    "注塑件翘曲变形": ("翘曲", "注塑", "变形"),
    "锂电池热失控预警": ("电池", "热失控", "储能"),
    "污水处理厂污泥减量": ("污泥", "污水"),
    "翘曲变形": ("翘曲", "变形"),
    "注塑 翘曲": ("翘曲", "注塑"),
}


@pytest.fixture(scope="module")
def demo(indexed_demo: None) -> None:
    """The demo and its index (tests/conftest.py)."""


@pytest.fixture
def client(app: Flask, demo: None) -> FlaskClient:
    return app.test_client()


def _api(client: FlaskClient, path: str, **args: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1{path}", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def _ids(client: FlaskClient, path: str, **args: Any) -> list[int]:
    return [item["id"] for item in _api(client, path, **args)["items"]]


def _provider_text(client: FlaskClient, provider_id: int) -> str:
    detail = _api(client, f"/providers/{provider_id}")
    parts = [detail["name"], detail["expertise"]]
    parts += [f"{a['title']} {a.get('description', '')}" for a in detail.get("achievements", [])]
    parts += [f"{s['title']} {s.get('description', '')}" for s in detail.get("services", [])]
    return " ".join(parts)


@pytest.mark.parametrize("q", list(EXAMPLES))
def test_the_issue_examples_find_relevant_needs_and_providers(client: FlaskClient, q: str) -> None:
    words = EXAMPLES[q]
    needs = _api(client, "/needs", q=q, per_page=3)["items"]
    assert any(any(w in f"{n['title']} {n['description']}" for w in words) for n in needs), needs
    providers = _ids(client, "/providers", q=q, per_page=3)
    assert providers and any(any(w in _provider_text(client, p) for w in words) for p in providers)
    page = client.get("/providers/", query_string={"q": q}).get_data(as_text=True)
    assert "共 0 条" not in page and "<mark>" in page


def test_the_injection_moulding_example_finds_the_moulding_need_and_experts(client: FlaskClient) -> None:
    # The demo features 注塑件翘曲变形 needs and providers (market/demo/vocab_featured.py).
    needs = _api(client, "/needs", q="注塑件翘曲变形", per_page=2)["items"]
    assert needs and all("注塑" in n["title"] and "翘曲" in n["title"] for n in needs), needs
    (provider,) = _ids(client, "/providers", q="注塑件翘曲变形", per_page=1)
    assert "注塑" in _provider_text(client, provider)
    everywhere = _api(client, "/search", q="注塑 翘曲", per_kind=1)["results"]
    assert "<mark>注塑</mark>" in everywhere["needs"]["items"][0]["title_marked"]


def test_typed_noise_finds_nothing_and_the_page_helps(client: FlaskClient) -> None:
    body = _api(client, "/providers", q="xyzzy qwrtp")
    assert body["total"] == 0 and set(body["search"]["elsewhere"]) == {"needs", "services"}
    page = client.get("/providers/", query_string={"q": "xyzzy qwrtp"}).get_data(as_text=True)
    assert 'data-testid="search-help"' in page and 'data-testid="help-post-need"' in page
    assert 'data-testid="elsewhere-needs"' in page and 'href="/needs/?q=xyzzy+qwrtp"' in page


def test_zero_results_suggest_the_closest_known_terms(client: FlaskClient) -> None:
    body = _api(client, "/providers", q="翘区", field="agri")
    assert body["total"] == 0
    # Dropping the field filter is offered with the count it gives.
    (relax,) = body["search"]["relaxations"]
    assert relax["key"] == "field" and relax["count"] == _api(client, "/providers", q="翘区")["total"] > 0
    assert "翘曲" in body["search"]["suggestions"][:2]
    page = client.get("/providers/", query_string={"q": "翘区", "field": "agri"}).get_data(as_text=True)
    assert 'data-testid="search-relax"' in page and 'data-testid="suggestion"' in page


def test_latin_typos_are_corrected_and_the_exact_words_stay_one_click_away(client: FlaskClient) -> None:
    corrected = _api(client, "/providers", q="MEMZ")
    assert corrected["search"]["corrections"] == {"memz": "mems"} and corrected["total"] > 0
    assert "mems" in _provider_text(client, corrected["items"][0]["id"]).lower()
    page = client.get("/providers/", query_string={"q": "MEMZ"}).get_data(as_text=True)
    assert 'data-testid="query-corrected"' in page and "exact=1" in page
    assert _api(client, "/providers", q="MEMZ", exact="1")["search"]["corrections"] == {}


def test_full_width_and_mixed_language_queries_match_their_half_width_form(client: FlaskClient) -> None:
    assert _ids(client, "/providers", q="ＩＧＢＴ　模块") == _ids(client, "/providers", q="IGBT 模块")
    assert _ids(client, "/providers", q="ＩＧＢＴ 模块")
    body = _api(client, "/providers", q="ＩＧＢＴ模块 封装")
    assert body["search"]["query"] == "IGBT模块 封装" and body["total"] > 0


def test_a_pasted_paragraph_is_cut_on_a_word_boundary_and_the_page_says_so(client: FlaskClient) -> None:
    paragraph = "我们是一家注塑件生产企业，产品脱模后出现明显翘曲变形，影响装配尺寸，" * 30
    body = _api(client, "/providers", q=paragraph, per_page=5)
    assert body["search"]["cut"] and len(body["search"]["query"]) <= 500 and body["total"] > 0
    page = client.get("/providers/", query_string={"q": paragraph}).get_data(as_text=True)
    assert 'data-testid="query-cut"' in page


@pytest.mark.parametrize(("path", "q"), [("/needs", "电池"), ("/providers", "电池"), ("/services", "检测")])
def test_facet_counts_equal_the_filtered_result_counts(client: FlaskClient, path: str, q: str) -> None:
    body = _api(client, path, q=q, per_page=1)
    checked = 0
    for facet in body["search"]["facets"]:
        for value in facet["values"]:
            code = "1" if facet["key"] in ("open_call", "available") else value["code"]
            filtered = _api(client, path, q=q, per_page=1, **{facet["key"]: code})
            assert filtered["total"] == value["count"], (facet["key"], value)
            checked += 1
    assert checked >= 5


def test_two_filters_narrow_and_each_facet_counts_within_the_other(client: FlaskClient) -> None:
    base = _api(client, "/needs", q="电池 材料", per_page=1)
    mode = max(
        next(f for f in base["search"]["facets"] if f["key"] == "mode")["values"], key=lambda v: v["count"]
    )
    narrowed = _api(client, "/needs", q="电池 材料", mode=mode["code"], per_page=1)
    assert narrowed["total"] == mode["count"]
    for value in next(f for f in narrowed["search"]["facets"] if f["key"] == "province")["values"]:
        both = _api(client, "/needs", q="电池 材料", mode=mode["code"], province=value["code"], per_page=1)
        assert both["total"] == value["count"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "deadline", "budget"])
def test_pages_continue_each_other_under_every_sort(client: FlaskClient, sort: str) -> None:
    whole = _ids(client, "/needs", q="电池 检测 材料", sort=sort, per_page=100)
    assert len(whole) > 6
    pages = [_ids(client, "/needs", q="电池 检测 材料", sort=sort, per_page=4, page=n) for n in range(1, 30)]
    joined = [i for page in pages for i in page]
    assert joined == whole and len(set(joined)) == len(joined)


def test_sorts_order_by_what_they_name(client: FlaskClient) -> None:
    items = _api(client, "/needs", q="电池 检测 材料", sort="deadline", per_page=100)["items"]
    deadlines = [i["deadline"] for i in items if i["deadline"]]
    assert deadlines == sorted(deadlines)
    items = _api(client, "/needs", q="电池 检测 材料", sort="newest", per_page=100)["items"]
    approved = [i["approved_at"] for i in items]
    assert approved == sorted(approved, reverse=True)
    items = _api(client, "/needs", q="电池 检测 材料", sort="budget", per_page=100)["items"]
    budgets = [i["budget_max"] if i["budget_max"] is not None else i["budget_min"] for i in items]
    known = [b for b in budgets if b is not None]
    assert known == sorted(known, reverse=True)
    assert _api(client, "/providers", q="电池", sort="rating")["search"]["sort"] == "rating"


@pytest.mark.parametrize(
    ("page", "api", "args"),
    [
        ("/needs/", "/needs", {"q": "电池", "per_page": 2, "page": 2}),
        ("/providers/", "/providers", {"q": "锂电池热失控预警", "kind": "expert"}),
        ("/services/", "/services", {"q": "污泥", "sort": "newest"}),
        ("/needs/", "/needs", {"field": "ev", "sort": "budget"}),
    ],
)
def test_the_api_lists_what_the_page_shows(
    client: FlaskClient, page: str, api: str, args: dict[str, Any]
) -> None:
    html = client.get(page, query_string=args).get_data(as_text=True)
    body = _api(client, api, **args)
    if api == "/services":
        shown = [int(i) for i in re.findall(r'data-testid="service-item" data-id="(\d+)"', html)]
    else:
        shown = [int(i) for i in re.findall(rf'href="{page}(\d+)" data-testid="result-title"', html)]
    # The page shows the results, then any weaker matches after them; the API gives both, apart.
    listed = [item["id"] for item in body["items"]] + [item["id"] for item in body.get("weaker", [])]
    assert shown == listed and shown
    assert f"共 {body['total']} 条" in html


def test_matched_terms_are_marked_in_titles_and_snippets(client: FlaskClient) -> None:
    html = client.get("/providers/", query_string={"q": "锂电池热失控预警"}).get_data(as_text=True)
    assert re.search(r'data-testid="result-snippet">[^<]*(…)?[^<]*<mark>', html)
    assert 'data-testid="best-passage"' in html


def test_elasticsearch_down_falls_back_to_the_embedded_index_with_the_notice(
    app: Flask, client: FlaskClient
) -> None:
    expected = _ids(client, "/providers", q="锂电池热失控预警")
    app.config["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"  # nothing listens there
    try:
        body = _api(client, "/providers", q="锂电池热失控预警")
        assert [item["id"] for item in body["items"]] == expected
        assert "备用索引" in body["search"]["notice"]
        assert "备用索引" in client.get("/providers/", query_string={"q": "电池"}).get_data(as_text=True)
    finally:
        app.config["ELASTICSEARCH_URL"] = ""
        engine.forget_open_indexes()


# ---- weaker matches: after a short ranked list, the next-best hits below the cut, not counted ----------
# (market/search/services.py, `_weaker`). Plain-language problems of a few words are the queries whose
# relevant postings the cut leaves out (docs/search.md, "Ranking quality").

# Short problems as people type them; the tests use those whose counted list is short.
SHORT_PROBLEMS = (
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
    found = [(q, _api(client, path, q=q, per_page=20)) for q in SHORT_PROBLEMS]
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
        # Not in the facets either: each posting has one region, and the region counts add up to the total.
        regions = next(f for f in body["search"]["facets"] if f["key"] == "province")
        assert sum(v["count"] for v in regions["values"]) == body["total"], q


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
