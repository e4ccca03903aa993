"""The admin events page (/admin/events) and the security log (/admin/security-events) show labels in
the reader's language: no action, role or region codes, no {} or [] of the stored details."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.config import ROOT
from market.security import events
from tests.factories import login

# Codes as the pages showed them before: "field.add", "role enterprise→broker", a move "up", "[]".
ADMIN_CODES = re.compile(
    r"\b(field\.\w+|region\.\w+|user\.\w+|enterprise|provider|broker|admin|True|False)\b"
    r"|quantum (up|down)\b|\{\}|\[\]|\['"
)
DETAIL_CODES = re.compile(
    r"\b(enterprise|provider|broker|admin|True|False|deals-\w+)\b|(数据类型|Data kind) (needs|providers)\b"
    r"|\{\}|\[\]|\['|\{'"
)


@pytest.fixture
def admin(app: Flask, make) -> FlaskClient:  # type: ignore[no-untyped-def]
    return login(app.test_client(), make.user("admin"))


def visible(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def table_text(client: FlaskClient, path: str, testid: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    start = page.index(">", page.index(f'data-testid="{testid}"')) + 1
    return visible(page[start : page.index("</table>", start)])


def detail_cells(client: FlaskClient, path: str) -> list[str]:
    """The details column (the last cell) of each row of the security log."""
    page = client.get(path).get_data(as_text=True)
    rows = re.findall(r'<tr data-testid="security-event".*?</tr>', page, re.S)
    return [visible(re.findall(r"<td>(.*?)</td>", row, re.S)[-1]) for row in rows]


def change_taxonomy_and_a_role(admin: FlaskClient, user: int) -> None:
    admin.post("/admin/fields", data={"code": "quantum", "name_zh": "量子信息", "name_en": "Quantum"})
    admin.post("/admin/fields/quantum", data={"name_zh": "量子科技", "name_en": "Quantum tech"})
    admin.post("/admin/fields/quantum/move", data={"direction": "up"})
    admin.post("/admin/fields/quantum/delete")
    admin.post("/admin/regions/32/cities", data={"code": "3299", "name_zh": "测试市", "name_en": "Test City"})
    admin.post(f"/admin/users/{user}", data={"role": "broker", "regions": ["32", "33"], "active": "y"})


def test_admin_events_read_as_labels_in_each_language(app: Flask, make, admin: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    change_taxonomy_and_a_role(admin, make.user("enterprise"))
    chinese = table_text(admin, "/admin/events", "events")
    for text in (
        "领域已添加",
        "领域已改名",
        "领域顺序已调整",
        "领域已删除",
        "城市已添加",
        "用户已修改",
        "上移一位",
    ):
        assert text in chinese, text
    assert "量子信息 / Quantum → 量子科技 / Quantum tech" in chinese
    assert "江苏省：测试市 / Test City" in chinese
    assert "角色：企业 → 经纪人（科协）；账号：启用 → 启用；负责地区：— → 江苏省、浙江省" in chinese
    english = table_text(admin, "/admin/events?lang=en", "events")
    assert (
        "Field added" in english
        and "Moved up one place" in english
        and "Jiangsu: 测试市 / Test City" in english
    )
    assert (
        "Role: Enterprise → Broker (CAST office); account: Active → Active; regions: — → Jiangsu, Zhejiang"
        in english
    )
    for text in (chinese, english):
        assert not ADMIN_CODES.search(text), ADMIN_CODES.search(text)


def test_old_admin_events_keep_their_text(app: Flask, admin: FlaskClient) -> None:
    from market.admin.models import AdminEvent
    from market.db import db

    with app.app_context():
        db.session.add(AdminEvent(action="field.add", target="quantum", detail="量子 / Quantum"))
        db.session.commit()
    assert "量子 / Quantum" in table_text(admin, "/admin/events?lang=en", "events")


def test_security_log_details_read_as_labels(app: Flask, make, admin: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    change_taxonomy_and_a_role(admin, make.user("enterprise"))
    admin.post(f"/admin/users/{make.user('enterprise')}", data={"role": "enterprise"})  # disabled
    admin.get("/imports/export/needs.csv")
    login(app.test_client(), make.user("broker")).get("/broker/reports/month.csv")  # no filters: {}
    chinese = detail_cells(admin, "/admin/security-events")
    english = detail_cells(admin, "/admin/security-events?lang=en")
    shown = " | ".join(chinese)
    assert "原值 企业" in shown and "新值 经纪人（科协）" in shown and "新值 江苏省、浙江省" in shown
    assert "新值 停用" in shown and "数据类型 技术需求" in shown and "数据类型 成交报表：按月份" in shown
    assert "筛选条件 不限" in shown
    shown_en = " | ".join(english)
    assert "Broker (CAST office)" in shown_en and "Jiangsu, Zhejiang" in shown_en and "Disabled" in shown_en
    for cell in chinese + english:
        assert not DETAIL_CODES.search(cell), cell


def test_every_recorded_security_event_has_a_label(app: Flask) -> None:
    recorded = set()
    for path in (ROOT / "market").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in re.findall(r"\brecord\(\s*(?:security\.|events\.)?([A-Z][A-Z_]+)\b", source):
            recorded.add(getattr(events, name))
    assert len(recorded) >= 10
    with app.test_request_context("/?lang=en"):
        labels = events.event_labels()
    assert not recorded - set(labels), recorded - set(labels)
    assert Path(events.__file__).name == "events.py"
