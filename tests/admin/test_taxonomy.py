"""Admin taxonomy pages: fields and regions, admin only, every change audited, caches kept fresh."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from market import messages
from market.admin import audit
from market.admin.models import AdminEvent
from market.db import db
from market.reference import services as reference
from market.reference.models import Field, Region
from tests.factories import login


@pytest.fixture
def admin(app: Flask, make) -> FlaskClient:  # type: ignore[no-untyped-def]
    return login(app.test_client(), make.user("admin"))


def _events(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.target) for e in db.session.scalars(select(AdminEvent).order_by(AdminEvent.id))]


def _field(app: Flask, code: str) -> Field | None:
    with app.app_context():
        return db.session.get(Field, code)


@pytest.mark.parametrize("role", ["enterprise", "provider", "broker"])
def test_only_admins(app: Flask, make, role: str) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user(role))
    for path in ("/admin/fields", "/admin/regions", "/admin/events", "/admin/users"):
        assert client.get(path).status_code == 403
    posts = [
        ("/admin/fields", {"code": "quantum", "name_zh": "量子", "name_en": "Quantum"}),
        ("/admin/fields/ev", {"name_zh": "x", "name_en": "x"}),
        ("/admin/fields/water/delete", {}),
        ("/admin/fields/ev/move", {"direction": "up"}),
        ("/admin/regions/32/cities", {"code": "3206", "name_zh": "南通市", "name_en": "Nantong"}),
        ("/admin/regions/32", {"name_zh": "x", "name_en": "x"}),
    ]
    for path, data in posts:
        assert client.post(path, data=data).status_code == 403
    assert _field(app, "quantum") is None and _events(app) == []


def test_add_rename_reorder_and_delete_fields(app: Flask, admin: FlaskClient) -> None:
    response = admin.post(
        "/admin/fields",
        data={"code": "quantum", "name_zh": "量子信息", "name_en": "Quantum"},
        follow_redirects=True,
    )
    assert "已添加领域：量子信息" in response.get_data(as_text=True)
    with app.app_context():
        assert ("quantum", "量子信息", "Quantum") in reference.field_choices()
    admin.post("/admin/fields/quantum", data={"name_zh": "量子科技", "name_en": "Quantum tech"})
    admin.post("/admin/fields/quantum/move", data={"direction": "up"})
    with app.app_context():
        codes = [code for code, _zh, _en in reference.field_choices()]
        assert codes[-2:] == ["quantum", "metallurgy"]
        assert ("quantum", "量子科技", "Quantum tech") in reference.field_choices()
    admin.post("/admin/fields/quantum/delete")
    assert _field(app, "quantum") is None
    assert [a for a, _t in _events(app)] == ["field.add", "field.rename", "field.move", "field.delete"]
    assert "领域已改名" in admin.get("/admin/events").get_data(as_text=True)


def test_a_field_in_use_cannot_be_deleted(app: Flask, make, admin: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    make.need(make.user("enterprise"), field_code="water")
    page = admin.post("/admin/fields/water/delete", follow_redirects=True).get_data(as_text=True)
    assert "仍被 1 条需求或服务方使用，不能删除" in page
    make.user("provider")  # the factory's provider profile uses the "ev" field
    admin.post("/admin/fields/ev/delete")
    assert _field(app, "water") is not None and _field(app, "ev") is not None
    assert _events(app) == []


def test_field_input_is_checked(app: Flask, admin: FlaskClient) -> None:
    for data, message in [
        ({"code": "Bad Code", "name_zh": "x", "name_en": "x"}, "代码须为"),
        ({"code": "ev", "name_zh": "x", "name_en": "x"}, "已存在"),
        ({"code": "newone", "name_zh": "新材料", "name_en": "x"}, "已有同名领域"),
        ({"code": "newtwo", "name_zh": "", "name_en": "x"}, "中文名称必填"),
    ]:
        page = admin.post("/admin/fields", data=data, follow_redirects=True).get_data(as_text=True)
        assert message in page
    assert _events(app) == []


def test_add_city_and_rename_regions(app: Flask, admin: FlaskClient) -> None:
    admin.post("/admin/regions/32/cities", data={"code": "3206", "name_zh": "南通市", "name_en": "Nantong"})
    bad = admin.post(
        "/admin/regions/32/cities",
        data={"code": "3301", "name_zh": "某市", "name_en": "X"},
        follow_redirects=True,
    )
    assert "以所属省份代码 32 开头" in bad.get_data(as_text=True)
    admin.post("/admin/regions/3206", data={"name_zh": "南通", "name_en": "Nantong City"})
    admin.post("/admin/regions/46", data={"name_zh": "海南省", "name_en": "Hainan Province"})
    with app.app_context():
        assert db.session.get(Region, "3206").parent_code == "32"
        assert ("3206", "南通", "Nantong City") in reference.city_choices("32")
        assert reference.region_name("46", "en") == "Hainan Province"
    assert "南通" in admin.get("/admin/regions?province=32").get_data(as_text=True)
    assert [a for a, _t in _events(app)] == ["region.add", "region.rename", "region.rename"]


def test_other_workers_drop_stale_caches(app: Flask, admin: FlaskClient) -> None:
    """Another worker's cache: filled before the change, cleared on its next request after it."""
    with app.app_context():
        reference.field_choices()
    audit._seen["version"] = None
    admin.get("/admin/fields")  # this "worker" notes the current version
    with app.app_context():
        stale = reference.field_choices()
        # A change committed by another process: a new row and an event, no cache clearing here.
        db.session.add(Field(code="quantum", name_zh="量子", name_en="Quantum", position=99))
        db.session.add(AdminEvent(action="field.add", target="quantum"))
        db.session.commit()
        assert reference.field_choices() == stale
    admin.get("/")
    with app.app_context():
        assert ("quantum", "量子", "Quantum") in reference.field_choices()


def test_user_role_changes_are_audited(app: Flask, make, admin: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    user = make.user("enterprise")
    response = admin.post(
        f"/admin/users/{user}", data={"role": "broker", "regions": ["32", "33"], "active": "y"}
    )
    assert response.status_code == 302
    [(action, _target)] = _events(app)
    assert action == "user.update"
    with app.test_request_context():
        event = db.session.scalar(select(AdminEvent))
        detail = messages.render(event.message_key, event.message_params, "zh")
    assert "角色：企业 → 经纪人（科协）" in detail and "负责地区：— → 江苏省、浙江省" in detail
    page = admin.get("/admin/users?role=broker").get_data(as_text=True)
    assert "经纪人（科协）" in page
