"""The no-query lists keep their facet counts and totals per process until a posting changes (issue 16).

Postings change the way people change them (a broker approves on the review page, an owner withdraws
on the posting's page); the very next list request, in this app or in a second app on the same
database (a second worker), shows the new counts, and they stay exact.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.db import db
from market.needs.models import Need
from market.providers.models import Provider
from market.search import list_cache
from tests.factories import APPROVED, login
from tests.search.statements import statements


def _list(client: FlaskClient, path: str, **args: Any) -> tuple[int, dict[str, dict[str, int]]]:
    response = client.get(f"/api/v1{path}", query_string={"per_page": 1, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    facets = {f["key"]: {v["code"]: v["count"] for v in f["values"]} for f in body["search"]["facets"]}
    return body["total"], facets


def _kept(app: Flask, client: FlaskClient, path: str, **args: Any) -> tuple[int, dict[str, dict[str, int]]]:
    """The list twice: the second answer is the first, without counting again (the cache holds it)."""
    with statements(app) as first:
        listed = _list(client, path, **args)
    with statements(app) as again:
        assert _list(client, path, **args) == listed
    counting = [statement for statement in first if "count(" in statement.lower()]
    assert counting and not [statement for statement in again if "count(" in statement.lower()], again
    return listed


@pytest.fixture
def market(app: Flask, make: Any) -> dict[str, int]:
    owner = make.user("enterprise")
    for field_code in ("ev", "ev", "agri"):
        make.need(owner, status=APPROVED, field_code=field_code, province="32")
    pending = make.need(owner, status="pending", field_code="agri", province="32")
    broker = make.user("broker", regions=("32",))
    return {"owner": owner, "pending": pending, "broker": broker}


@pytest.fixture
def second_worker(app: Flask) -> Flask:
    """Another app on the same database, as another gunicorn worker would be."""
    from market import create_app

    return create_app({**app.config, "SERVER_NAME": None})


def test_counts_are_kept_and_exact(app: Flask, market: dict[str, int]) -> None:
    client = app.test_client()
    total, facets = _kept(app, client, "/needs")
    assert total == 3 and facets["field"] == {"ev": 2, "agri": 1}
    for code, count in facets["field"].items():  # each value's count is what its link lists
        assert _list(client, "/needs", field=code)[0] == count


def test_an_approval_shows_in_the_very_next_list(app: Flask, make: Any, market: dict[str, int]) -> None:
    client = app.test_client()
    assert _kept(app, client, "/needs")[1]["field"] == {"ev": 2, "agri": 1}
    assert _kept(app, client, "/needs", field="agri")[0] == 1
    broker = login(app.test_client(), market["broker"])
    assert broker.post(f"/review/need/{market['pending']}/approve").status_code == 302
    total, facets = _list(client, "/needs")
    assert total == 4 and facets["field"] == {"ev": 2, "agri": 2}
    assert _list(client, "/needs", field="agri")[0] == 2


def test_a_withdrawal_shows_in_the_very_next_list(app: Flask, make: Any, market: dict[str, int]) -> None:
    client = app.test_client()
    ev_need = make.need(market["owner"], status=APPROVED, field_code="ev", province="32")
    assert _kept(app, client, "/needs")[1]["field"] == {"ev": 3, "agri": 1}
    owner = login(app.test_client(), market["owner"])
    assert owner.post(f"/needs/{ev_need}/withdraw").status_code == 302
    total, facets = _list(client, "/needs")
    assert total == 3 and facets["field"] == {"ev": 2, "agri": 1}
    assert _list(client, "/needs", field="ev")[0] == 2


def test_a_second_worker_sees_the_change(app: Flask, second_worker: Flask, market: dict[str, int]) -> None:
    here, there = app.test_client(), second_worker.test_client()
    assert _kept(app, here, "/needs")[0] == 3
    # The second worker takes the counts the first one made (the host's shared file), without counting.
    with statements(second_worker) as taken:
        assert _list(there, "/needs") == _list(here, "/needs")
    assert not [statement for statement in taken if "count(" in statement.lower()], taken
    broker = login(app.test_client(), market["broker"])
    assert broker.post(f"/review/need/{market['pending']}/approve").status_code == 302
    assert _list(there, "/needs")[1]["field"] == {"ev": 2, "agri": 2}
    assert _list(here, "/needs")[0] == 4


def test_a_provider_change_shows_in_providers_and_services(app: Flask, make: Any) -> None:
    user = make.user("provider")
    provider_id = make.provider_id_of(user)
    make.service(provider_id)
    with app.app_context():
        provider = db.session.get(Provider, provider_id)
        assert provider is not None
        provider.province, provider.status = "32", "pending"
        db.session.commit()
    client = app.test_client()
    assert _kept(app, client, "/providers")[0] == 0 and _kept(app, client, "/services")[0] == 0
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    assert broker.post(f"/review/provider/{provider_id}/approve").status_code == 302
    assert _kept(app, client, "/providers")[1]["province"] == {"32": 1}
    assert _kept(app, client, "/services")[0] == 1
    # The owner withdraws the profile: both lists drop it at once.
    assert login(app.test_client(), user).post("/me/profile/withdraw").status_code == 302
    assert _list(client, "/providers")[0] == 0 and _list(client, "/services")[0] == 0


def test_a_rolled_back_change_keeps_the_stamp(app: Flask, market: dict[str, int]) -> None:
    with app.app_context():
        before = list_cache.stamp(list_cache.NEEDS)
        assert before is not None
        need = db.session.get(Need, market["pending"])
        assert need is not None
        need.title = "改了又撤回"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
        assert list_cache.stamp(list_cache.NEEDS) == before
