"""Export → wipe → import gives back the same needs and providers, in CSV and in .xlsx."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from market.db import db
from market.demo.load import load_demo
from market.imports.reading import read_table
from market.needs.models import Need
from market.providers.models import Achievement, Provider, ServiceItem, provider_fields
from tests.factories import login


def _wipe(app: Flask) -> None:
    """Delete every posting, and first what the demo's order history hangs on them."""
    from market.matching.models import MatchFeedback
    from market.orders.models import AuditLog, Deal, FollowUp, Notification, Order, Proposal, Review

    with app.app_context():
        for table in (
            *(m.__table__ for m in (Notification, FollowUp, AuditLog, Review, Deal, Order, Proposal)),
            MatchFeedback.__table__,
            ServiceItem.__table__,
            Achievement.__table__,
            provider_fields,
            Need.__table__,
            Provider.__table__,
        ):
            db.session.execute(delete(table))
        db.session.commit()


def _import(client: FlaskClient, kind: str, data: bytes, name: str) -> None:
    response = client.post(
        f"/imports/{kind}",
        data={"file": (io.BytesIO(data), name), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    while (
        state := client.post(
            f"/imports/batch/{batch_id}/step", headers={"Accept": "application/json"}
        ).get_json()
    )["status"] == "validating":
        pass
    if state["status"] != "ready":
        page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
        raise AssertionError(page[page.find("row-errors") :][:2000])
    assert client.post(f"/imports/batch/{batch_id}/commit").status_code == 302


def _rows(data: bytes, kind: str, name: str) -> list[dict[str, str]]:
    return [row for _line, row in read_table(data, kind, name).rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_wipe_import_round_trip(app: Flask, make, fmt: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        load_demo(seed=3, n_providers=25, n_needs=15)
        db.session.commit()
        counts = (
            db.session.scalar(select(func.count()).select_from(Need)),
            db.session.scalar(select(func.count()).select_from(Provider)),
            db.session.scalar(select(func.count()).select_from(Achievement)),
            db.session.scalar(select(func.count()).select_from(ServiceItem)),
        )
    client = login(app.test_client(), make.user("admin"))
    exported = {kind: client.get(f"/imports/export/{kind}.{fmt}").data for kind in ("needs", "providers")}
    _wipe(app)
    for kind in ("needs", "providers"):
        _import(client, kind, exported[kind], f"{kind}.{fmt}")
    with app.app_context():
        assert counts == (
            db.session.scalar(select(func.count()).select_from(Need)),
            db.session.scalar(select(func.count()).select_from(Provider)),
            db.session.scalar(select(func.count()).select_from(Achievement)),
            db.session.scalar(select(func.count()).select_from(ServiceItem)),
        )
    for kind in ("needs", "providers"):
        again = client.get(f"/imports/export/{kind}.{fmt}").data
        assert _rows(again, kind, f"x.{fmt}") == _rows(exported[kind], kind, f"x.{fmt}")


def test_broker_exports_only_their_provinces(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    make.need(owner, province="32", status="approved")
    make.need(owner, province="33", status="approved", title="浙江的一个技术需求标题")
    client = login(app.test_client(), make.user("broker", regions=("32",)))
    rows = _rows(client.get("/imports/export/needs.csv").data, "needs", "x.csv")
    assert [row["province"] for row in rows] == ["江苏省"]
