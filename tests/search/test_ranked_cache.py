"""A repeated search keeps what it read from the database about its ranked set (issue 16).

Which of the index's candidates are public, their dates and budgets, and the ranked set's facet
counts are kept per process while the postings stay the same (market/search/list_cache.py); a
repeated query runs none of those reads again. What must not be kept is checked the way people cause
it: an approval, a withdrawal or a profile edit shows in the very next request, in this app and in a
second app on the same database (another worker), and ratings, which change without a posting
changing, are read on every request that sorts by them.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.db import commit, db
from market.providers.models import Provider
from tests.factories import APPROVED, login
from tests.orders.world import build_world
from tests.search.statements import statements

TITLE = "注塑件脱模后翘曲变形严重"
DESCRIPTION = "注塑车间生产的PP外壳在脱模后出现明显翘曲变形，尺寸超差，需要模流分析和工艺优化。"
COLD = "冷库压缩机能耗高，夜间电费贵。"
EXPERTISE = "注塑成型工艺与模流分析，解决注塑件翘曲变形、缩痕和尺寸超差。"


def _search(client: FlaskClient, path: str, **args: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1{path}", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def _names(body: dict[str, Any]) -> list[str]:
    return [item.get("title") or item.get("name") for item in body["items"]]


def _ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


def _facets(body: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {f["key"]: {v["code"]: v["count"] for v in f["values"]} for f in body["search"]["facets"]}


def _reads_candidates(statements: list[str], table: str) -> bool:
    """Whether the candidates' visibility was read: the ranked set's ids and dates looked up in
    `table` (the page's own rows are read by id too, on every request)."""
    return any(
        " ".join(s.lower().split()).startswith(f"select {table}.id, {table}.approved_at") for s in statements
    )


@pytest.fixture
def postings(app: Flask, make: Any, synced: None) -> dict[str, Any]:
    """Three needs alike but for their region, two approved and one pending, two unrelated approved
    needs, two approved experts: all indexed as they were approved."""
    owner = make.user("enterprise")
    needs = [
        make.need(
            owner, status="pending", title=TITLE, description=DESCRIPTION, field_code="ev", province="32"
        ),
        make.need(owner, status="pending", title=TITLE, description=DESCRIPTION, province="44"),
    ]
    pending = make.need(owner, status="pending", title=TITLE, description=DESCRIPTION, province="11")
    broker = login(app.test_client(), make.user("broker", regions=("32", "44", "11")))
    for need_id in needs:
        assert broker.post(f"/review/need/{need_id}/approve").status_code == 302
    experts = []
    for name in ("甲", "乙"):
        user = make.user("provider")
        provider_id = make.provider_id_of(user)
        with app.app_context():
            provider = db.session.get(Provider, provider_id)
            assert provider is not None
            provider.name, provider.expertise, provider.status = f"注塑专家{name}", EXPERTISE, APPROVED
            commit()  # the one commit point, where the index sync runs
        experts.append((user, provider_id))
    return {"owner": owner, "needs": needs, "pending": pending, "experts": experts, "broker": broker}


def test_a_repeated_search_reads_its_ranked_set_once(app: Flask, postings: dict[str, Any]) -> None:
    client = app.test_client()
    with statements(app) as first:
        body = _search(client, "/needs", q="注塑件翘曲变形")
    assert _reads_candidates(first, "needs")
    with statements(app) as again:
        assert _search(client, "/needs", q="注塑件翘曲变形") == body
    assert not _reads_candidates(again, "needs"), again
    assert body["total"] == 2 and _facets(body)["province"] == {"32": 1, "44": 1}
    # A facet of the kept set is counted on it too, and equals what its link lists.
    narrowed = _search(client, "/needs", q="注塑件翘曲变形", province="32")
    assert narrowed["total"] == 1 and _ids(narrowed) == [postings["needs"][0]]


def test_approval_and_withdrawal_show_in_the_next_repeated_search(
    app: Flask, make: Any, postings: dict[str, Any]
) -> None:
    from market import create_app

    here = app.test_client()
    there = create_app({**app.config, "SERVER_NAME": None}).test_client()  # a second worker
    for client in (here, there):
        assert _search(client, "/needs", q="注塑件翘曲变形")["total"] == 2
        _search(client, "/needs", q="注塑件翘曲变形")  # kept now
    assert postings["broker"].post(f"/review/need/{postings['pending']}/approve").status_code == 302
    for client in (here, there):
        body = _search(client, "/needs", q="注塑件翘曲变形")
        assert body["total"] == 3 and postings["pending"] in _ids(body)
    owner = login(app.test_client(), postings["owner"])
    assert owner.post(f"/needs/{postings['needs'][0]}/withdraw").status_code == 302
    for client in (here, there):
        body = _search(client, "/needs", q="注塑件翘曲变形")
        assert body["total"] == 2 and postings["needs"][0] not in _ids(body)
        assert _facets(body)["province"] == {"44": 1, "11": 1}


@pytest.mark.parametrize("path", ["/needs", "/providers"])
def test_a_second_worker_takes_the_ranked_set_the_first_one_read(
    app: Flask, postings: dict[str, Any], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn sends page 2, or the next visitor's same query, to whichever worker is free: that
    worker takes the ranking and the ranked set's facts from the host's shared files instead of
    ranking and reading them again (indexer/shared_cache.py)."""
    from indexer.backends.embedded import EmbeddedIndex
    from indexer.backends.hits import PackedHits
    from market import create_app
    from market.matching import engine

    body = _search(app.test_client(), path, q="注塑件翘曲变形")
    assert body["total"] >= 1, body
    second = create_app({**app.config, "SERVER_NAME": None})
    monkeypatch.setattr(engine, "_indexes", {})  # another worker process: its own open indexes
    ranked: list[object] = []
    monkeypatch.setattr(
        EmbeddedIndex, "ranked_for_vector", lambda *args: ranked.append(args) or PackedHits.empty()
    )
    with statements(second) as taken:
        assert _search(second.test_client(), path, q="注塑件翘曲变形") == body
    assert ranked == []
    table = "needs" if path == "/needs" else "providers"
    assert not _reads_candidates(taken, table), taken


def test_a_provider_withdrawal_leaves_the_kept_provider_list(app: Flask, postings: dict[str, Any]) -> None:
    client = app.test_client()
    assert len(_names(_search(client, "/providers", q="注塑翘曲变形"))) == 2
    with statements(app) as again:
        assert len(_names(_search(client, "/providers", q="注塑翘曲变形"))) == 2
    assert not _reads_candidates(again, "providers"), again
    user, _provider_id = postings["experts"][0]
    assert login(app.test_client(), user).post("/me/profile/withdraw").status_code == 302
    assert _names(_search(client, "/providers", q="注塑翘曲变形")) == ["注塑专家乙"]


@pytest.mark.usefixtures("synced")
def test_the_rating_sort_reads_ratings_on_every_request(app: Flask, make: Any) -> None:
    """A review changes no posting, so the kept ranked set cannot carry ratings: a deal rated through
    the order flow reorders the 评分 sort at the next request."""
    world = build_world(app, make)
    for provider_id, name in ((world.provider_id, "注塑专家甲"), (world.other_provider_id, "注塑专家乙")):
        with app.app_context():
            provider = db.session.get(Provider, provider_id)
            assert provider is not None
            provider.name, provider.expertise = name, EXPERTISE
            commit()
    client = app.test_client()
    # Equal texts, no ratings yet: the tie goes to the newer profile.
    assert _names(_search(client, "/providers", q="注塑翘曲变形", sort="rating")) == [
        "注塑专家乙",
        "注塑专家甲",
    ]
    world.order("reviewed")  # 甲's deal is delivered and rated 4
    assert _names(_search(client, "/providers", q="注塑翘曲变形", sort="rating")) == [
        "注塑专家甲",
        "注塑专家乙",
    ]


def test_a_withdrawal_the_index_missed_still_leaves_the_kept_list(
    app: Flask, postings: dict[str, Any]
) -> None:
    """The index can lag the database (an update that failed, a queue): its hits are then the same
    objects as before, so only the postings' stamp tells the kept set is stale."""
    client = app.test_client()
    assert _search(client, "/needs", q="注塑件翘曲变形")["total"] == 2
    app.config["INDEX_SYNC"] = False  # the index keeps the need the owner withdraws
    owner = login(app.test_client(), postings["owner"])
    assert owner.post(f"/needs/{postings['needs'][0]}/withdraw").status_code == 302
    body = _search(client, "/needs", q="注塑件翘曲变形")
    assert body["total"] == 1 and _ids(body) == [postings["needs"][1]]
    assert _facets(body)["province"] == {"44": 1}


def test_a_change_drops_the_ranked_sets_of_older_stamps(app: Flask, postings: dict[str, Any]) -> None:
    """Sets kept under an older stamp can never be read again: the first request after a change
    drops them."""
    client = app.test_client()
    _search(client, "/needs", q="注塑件翘曲变形")
    kept = len(app.extensions["list_derived_cache"])
    assert kept
    assert postings["broker"].post(f"/review/need/{postings['pending']}/approve").status_code == 302
    _search(client, "/needs", q="注塑件翘曲变形")
    assert len(app.extensions["list_derived_cache"]) == kept


def test_kept_ranked_sets_are_plain_values(app: Flask, postings: dict[str, Any]) -> None:
    """Every full collection of the garbage collector walks each object it tracks; kept as objects,
    a worker's ranked sets made those pauses last 0.5 s at 100,000 providers. They are kept as tuples
    of strings, numbers and dates, which the collector stops tracking, and still answer correctly."""
    client = app.test_client()
    for path in ("/needs", "/providers", "/services"):
        _search(client, path, q="注塑件翘曲变形")
    for _level in range(4):  # a tuple is untracked once its items are: one level per collection
        gc.collect()
    kept = [value for key, value in app.extensions["list_derived_cache"].items() if key[2][0] == "candidates"]
    assert len(kept) == 3 and sum(len(rows) for rows, _attrs in kept) >= 3
    assert not [rows for rows, _attrs in kept if gc.is_tracked(rows)]
    assert not [values for _rows, attrs in kept for values in attrs if gc.is_tracked(values)]
    with statements(app) as seen:
        body = _search(client, "/needs", q="注塑件翘曲变形", province="44")
    assert not _reads_candidates(seen, "needs")
    assert body["total"] == 1 and _ids(body) == [postings["needs"][1]]


def test_the_services_list_takes_the_providers_list_s_ranked_set(
    app: Flask, make: Any, postings: dict[str, Any]
) -> None:
    """The services list ranks providers: after the providers list of the same query, it reads no
    provider's visibility again, and lists the same services as when it is asked first."""
    _user, provider_id = postings["experts"][0]
    make.service(provider_id, title="注塑件翘曲变形分析与模流优化服务")
    services_first = _search(app.test_client(), "/services", q="注塑件翘曲变形")
    assert _names(services_first) == ["注塑件翘曲变形分析与模流优化服务"]

    from market import create_app

    other = create_app({**app.config, "SERVER_NAME": None})  # a second worker, its own kept sets
    client = other.test_client()
    _search(client, "/providers", q="注塑 翘曲变形")
    with statements(other) as taken:
        services_after = _search(client, "/services", q="注塑 翘曲变形")
    assert not _reads_candidates(taken, "providers"), taken
    assert _names(services_after) == _names(services_first)
