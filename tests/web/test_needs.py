"""An enterprise writes, submits, withdraws and edits needs; visitors see only public ones."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient

from market.db import db
from market.needs.models import Need
from tests.factories import login

VALID = {
    "title": "冷链运输中水果腐损率高",
    "description": (
        "我司从海南向北方运输芒果，途中腐损率约百分之十五，希望找到保鲜和温控方案，降到百分之五以内。"
    ),
    "field_code": "agri",
    "province": "46",
    "city": "4601",
    "budget_min": "20",
    "budget_max": "80",
    "deadline": (date.today() + timedelta(days=90)).isoformat(),
    "cooperation_mode": "develop",
    "public_summary": "水果冷链保鲜技术需求",
    "confidential_details": "现有冷库温度设定 8℃，供应商为某物流公司。",
    "is_open_call": "y",
}


def test_enterprise_creates_submits_and_a_visitor_cannot_see_the_draft(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = login(app.test_client(), make.user("enterprise"))
    response = owner.post("/needs/new", data=VALID)
    assert response.status_code == 302
    need_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert app.test_client().get(f"/needs/{need_id}").status_code == 404
    owner.post(f"/needs/{need_id}/submit")
    need = make.get(Need, need_id)
    assert need.status == "pending"
    assert need.is_open_call is True
    assert need.city == "4601"


def test_form_errors_are_shown_next_to_fields_and_nothing_is_saved(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = login(app.test_client(), make.user("enterprise"))
    bad = dict(
        VALID,
        title="",
        budget_min="90",
        budget_max="10",
        city="3201",
        deadline="2001-01-01",
        description="太短",
    )
    page = owner.post("/needs/new", data=bad).get_data(as_text=True)
    for message in ("预算上限不能低于下限", "城市不属于所选省份", "截止日期不能早于今天"):
        assert message in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Need)) == 0


def test_overlong_and_wrong_type_values_are_rejected(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = login(app.test_client(), make.user("enterprise"))
    bad = dict(VALID, title="长" * 500, budget_min="abc", field_code="not-a-field")
    response = owner.post("/needs/new", data=bad)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Need)) == 0


def test_approved_need_must_be_withdrawn_before_editing(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user = make.user("enterprise")
    need_id = make.need(user, status="approved")
    owner = login(app.test_client(), user)
    assert owner.get(f"/needs/{need_id}/edit").status_code == 302
    owner.post(f"/needs/{need_id}/withdraw")
    assert make.get(Need, need_id).status == "withdrawn"
    response = owner.post(f"/needs/{need_id}/edit", data=dict(VALID, title="修改后的标题：芒果冷链"))
    assert response.status_code == 302
    assert make.get(Need, need_id).title == "修改后的标题：芒果冷链"


def test_other_enterprise_cannot_see_edit_or_submit_a_draft(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(make.user("enterprise"))
    other = login(app.test_client(), make.user("enterprise"))
    assert other.get(f"/needs/{need_id}").status_code == 404
    assert other.get(f"/needs/{need_id}/edit").status_code == 404
    assert other.post(f"/needs/{need_id}/submit").status_code == 404
    assert make.get(Need, need_id).status == "draft"


def test_public_need_hides_confidential_details_from_others(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner_id = make.user("enterprise")
    need_id = make.need(owner_id, status="approved", confidential_details="机密参数 XK-21")
    assert "XK-21" not in app.test_client().get(f"/needs/{need_id}").get_data(as_text=True)
    provider = login(app.test_client(), make.user("provider"))
    assert "XK-21" not in provider.get(f"/needs/{need_id}").get_data(as_text=True)
    owner = login(app.test_client(), owner_id)
    assert "XK-21" in owner.get(f"/needs/{need_id}").get_data(as_text=True)


def test_browse_filters_and_paginates(client: FlaskClient, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    for i in range(25):
        make.need(owner, status="approved", title=f"电池低温问题{i:02d}", province="32" if i % 2 else "44")
    make.need(owner, status="approved", title="芒果冷链保鲜", field_code="agri")
    first = client.get("/needs/?field=ev").get_data(as_text=True)
    assert "共 25 条" in first
    assert "芒果" not in first
    assert "共 13 条" in client.get("/needs/?field=ev&province=44").get_data(as_text=True)
    assert "芒果冷链保鲜" in client.get("/needs/?q=芒果").get_data(as_text=True)
    assert client.get("/needs/?page=2").status_code == 200
    assert client.get("/needs/?page=-1&per_page=abc").status_code == 200
