"""Admin user form: refusals come back as the list with a message (422), nothing written."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from market.admin.models import AdminEvent
from market.auth.models import User
from market.db import db
from tests.factories import login


def _user(app: Flask, user_id: int) -> tuple[str, bool, list[str]]:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.role, user.active, sorted(user.region_codes)


def _events(app: Flask) -> int:
    with app.app_context():
        return len(list(db.session.scalars(select(AdminEvent))))


def test_removing_own_admin_role_shows_the_form_again(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    me = make.user("admin")
    client = login(app.test_client(), me)
    response = client.post(f"/admin/users/{me}", data={"role": "enterprise", "active": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="user-error"' in page and "不能取消自己的管理员身份" in page
    assert 'data-testid="user-row"' in page and "用户与角色" in page  # the whole admin page, not a bare error
    assert _user(app, me)[0] == "admin" and _events(app) == 0
    assert client.post(f"/admin/users/{me}", data={"role": "admin"}).status_code == 422  # cannot disable self


def test_broker_without_regions_is_refused_with_a_message(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("admin"))
    target = make.user("enterprise")
    response = client.post(f"/admin/users/{target}", data={"role": "broker", "active": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "经纪人至少需要一个负责地区" in page and "请至少选择一个负责地区" in page
    assert _user(app, target) == ("enterprise", True, []) and _events(app) == 0
    unknown = client.post(f"/admin/users/{target}", data={"role": "broker", "regions": ["zz"], "active": "y"})
    assert unknown.status_code == 422
    ok = client.post(f"/admin/users/{target}", data={"role": "broker", "regions": ["32"], "active": "y"})
    assert ok.status_code == 302 and _user(app, target) == ("broker", True, ["32"])
    # Leaving the broker role drops the regions without complaint.
    client.post(f"/admin/users/{target}", data={"role": "provider", "regions": ["32"], "active": "y"})
    assert _user(app, target) == ("provider", True, [])


def test_english_message(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    me = make.user("admin")
    client = login(app.test_client(), me)
    response = client.post(f"/admin/users/{me}?lang=en", data={"role": "broker", "regions": ["32"]})
    page = response.get_data(as_text=True)
    assert "admin role" in page.lower()
