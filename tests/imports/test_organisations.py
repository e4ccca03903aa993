"""Which enterprise an imported need belongs to (issue 12, point 5).

A broker of 华东 imported a CSV naming an enterprise registered in 海南: the need was published as that
enterprise's and showed in its 我的需求. A name now matches an existing enterprise only inside the
importing broker's provinces (anywhere for an admin); otherwise a new organisation is created.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from market.auth.models import Organisation, OrgKind, User
from market.db import db
from market.needs.models import Need
from market.needs.services import organisation_needs_query
from tests.factories import login
from tests.imports.helpers import csv_bytes, need_row

HAINAN = "海南椰林热带农业科技有限公司"
JIANGSU = "苏州测试精密制造有限公司"


def _enterprise(app: Flask, name: str, province: str) -> int:
    with app.app_context():
        organisation = Organisation(name=name, kind=OrgKind.ENTERPRISE.value, province=province)
        db.session.add(organisation)
        db.session.commit()
        return organisation.id


def _import(client: FlaskClient, name: str) -> str:
    """Upload one need naming `name` (province 江苏), validate it, return the preview page, then commit."""
    data = csv_bytes("needs", [need_row(**{"企业名称": name})])
    response = client.post(
        "/imports/needs",
        data={"file": (io.BytesIO(data), "needs.csv"), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.data[:300]
    batch = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    state = client.post(f"/imports/batch/{batch}/step", headers={"Accept": "application/json"}).get_json()
    assert state["status"] == "ready", state
    preview = client.get(f"/imports/batch/{batch}").get_data(as_text=True)
    assert client.post(f"/imports/batch/{batch}/commit").status_code == 302
    return preview


def _imported_need_org(app: Flask) -> Organisation:
    with app.app_context():
        need = db.session.scalars(select(Need)).one()
        organisation = db.session.get(Organisation, need.organisation_id)
        db.session.expunge(organisation)
        return organisation


def _needs_of(app: Flask, organisation_id: int, make) -> int:  # type: ignore[no-untyped-def]
    member = make.user("enterprise", org=organisation_id)
    with app.app_context():
        query = organisation_needs_query(db.session.get(User, member))
        return len(db.session.scalars(query).all())


def test_broker_importing_a_name_registered_in_another_region_gets_a_new_organisation(
    app: Flask, make
) -> None:  # type: ignore[no-untyped-def]
    hainan = _enterprise(app, HAINAN, "46")
    client = login(app.test_client(), make.user("broker", regions=("32",)))
    preview = _import(client, HAINAN)
    assert "新建机构" in preview and "并入已有机构" not in preview
    organisation = _imported_need_org(app)
    assert organisation.id != hainan and organisation.name == HAINAN and organisation.province == "32"
    assert _needs_of(app, hainan, make) == 0  # nothing appears in the Hainan enterprise's 我的需求


def test_admin_import_attaches_to_the_existing_enterprise_anywhere(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    hainan = _enterprise(app, HAINAN, "46")
    client = login(app.test_client(), make.user("admin"))
    preview = _import(client, HAINAN)
    assert f"并入已有机构：{HAINAN}（海南省）" in preview
    assert _imported_need_org(app).id == hainan
    assert _needs_of(app, hainan, make) == 1


def test_broker_import_attaches_to_an_enterprise_in_its_own_region(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    jiangsu = _enterprise(app, JIANGSU, "32")
    client = login(app.test_client(), make.user("broker", regions=("32",)))
    preview = _import(client, JIANGSU)
    assert f"并入已有机构：{JIANGSU}（江苏省）" in preview
    assert _imported_need_org(app).id == jiangsu


def test_cli_import_follows_the_acting_brokers_regions(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hainan = _enterprise(app, HAINAN, "46")
    broker = make.user("broker", regions=("32",))
    with app.app_context():
        email = db.session.get(User, broker).email
    path = tmp_path / "needs.csv"
    path.write_bytes(csv_bytes("needs", [need_row(**{"企业名称": HAINAN})]))
    result = app.test_cli_runner().invoke(args=["import", "needs", str(path), "--as", email])
    assert result.exit_code == 0, result.output
    assert _imported_need_org(app).id != hainan
    with app.app_context():
        count = select(func.count()).select_from(Organisation).where(Organisation.name == HAINAN)
        assert db.session.scalar(count) == 2
