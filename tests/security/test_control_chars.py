"""Control characters (issue 12, point 4): refused at every input, removed at every export.

One ESC in a need's description or a BEL in a provider's name made every spreadsheet export answer 500
(openpyxl refuses them). Inputs now refuse them with a message on the field; exports strip them, so text
stored before the fix still exports.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from market.auth import services as auth
from market.auth.models import User
from market.db import db
from market.errors import ValidationFailed
from market.needs.models import Need
from market.orders.forms import FollowUpForm, read
from market.orders.models import FollowUp
from market.providers.models import Provider
from market.reference.models import Field
from market.text import printable, text_problem
from tests.factories import login
from tests.imports.helpers import csv_bytes, need_row
from tests.orders.world import DEAL, World, build_world
from tests.web.test_needs import VALID as VALID_NEED

CONTROLS = ["\x1b", "\x07", "\x0b", "\x7f", "\x85", "\x9f"]
REFUSED = "控制字符"
ANY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.fixture
def world(app: Flask, make) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make)


def _bearer(app: Flask, user_id: int) -> dict[str, str]:
    with app.app_context():
        secret, _record = auth.create_api_token(db.session.get(User, user_id), "control-chars")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- the one check -----------------------------------------------------------------------------


@pytest.mark.parametrize("char", CONTROLS)
def test_text_problem_names_the_character_and_where(app: Flask, char: str) -> None:
    with app.test_request_context():
        problem = text_problem(f"前后{char}文字")
    assert problem is not None and REFUSED in problem and f"U+{ord(char):04X}" in problem and "3" in problem


def test_tab_and_line_breaks_are_text_but_single_lines_refuse_breaks(app: Flask) -> None:
    with app.test_request_context():
        assert text_problem("第一行\r\n\t第二行") is None
        assert text_problem("一行\t文字", multiline=False) is None
        assert "换行" in (text_problem("两\n行", multiline=False) or "")
        assert "NUL" in (text_problem("空\x00字符") or "")


def test_printable_keeps_text_tabs_and_line_breaks() -> None:
    assert printable("a\x1bb\x07c\x7f\x85\x9f\td\r\ne\x00") == "abc\td\r\ne"


# --- exports of text stored before the fix -----------------------------------------------------


def _store_old_text(world: World) -> None:
    """What the API let through before: written straight into the rows, as old data would be."""
    order_id = world.order("signed")
    assert order_id

    def work() -> None:
        db.session.execute(
            update(Need).where(Need.id == world.need).values(description="我司电池\x1b[31m热管理方案需求描述")
        )
        db.session.execute(
            update(Provider).where(Provider.id == world.provider_id).values(name="王\x07工\x85程师")
        )

    world.run(work)


def _cells(body: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [
        str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
    ]


EXPORTS = ["/imports/export/needs.xlsx", "/imports/export/providers.xlsx", "/broker/reports/provider.xlsx"]


@pytest.mark.parametrize("role", ["broker_in", "admin"])
def test_old_control_characters_are_removed_from_every_xlsx_export(world: World, role: str) -> None:
    _store_old_text(world)
    client = world.client(role)
    expected = {
        EXPORTS[0]: "我司电池[31m热管理方案需求描述",
        EXPORTS[1]: "王工程师",
        EXPORTS[2]: "王工程师",
    }
    for path, text in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        cells = _cells(response.data)
        assert text in cells, (path, cells)
        assert not any(ANY_CONTROL.search(c) for c in cells), path


@pytest.mark.parametrize(
    "path", ["/imports/export/needs.csv", "/imports/export/providers.csv", "/broker/reports/provider.csv"]
)
def test_csv_exports_drop_control_characters_too(world: World, path: str) -> None:
    _store_old_text(world)
    response = world.client("broker_in").get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert ("热管理方案" in body or "王工程师" in body) and not ANY_CONTROL.search(body)


# --- web forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("char", CONTROLS)
def test_need_form_refuses_control_characters_and_saves_nothing(app: Flask, make, char: str) -> None:  # type: ignore[no-untyped-def]
    owner = login(app.test_client(), make.user("enterprise"))
    description = VALID_NEED["description"][:10] + char + VALID_NEED["description"][10:]
    response = owner.post("/needs/new", data={**VALID_NEED, "description": description})
    assert response.status_code == 200
    assert REFUSED in response.get_data(as_text=True)
    assert _count(app, Need) == 0


def test_single_line_fields_refuse_line_breaks_text_areas_keep_them(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = login(app.test_client(), make.user("enterprise"))
    refused = owner.post("/needs/new", data={**VALID_NEED, "title": "冷链运输\n中水果腐损率高"})
    assert refused.status_code == 200 and "换行" in refused.get_data(as_text=True)
    assert _count(app, Need) == 0
    kept = "第一段：芒果运输。\r\n\t第二段：腐损率约百分之十五，希望降到百分之五以内。"
    accepted = owner.post("/needs/new", data={**VALID_NEED, "description": kept})
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Need.description)) == kept


def test_provider_profile_form_refuses_a_bell_in_the_name(world: World) -> None:
    client = world.client("provider")
    with world.app.app_context():
        before = db.session.get(Provider, world.provider_id).name
        fields = [f.code for f in db.session.scalars(select(Field).limit(1))]
    response = client.post(
        "/me/profile/edit",
        data={
            "name": "王\x07工程师",
            "province": "32",
            "fields": fields,
            "expertise": "长期从事动力电池热管理与低温性能研究，二十年经验。",
        },
    )
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    assert world.make.get(Provider, world.provider_id).name == before


def test_order_follow_up_form_refuses_control_characters(world: World) -> None:
    order_id = world.order("accepted")
    before = _count(world.app, FollowUp)
    response = world.client("owner").post(
        f"/orders/{order_id}/follow-ups", data={"body": "已电话沟通\x1b[2J"}, follow_redirects=True
    )
    assert response.status_code in (200, 422) and REFUSED in response.get_data(as_text=True)
    assert _count(world.app, FollowUp) == before


def test_order_forms_refuse_control_characters_but_keep_lines(app: Flask) -> None:
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            read(FollowUpForm, {"body": "首期\x07"})
        assert REFUSED in str(refused.value.field_errors["body"][0])
        assert read(FollowUpForm, {"body": "第一行\n第二行"}).body.data == "第一行\n第二行"


def test_admin_taxonomy_names_refuse_control_characters(world: World) -> None:
    client = world.client("admin")
    client.post("/admin/fields/ev", data={"name_zh": "新能源\x1b汽车", "name_en": "EV"})
    with world.app.app_context():
        assert "\x1b" not in db.session.get(Field, "ev").name_zh


def test_send_back_reason_refuses_control_characters(world: World, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(world.owner, status="pending")
    client = world.client("broker_in")
    client.post(f"/review/need/{need_id}/return", data={"reason": "请补充\x07材料"})
    need = make.get(Need, need_id)
    assert need.status == "pending" and "\x07" not in (need.review_note or "")


# --- API bodies --------------------------------------------------------------------------------


def _api_refused(response: Any, field: str) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    body = response.get_json()
    assert REFUSED in " ".join(body["fields"][field]), body


def test_api_need_body_refuses_control_characters(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    headers = _bearer(app, make.user("enterprise"))
    payload = {
        "title": "冷链运输中水果腐损率高",
        "description": "我司从海南向北方运输芒果，途中\x1b腐损率约百分之十五，希望找到保鲜和温控方案。",
        "field_code": "agri",
        "province": "46",
        "cooperation_mode": "develop",
    }
    client: FlaskClient = app.test_client()
    _api_refused(client.post("/api/v1/needs", json=payload, headers=headers), "description")
    assert _count(app, Need) == 0


def test_api_provider_profile_refuses_a_bell(world: World) -> None:
    headers = _bearer(world.app, world.provider)
    before = world.make.get(Provider, world.provider_id).name
    response = world.app.test_client().patch(
        "/api/v1/me/provider", json={"name": "王\x07工"}, headers=headers
    )
    _api_refused(response, "name")
    assert world.make.get(Provider, world.provider_id).name == before


def test_api_order_follow_up_refuses_control_characters(world: World) -> None:
    order_id = world.order("accepted")
    headers = _bearer(world.app, world.owner)
    before = _count(world.app, FollowUp)
    response = world.app.test_client().post(
        f"/api/v1/orders/{order_id}/follow-ups", json={"body": "已沟通\x9b"}, headers=headers
    )
    _api_refused(response, "body")
    assert _count(world.app, FollowUp) == before


def test_api_sign_refuses_a_control_character_in_the_note(world: World) -> None:
    order_id = world.order("negotiating")
    headers = _bearer(world.app, world.owner)
    response = world.app.test_client().post(
        f"/api/v1/orders/{order_id}/actions/sign", json={**DEAL, "note": "首期\x1b"}, headers=headers
    )
    _api_refused(response, "note")
    assert world.status(order_id) == "negotiating"


# --- imports -----------------------------------------------------------------------------------


def _upload_and_validate(client: FlaskClient, data: bytes) -> str:
    response = client.post(
        "/imports/needs",
        data={"file": (io.BytesIO(data), "needs.csv"), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.data[:300]
    batch = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    for _ in range(20):
        state = client.post(f"/imports/batch/{batch}/step", headers={"Accept": "application/json"}).get_json()
        if state["status"] != "validating":
            break
    return client.get(f"/imports/batch/{batch}").get_data(as_text=True)


def test_import_cell_with_a_control_character_is_a_row_error(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), make.user("broker", regions=("32",)))
    rows = [
        need_row(),
        need_row(**{"需求描述": need_row()["需求描述"] + "\x1b"}),
        need_row(**{"企业名称": "苏州\x07精密有限公司"}),
    ]
    page = _upload_and_validate(client, csv_bytes("needs", rows))
    assert 'data-testid="error-count">2<' in page
    assert page.count(REFUSED) >= 2 and "需求描述" in page and "企业名称" in page
    assert "确认导入" not in page
    assert _count(app, Need) == 0
