"""Facet counts of the lists without a query (newest first): each value's count is the total its link gives.

Small data written with the factories (no index needed: without `q` the lists are the database's);
every value of every facet is followed, on its own and combined with one other filter, through the
API, and the page shows the same counts.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.db import db
from market.providers.models import Provider, ServiceItem
from market.reference.models import Field, SubField
from tests.factories import APPROVED

FLAG_KEYS = ("open_call", "available")


@pytest.fixture
def listed(app: Flask, make: Any) -> None:
    """Needs, providers and services spread over fields, regions, modes, budgets and flags."""
    owner = make.user("enterprise")
    shapes = [
        ("ev", "32", "develop", 5, 8, True),
        ("ev", "31", "transfer", None, 40, False),
        ("agri", "32", "develop", 60, None, False),
        ("water", "44", "consult", None, None, True),
        ("agri", "31", "develop", 100, 300, False),
    ]
    for n, (field_code, province, mode, low, high, open_call) in enumerate(shapes):
        make.need(
            owner,
            status=APPROVED,
            field_code=field_code,
            subfield_code="ev-battery" if n == 0 else None,
            province=province,
            cooperation_mode=mode,
            budget_min=low,
            budget_max=high,
            is_open_call=open_call,
        )
    make.need(owner, status="pending", field_code="water", province="44")  # not public: never counted
    for n, (province, kind, available, fields) in enumerate(
        [("32", "expert", True, ("ev",)), ("31", "team", False, ("ev", "agri")), ("44", "expert", True, ())]
    ):
        provider_id = make.provider_id_of(make.user("provider", provider_kind=kind))
        with app.app_context():
            provider = db.session.get(Provider, provider_id)
            provider.province, provider.available, provider.status = province, available, APPROVED
            provider.fields = [db.session.get(Field, code) for code in fields]
            provider.subfields = [db.session.get(SubField, "ev-battery")] if "ev" in fields else []
            db.session.commit()
        make.service(provider_id, title=f"服务{n}")
        with app.app_context():
            db.session.add(
                ServiceItem(
                    provider_id=provider_id,
                    category="testing",
                    title=f"检测{n}",
                    description="检测服务",
                    delivery_mode="online",
                    price_note="面议",
                )
            )
            db.session.commit()


def _api(client: FlaskClient, path: str, **args: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1{path}", query_string={"per_page": 1, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def _arg(key: str, code: str) -> str:
    return "1" if key in FLAG_KEYS else code


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize("path", ["/needs", "/providers", "/services"])
def test_without_a_query_each_facet_value_counts_what_its_link_lists(app: Flask, path: str) -> None:
    client = app.test_client()
    body = _api(client, path)
    assert body["search"]["query"] == "" and body["search"]["sort"] == "newest"
    facets = body["search"]["facets"]
    assert facets and {f["key"] for f in facets} >= {"field", "province"}
    if path != "/services":
        assert {f["key"] for f in facets} >= {"subfield"}
    checked = 0
    for facet in facets:
        for value in facet["values"]:
            filters = {facet["key"]: _arg(facet["key"], value["code"])}
            narrowed = _api(client, path, **filters)
            assert narrowed["total"] == value["count"], (facet["key"], value)
            # Each other facet is counted within this filter.
            for other in narrowed["search"]["facets"]:
                if other["key"] == facet["key"]:
                    continue
                for inner in other["values"][:2]:
                    both = _api(client, path, **filters, **{other["key"]: _arg(other["key"], inner["code"])})
                    assert both["total"] == inner["count"], (filters, other["key"], inner)
            checked += 1
    assert checked >= 5
    # The page shows the same counts.
    html = client.get(path + "/").get_data(as_text=True)
    shown = re.findall(r'data-code="([^"]*)" data-count="(\d+)"', html)
    api = [(v["code"], str(v["count"])) for f in facets for v in f["values"][:12]]
    assert shown == api


@pytest.mark.usefixtures("listed")
def test_facet_counts_follow_the_filters_and_the_budget_ranges(app: Flask) -> None:
    client = app.test_client()
    facets = {f["key"]: f for f in _api(client, "/needs", province="32")["search"]["facets"]}
    budgets = {v["code"]: v["count"] for v in facets["budget"]["values"]}
    assert budgets == {"lt10": 1, "50-200": 1}  # 8 万元 and 60 万元 (open-ended: its lower budget)
    assert {v["code"]: v["count"] for v in facets["field"]["values"]} == {"ev": 1, "agri": 1}
    # The selected province stays listed with its count; the pending need is counted nowhere.
    provinces = {v["code"]: (v["count"], v["selected"]) for v in facets["province"]["values"]}
    assert provinces == {"32": (2, True), "31": (2, False), "44": (1, False)}
    assert _api(client, "/needs")["total"] == 5
