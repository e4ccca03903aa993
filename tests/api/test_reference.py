"""Reference data endpoints."""

from __future__ import annotations

from market import taxonomy
from tests.api.conftest import Api


def test_fields(api: Api) -> None:
    body = api.get("/fields").get_json()
    assert [f["code"] for f in body["items"]] == list(taxonomy.codes(taxonomy.FIELDS))
    assert body["total"] == len(taxonomy.FIELDS) and body["items"][0]["name_zh"] == "新材料"


def test_regions(api: Api) -> None:
    body = api.get("/regions").get_json()
    codes = {r["code"] for r in body["items"]}
    assert {"32", "3201", "11"} <= codes
    cities = api.get("/regions", query={"parent": "15"}).get_json()["items"]
    assert {c["code"] for c in cities} == {c.code for c in taxonomy.CITIES["15"]}
    assert all(c["parent_code"] == "15" for c in cities)
    assert api.get("/regions", query={"parent": "\x00"}).status_code == 200
    assert api.get("/regions", query={"parent": "99"}).get_json()["items"] == []
