"""Sub-fields in import files: read by code or name (within the row's field), written by name, and an
export imported again gives back the same sub-fields."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from market.db import db
from market.needs.models import Need
from market.providers.models import Achievement, Provider, ServiceItem, provider_fields, provider_subfields
from market.reference.models import Field, SubField
from tests.factories import APPROVED, login
from tests.imports.helpers import need_row, provider_rows
from tests.imports.test_roundtrip import _import, _rows
from tests.imports.test_validate import _check


def test_sub_fields_resolve_by_code_or_name_and_must_belong_to_the_row_field(app: Flask, make: Any) -> None:
    admin = make.user("admin")
    rows = [
        need_row(**{"细分领域": "注塑成型"}),
        need_row(**{"细分领域": "manufacturing-injection"}),
        need_row(**{"细分领域": "Injection moulding"}),
        need_row(**{"细分领域": "高分子材料"}),  # a sub-field of 新材料, not of this row's field
        need_row(**{"细分领域": "materials-polymer"}),
        need_row(),
    ]
    valid, errors = _check(app, admin, "needs", rows)
    assert [v.values["subfield_code"] for v in valid] == ["manufacturing-injection"] * 3 + [None]
    assert {(e.row, e.column) for e in errors} == {(5, "细分领域"), (6, "细分领域")}
    providers = provider_rows()
    providers[0]["细分领域"] = "精密加工；CAD/CAE 设计仿真"  # the second is of a field the row lacks
    _valid, errors = _check(app, admin, "providers", providers)
    assert [(e.column, "CAD/CAE 设计仿真" in e.message) for e in errors] == [("细分领域", True)]
    providers[0]["细分领域"] = "精密加工；复合材料"
    valid, errors = _check(app, admin, "providers", providers)
    assert errors == []
    assert valid[0].values["subfield_codes"] == ["manufacturing-precision", "materials-composite"]


def _wipe_postings(app: Flask) -> None:
    with app.app_context():
        for table in (
            ServiceItem.__table__,
            Achievement.__table__,
            provider_subfields,
            provider_fields,
            Need.__table__,
            Provider.__table__,
        ):
            db.session.execute(delete(table))
        db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_and_import_again_keeps_sub_fields(app: Flask, make: Any, fmt: str) -> None:
    owner = make.user("enterprise")
    make.need(owner, status=APPROVED, field_code="manufacturing", subfield_code="manufacturing-injection")
    make.need(owner, status=APPROVED, field_code="materials", title="没有细分领域的新材料需求")
    provider_id = make.provider_id_of(make.user("provider"))
    with app.app_context():
        provider = db.session.get(Provider, provider_id)
        provider.expertise = "二十年注塑模具设计与成型工艺优化经验，擅长汽车内饰件缩痕翘曲问题。"
        provider.fields = [db.session.get(Field, "manufacturing"), db.session.get(Field, "ev")]
        provider.subfields = [db.session.get(SubField, c) for c in ("manufacturing-injection", "ev-bms")]
        db.session.commit()
    client = login(app.test_client(), make.user("admin"))
    exported = {kind: client.get(f"/imports/export/{kind}.{fmt}").data for kind in ("needs", "providers")}
    assert {r["subfield_code"] for r in _rows(exported["needs"], "needs", f"x.{fmt}")} == {"注塑成型", ""}
    _wipe_postings(app)
    for kind in ("needs", "providers"):
        _import(client, kind, exported[kind], f"{kind}.{fmt}")
    with app.app_context():
        assert sorted(db.session.scalars(select(Need.subfield_code)), key=lambda c: c or "") == [
            None,
            "manufacturing-injection",
        ]
        imported = db.session.scalars(select(Provider)).one()
        assert sorted(imported.subfield_codes) == ["ev-bms", "manufacturing-injection"]
    for kind in ("needs", "providers"):
        again = client.get(f"/imports/export/{kind}.{fmt}").data
        assert _rows(again, kind, f"x.{fmt}") == _rows(exported[kind], kind, f"x.{fmt}")
