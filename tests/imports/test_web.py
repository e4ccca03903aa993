"""The web flow: upload → stepwise validation → preview → commit, all or nothing, for brokers and admins."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from market.auth.models import Organisation
from market.db import db
from market.imports.models import ImportBatch, ImportRow
from market.needs.models import Need
from market.providers.models import Provider
from tests.factories import login
from tests.imports.helpers import csv_bytes, need_row, provider_rows, xlsx_bytes


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _upload(client: FlaskClient, kind: str, data: bytes, name: str, publish: bool = True):  # type: ignore[no-untyped-def]
    form = {"file": (io.BytesIO(data), name)}
    if publish:
        form["publish"] = "y"
    return client.post(f"/imports/{kind}", data=form, content_type="multipart/form-data")


def _validate(client: FlaskClient, location: str) -> dict:
    batch_id = int(location.rstrip("/").rsplit("/", 1)[1])
    for _ in range(100):
        state = client.post(
            f"/imports/batch/{batch_id}/step", headers={"Accept": "application/json"}
        ).get_json()
        if state["status"] != "validating":
            return {"id": batch_id, **state}
    raise AssertionError("validation never finished")


def test_upload_preview_commit(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("broker", regions=("32",)))
    rows = [need_row(), need_row(**{"需求标题": "第二个需求：涂层附着力不足"})] * 300  # 600 rows, two steps
    response = _upload(client, "needs", csv_bytes("needs", rows, "gbk"), "需求.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "正在校验" in page.get_data(as_text=True)
    state = _validate(client, response.headers["Location"])
    assert state == {"id": state["id"], "status": "ready", "processed": 600, "total": 600, "errors": 0}
    preview = client.get(f"/imports/batch/{state['id']}").get_data(as_text=True)
    assert "确认导入" in preview and "高精度数控机床热变形补偿" in preview and "csv/gbk" in preview
    assert _count(app, Need) == 0  # nothing written before the commit
    committed = client.post(f"/imports/batch/{state['id']}/commit", follow_redirects=True)
    assert "导入完成：600 条需求" in committed.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Need).where(Need.status == "approved")) == 600
        )
        names = db.session.scalars(select(Organisation.name)).all()
        assert names == ["苏州测试精密制造有限公司"]  # one enterprise, created once for all its rows
        assert db.session.scalar(select(func.count()).select_from(ImportRow)) == 0
    again = client.post(f"/imports/batch/{state['id']}/commit")
    assert again.status_code == 409
    assert _count(app, Need) == 600


def test_one_bad_row_writes_nothing(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("admin"))
    rows = [*provider_rows(), *provider_rows("李红"), {"记录类型": "服务", "服务类别": "技术攻关"}]
    response = _upload(client, "providers", xlsx_bytes("providers", rows), "providers.xlsx")
    state = _validate(client, response.headers["Location"])
    assert state["status"] == "invalid" and state["errors"] == 1
    page = client.get(f"/imports/batch/{state['id']}").get_data(as_text=True)
    assert "服务名称" in page and "确认导入" not in page
    assert client.post(f"/imports/batch/{state['id']}/commit").status_code == 409
    assert _count(app, Provider) == 0


def test_providers_land_pending_when_not_published(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("admin"))
    response = _upload(client, "providers", csv_bytes("providers", provider_rows()), "p.csv", publish=False)
    state = _validate(client, response.headers["Location"])
    assert client.post(f"/imports/batch/{state['id']}/commit").status_code == 302
    with app.app_context():
        provider = db.session.scalar(select(Provider))
        assert provider.status == "pending" and provider.user_id is None and provider.organisation_id is None
        assert [a.title for a in provider.achievements] == ["一种机床主轴热误差实时补偿方法"]
        assert [s.delivery_mode for s in provider.services] == ["onsite"]
        assert set(provider.field_codes) == {"manufacturing", "materials"}


def test_broker_scope_row_errors(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("broker", regions=("33",)))
    response = _upload(client, "needs", csv_bytes("needs", [need_row()]), "n.csv")
    state = _validate(client, response.headers["Location"])
    assert state["status"] == "invalid"
    page = client.get(f"/imports/batch/{state['id']}").get_data(as_text=True)
    assert "该省份不在你负责的地区" in page


def test_wrong_type_and_oversize_get_clear_4xx(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("admin"))
    png = _upload(client, "needs", b"\x89PNG\r\n\x1a\n" + bytes(100), "photo.csv")
    assert png.status_code == 422 and "请上传 CSV 或 .xlsx" in png.get_data(as_text=True)
    renamed = _upload(client, "needs", b"<html>hello</html>", "fake.xlsx")
    assert renamed.status_code == 422 and "不是有效的 .xlsx" in renamed.get_data(as_text=True)
    big = _upload(client, "needs", b"a" * (11 * 1024 * 1024), "big.csv")
    assert big.status_code == 413 and "10 MB" in big.get_data(as_text=True)
    missing = client.post("/imports/needs", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert _count(app, ImportBatch) == 0


def test_only_brokers_and_admins(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    enterprise = login(app.test_client(), make.user("enterprise"))
    assert enterprise.get("/imports/").status_code == 403
    assert _upload(enterprise, "needs", csv_bytes("needs", [need_row()]), "n.csv").status_code == 403
    assert enterprise.get("/imports/export/needs.csv").status_code == 403
    assert app.test_client().get("/imports/").status_code == 302  # to the login page
    broker = login(app.test_client(), make.user("broker"))
    assert broker.get("/imports/").status_code == 200
    other = login(app.test_client(), make.user("broker"))
    response = _upload(broker, "needs", csv_bytes("needs", [need_row()]), "n.csv")
    assert other.get(response.headers["Location"]).status_code == 404


def test_templates_download_and_import_as_empty(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("admin"))
    for kind in ("needs", "providers"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/imports/template/{kind}.{fmt}")
            assert response.status_code == 200
            assert response.headers["Content-Disposition"].endswith(f'.{fmt}"')
    csv_template = client.get("/imports/template/needs.csv").data
    assert csv_template.startswith("\ufeff企业名称".encode())
    # The template holds only the header and the hint row: it imports as "no data rows".
    rejected = _upload(client, "needs", csv_template, "template.csv")
    assert rejected.status_code == 422 and "没有数据行" in rejected.get_data(as_text=True)
    assert client.get("/imports/template/needs.pdf").status_code == 404
