"""Two-level fields: a posting's sub-field must belong to its field, in forms, services and the API;
admins add, rename, reorder and deactivate sub-fields; lists filter and count by sub-field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from market import taxonomy
from market.admin import subfields as admin_subfields
from market.admin import taxonomy as admin_taxonomy
from market.auth.models import User
from market.db import db
from market.errors import Conflict, ValidationFailed
from market.needs import services as needs
from market.needs.models import Need
from market.providers import services as providers
from market.providers.models import Provider
from market.reference import services as reference
from market.reference.models import SubField
from tests.api.conftest import token_for
from tests.factories import APPROVED, login

NEED = {
    "title": "注塑件缩痕与翘曲",
    "description": "我司汽车内饰注塑件壁厚不均，出现缩痕和翘曲，良品率只有八成，希望优化模具与工艺参数。",
    "field_code": "manufacturing",
    "subfield_code": "manufacturing-injection",
    "province": "32",
    "city": "",
    "deadline": (date.today() + timedelta(days=90)).isoformat(),
    "cooperation_mode": "develop",
}


def test_every_field_is_seeded_with_sub_fields_and_injection_moulding_has_a_home(app: Flask) -> None:
    with app.app_context():
        seeded = reference.subfields()
        assert {s.field_code for s in seeded.values()} == set(taxonomy.codes(taxonomy.FIELDS))
        assert seeded["manufacturing-injection"].zh == "注塑成型"
        assert seeded["materials-polymer"].field_code == "materials"


def test_need_form_keeps_a_sub_field_of_its_field_and_refuses_one_of_another(app: Flask, make: Any) -> None:
    owner = login(app.test_client(), make.user("enterprise"))
    wrong = owner.post("/needs/new", data={**NEED, "subfield_code": "materials-polymer"})
    assert wrong.status_code == 200
    assert "细分领域须属于所选技术领域。" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Need).count() == 0
    response = owner.post("/needs/new", data=NEED)
    assert response.status_code == 302
    need_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert make.get(Need, need_id).subfield_code == "manufacturing-injection"
    page = owner.get(f"/needs/{need_id}").get_data(as_text=True)
    assert "智能制造与机器人 / 注塑成型" in page


def test_need_service_refuses_a_foreign_or_inactive_sub_field_and_drops_it_when_the_field_changes(
    app: Flask, make: Any
) -> None:
    owner_id = make.user("enterprise")
    with app.app_context():
        owner = db.session.get(User, owner_id)
        values = {k: v for k, v in NEED.items() if k not in ("city", "deadline")}
        with pytest.raises(ValidationFailed) as refused:
            needs.create_need(owner, {**values, "subfield_code": "ai-vision"})
        assert "subfield_code" in refused.value.field_errors
        need = needs.create_need(owner, values)
        needs.update_need(owner, need, {"field_code": "materials"})  # no sub-field given: it goes
        assert need.subfield_code is None
        needs.update_need(owner, need, {"subfield_code": "materials-polymer"})
        assert need.subfield_code == "materials-polymer"
        db.session.get(SubField, "materials-composite").active = False
        reference.clear_caches()
        with pytest.raises(ValidationFailed):
            needs.update_need(owner, need, {"subfield_code": "materials-composite"})
        db.session.get(SubField, "materials-polymer").active = False
        reference.clear_caches()
        needs.update_need(owner, need, {"title": "改过标题的注塑需求"})  # what it holds may stay
        assert need.subfield_code == "materials-polymer"
        db.session.rollback()
        reference.clear_caches()


def test_provider_sub_fields_must_sit_under_its_fields(app: Flask, make: Any) -> None:
    user_id = make.user("provider")
    client = login(app.test_client(), user_id)
    data = {
        "name": "王工",
        "province": "32",
        "fields": ["manufacturing", "materials"],
        "subfields": ["manufacturing-injection", "ai-vision"],
        "expertise": "二十年注塑模具设计与成型工艺优化经验，擅长汽车内饰件缩痕翘曲问题。",
        "available": "y",
    }
    refused = client.post("/me/profile/edit", data=data)
    assert refused.status_code == 200 and "细分领域须属于所选技术领域。" in refused.get_data(as_text=True)
    data["subfields"] = ["manufacturing-injection", "materials-polymer"]
    assert client.post("/me/profile/edit", data=data).status_code == 302
    provider_id = make.provider_id_of(user_id)
    with app.app_context():
        provider = db.session.get(Provider, provider_id)
        assert sorted(provider.subfield_codes) == ["manufacturing-injection", "materials-polymer"]
        actor = db.session.get(User, user_id)
        values = {"field_codes": ["manufacturing"], "subfield_codes": ["materials-polymer"]}
        with pytest.raises(ValidationFailed):
            providers.update_profile(actor, provider, dict(values))
        db.session.rollback()
        # A field dropped without naming sub-fields takes its sub-fields with it.
        providers.update_profile(actor, provider, {"field_codes": ["manufacturing"]})
        assert provider.subfield_codes == ["manufacturing-injection"]
        db.session.rollback()
    form = client.get("/me/profile/edit").get_data(as_text=True)
    assert 'selected value="manufacturing-injection"' in form


def test_admin_adds_renames_reorders_and_deactivates_sub_fields(app: Flask, make: Any) -> None:
    admin = login(app.test_client(), make.user("admin"))
    added = admin.post(
        "/admin/fields/materials/subfields", data={"code": "foam", "name_zh": "泡沫材料", "name_en": "Foams"}
    )
    assert added.status_code == 302
    twice = admin.post(
        "/admin/fields/materials/subfields",
        data={"code": "foam2", "name_zh": "泡沫材料", "name_en": "Foams"},
        follow_redirects=True,
    )
    assert "该领域已有同名细分领域" in twice.get_data(as_text=True)
    admin.post("/admin/subfields/materials-foam", data={"name_zh": "发泡材料", "name_en": "Foamed materials"})
    admin.post("/admin/subfields/materials-foam/move", data={"direction": "up"})
    admin.post("/admin/subfields/materials-foam/active", data={})
    with app.app_context():
        foam = db.session.get(SubField, "materials-foam")
        assert (foam.name_zh, foam.active) == ("发泡材料", False)
        order = [s.code for s in reference.subfield_choices("materials")]
        assert "materials-foam" not in order  # deactivated: no longer offered
        assert reference.subfields()["materials-foam"].zh == "发泡材料"
    page = admin.get("/admin/fields/materials/subfields").get_data(as_text=True)
    assert "发泡材料" in page and "materials-foam" in page
    events = admin.get("/admin/events").get_data(as_text=True)
    assert "细分领域已停用" in events and "细分领域已改名" in events
    admin.post("/admin/subfields/materials-foam/active", data={"active": "y"})
    with app.app_context():
        assert db.session.get(SubField, "materials-foam").active


def test_a_field_is_deleted_with_its_unused_sub_fields_only(app: Flask, make: Any) -> None:
    admin_id, owner = make.user("admin"), make.user("enterprise")
    with app.app_context():
        admin = db.session.get(User, admin_id)
        admin_taxonomy.add_field(admin, "quantum", "量子科技", "Quantum technology")
        admin_subfields.add_subfield(admin, "quantum", "computing", "量子计算", "Quantum computing")
        db.session.commit()
    need_id = make.need(owner, field_code="ai", subfield_code=None)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        admin_taxonomy.delete_field(admin, "quantum")
        db.session.commit()
        assert db.session.get(SubField, "quantum-computing") is None
        with pytest.raises(Conflict):
            admin_subfields.add_subfield(admin, "ai", "vision", "重复代码", "Duplicate")
        db.session.rollback()
    assert make.get(Need, need_id).field_code == "ai"


def test_list_filter_and_facet_count_by_sub_field(app: Flask, make: Any) -> None:
    owner = make.user("enterprise")
    for subfield in ("manufacturing-injection", "manufacturing-injection", "manufacturing-precision", None):
        make.need(owner, status=APPROVED, field_code="manufacturing", subfield_code=subfield)
    make.need(owner, status=APPROVED, field_code="materials", subfield_code="materials-polymer")
    client = app.test_client()
    body = client.get("/api/v1/needs?field=manufacturing").get_json()
    facet = next(f for f in body["search"]["facets"] if f["key"] == "subfield")
    counts = {v["code"]: v["count"] for v in facet["values"]}
    assert counts == {"manufacturing-injection": 2, "manufacturing-precision": 1}
    for code, count in counts.items():
        listed = client.get(f"/api/v1/needs?field=manufacturing&subfield={code}").get_json()
        assert listed["total"] == count
        assert {n["subfield_code"] for n in listed["items"]} == {code}
    page = client.get("/needs/?field=manufacturing&subfield=manufacturing-injection").get_data(as_text=True)
    assert page.count('data-testid="need-card"') == 2
    assert '<option value="manufacturing-injection" selected>注塑成型</option>' in page


def test_api_lists_sub_fields_and_takes_them_on_a_provider(app: Flask, make: Any) -> None:
    client = app.test_client()
    listed = client.get("/api/v1/subfields?field=manufacturing").get_json()
    codes = [item["code"] for item in listed["items"]]
    assert codes[0] == "manufacturing-injection" and all(c.startswith("manufacturing-") for c in codes)
    headers = {"Authorization": f"Bearer {token_for(app, make.user('provider'))}"}
    refused = client.patch("/api/v1/me/provider", json={"subfields": ["materials-polymer"]}, headers=headers)
    assert refused.status_code == 422, refused.get_json()
    assert "subfields" in refused.get_json()["fields"]
    expertise = "长期从事动力电池热管理、电池管理系统与低温性能研究。"
    body = {"fields": ["ev"], "subfields": ["ev-battery", "ev-bms"], "expertise": expertise}
    fine = client.patch("/api/v1/me/provider", json=body, headers=headers)
    assert fine.status_code == 200, fine.get_json()
    assert fine.get_json()["subfields"] == ["ev-battery", "ev-bms"]
