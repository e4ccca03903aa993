"""Matching through the real encoder and embedded index: ranking, reasons, sync, feedback, access."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask

from market.db import db
from market.matching import engine, services
from market.matching.models import MatchFeedback
from market.needs.models import Need
from market.providers.models import Achievement, Provider
from tests.factories import login

COLD_CHAIN = "冷链物流保鲜专家，长期研究果蔬采后生理、气调包装和冷库温度控制，降低运输腐损。"
BATTERY = "动力电池热管理专家，研究低温自加热、电池包保温和冬季续航提升。"
WELDING = "焊接工艺专家，研究高强钢激光焊接变形控制和焊缝缺陷检测。"


def _provider(make, expertise: str, province: str = "32", achievement: str = "") -> int:  # type: ignore[no-untyped-def]
    provider_id = make.provider_id_of(make.user("provider"))
    with make.app.app_context():
        provider = db.session.get(Provider, provider_id)
        provider.expertise = expertise
        provider.province = province
        if achievement:
            provider.achievements.append(Achievement(kind="patent", title=achievement, description=""))
        provider.status = "approved"
        from market.db import commit

        commit()  # through the app's commit point, so the index sync hook runs
    return provider_id


def _approve_need(make, owner: int, **values: str) -> int:  # type: ignore[no-untyped-def]
    need_id = make.need(owner, status="pending", **values)
    with make.app.app_context():
        db.session.get(Need, need_id).status = "approved"
        from market.db import commit

        commit()
    return need_id


@pytest.mark.usefixtures("synced")
def test_need_ranks_the_right_expert_first_with_a_reason(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    cold = _provider(make, COLD_CHAIN, achievement="一种果蔬冷链运输气调保鲜箱")
    _provider(make, BATTERY)
    _provider(make, WELDING)
    owner = make.user("enterprise")
    need_id = _approve_need(
        make,
        owner,
        title="芒果运到北方烂得多",
        description="我们从海南往北方运芒果，路上三天，到货时腐烂率百分之十五，想降下来。",
        field_code="agri",
    )
    with app.app_context():
        from market.auth.models import User

        matches = services.providers_for_need(db.session.get(User, owner), db.session.get(Need, need_id))
    assert matches[0].provider.id == cold
    reason = matches[0].reason
    assert reason.passage_label == "一种果蔬冷链运输气调保鲜箱"
    assert 0.0 < reason.semantic <= 1.0
    assert reason.sentence().startswith(f"匹配度 {reason.degree}")


@pytest.mark.usefixtures("synced")
def test_withdrawn_provider_leaves_the_results(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    battery = _provider(make, BATTERY)
    owner = make.user("enterprise")
    need_id = _approve_need(make, owner)
    client = login(app.test_client(), owner)
    assert f"/providers/{battery}" in client.get(f"/needs/{need_id}/matches").get_data(as_text=True)
    with app.app_context():
        db.session.get(Provider, battery).status = "withdrawn"
        from market.db import commit

        commit()
    assert f"/providers/{battery}" not in client.get(f"/needs/{need_id}/matches").get_data(as_text=True)


@pytest.mark.usefixtures("synced")
def test_feedback_is_stored_and_not_relevant_sinks(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    battery = _provider(make, BATTERY)
    _provider(make, BATTERY.replace("专家", "团队"))
    owner = make.user("enterprise")
    need_id = _approve_need(make, owner)
    client = login(app.test_client(), owner)
    client.post(f"/needs/{need_id}/matches/{battery}/feedback", data={"useful": "0", "rank": "1"})
    with app.app_context():
        row = db.session.scalar(db.select(MatchFeedback))
        assert (row.need_id, row.provider_id, row.useful, row.rank) == (need_id, battery, False, 1)
        from market.auth.models import User

        matches = services.providers_for_need(db.session.get(User, owner), db.session.get(Need, need_id))
    assert matches[-1].provider.id == battery


@pytest.mark.usefixtures("synced")
def test_matches_are_for_the_owner_and_reviewers_only(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    _provider(make, BATTERY)
    need_id = _approve_need(make, make.user("enterprise"))
    assert (
        login(app.test_client(), make.user("enterprise")).get(f"/needs/{need_id}/matches").status_code == 404
    )
    assert login(app.test_client(), make.user("provider")).get(f"/needs/{need_id}/matches").status_code == 404
    assert (
        login(app.test_client(), make.user("broker", regions=("32",)))
        .get(f"/needs/{need_id}/matches")
        .status_code
        == 200
    )
    assert app.test_client().get(f"/needs/{need_id}/matches").status_code == 302  # to login


@pytest.mark.usefixtures("synced")
def test_provider_sees_recommended_needs(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user = make.user("provider")
    provider_id = make.provider_id_of(user)
    make.set_provider_status(provider_id, "approved")
    owner = make.user("enterprise")
    _approve_need(
        make,
        owner,
        title="电动物流车冬天续航掉得厉害",
        description="零下二十度时续航只剩一半，希望改进电池低温性能和保温。",
    )
    _approve_need(
        make,
        owner,
        title="焊缝总有气孔",
        description="高强钢焊接后焊缝气孔多，返修率高，希望改进焊接工艺。",
        field_code="manufacturing",
    )
    page = login(app.test_client(), user).get("/me/recommended").get_data(as_text=True)
    assert page.index("电动物流车冬天续航掉得厉害") < page.index("焊缝总有气孔")


def test_index_trouble_shows_a_notice_not_a_500(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    need_id = make.need(owner, status="approved")
    broken = tmp_path / "broken-index"
    broken.mkdir()
    (broken / "providers").write_text("not a directory")
    old = app.config["INDEX_DIR"]
    app.config["INDEX_DIR"] = str(broken)
    engine.forget_open_indexes()
    try:
        response = login(app.test_client(), owner).get(f"/needs/{need_id}/matches")
    finally:
        app.config["INDEX_DIR"] = old
        engine.forget_open_indexes()
    assert response.status_code == 200
    assert "match-notice" in response.get_data(as_text=True)


@pytest.mark.usefixtures("synced")
def test_elasticsearch_down_falls_back_to_the_embedded_index_with_a_notice(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    battery = _provider(make, BATTERY)
    owner = make.user("enterprise")
    need_id = _approve_need(make, owner)
    app.config["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    engine.forget_open_indexes()
    try:
        page = login(app.test_client(), owner).get(f"/needs/{need_id}/matches").get_data(as_text=True)
    finally:
        app.config["ELASTICSEARCH_URL"] = ""
        engine.forget_open_indexes()
    assert "本地备用索引" in page
    assert f"/providers/{battery}" in page


@pytest.mark.usefixtures("synced")
def test_index_deleted_under_a_running_app_says_so_and_reindex_restores_it(
    app: Flask, make, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    battery = _provider(make, BATTERY)
    owner = make.user("enterprise")
    need_id = _approve_need(make, owner)
    client = login(app.test_client(), owner)
    assert f"/providers/{battery}" in client.get(f"/needs/{need_id}/matches").get_data(as_text=True)

    shutil.rmtree(tmp_path / "index")  # the open handle would go on reading the unlinked files
    damaged = client.get(f"/needs/{need_id}/matches")
    assert damaged.status_code == 200
    assert "market reindex" in damaged.get_data(as_text=True)
    health = app.test_client().get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "degraded"
    # Reopened empty: the page says results are incomplete instead of showing an unexplained blank.
    empty = client.get(f"/needs/{need_id}/matches").get_data(as_text=True)
    assert "market index sync" in empty and f"/providers/{battery}" not in empty
    assert app.test_client().get("/healthz").json["index"]["providers"] == {
        "documents": 0,
        "public": 1,
        "needs_rebuild": False,
    }

    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    restored = client.get(f"/needs/{need_id}/matches").get_data(as_text=True)
    assert f"/providers/{battery}" in restored and "market index sync" not in restored
    assert app.test_client().get("/healthz").json["status"] == "ok"


@pytest.mark.usefixtures("synced")
def test_feedback_forms_carry_each_cards_position(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    for expertise in (COLD_CHAIN, BATTERY, WELDING):
        _provider(make, expertise)
    owner = make.user("enterprise")
    need_id = _approve_need(make, owner)
    page = login(app.test_client(), owner).get(f"/needs/{need_id}/matches").get_data(as_text=True)
    ranks = re.findall(r'name="rank" value="(\d+)"', page)
    assert ranks == ["1", "1", "2", "2", "3", "3"]  # 有用 and 不相关 of cards 1, 2, 3


@pytest.mark.usefixtures("synced")
def test_a_match_page_after_approval_never_waits_for_the_model(app: Flask, make, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Indexing a posting encodes the query its match page asks; every worker reads it from the store.
    from tests.indexer.test_query_store import CountingModel

    provider_user = make.user("provider")
    battery = make.provider_id_of(provider_user)
    with app.app_context():
        provider = db.session.get(Provider, battery)
        provider.expertise, provider.status = BATTERY, "approved"
        from market.db import commit

        commit()
    owner = make.user("enterprise")
    need_id = _approve_need(
        make, owner, title="电动重卡冬天续航掉得厉害", description="零下二十度续航少四成。"
    )
    with app.app_context():
        stored = engine.encoder()
        model = CountingModel(stored.inner)
        monkeypatch.setattr(stored, "inner", model)
        engine.index_for(engine.PROVIDERS)._results.clear()  # as in a fresh worker
    page = login(app.test_client(), owner).get(f"/needs/{need_id}/matches").get_data(as_text=True)
    assert f"/providers/{battery}" in page
    assert model.encoded == []
    # the provider's recommended needs likewise
    assert login(app.test_client(), provider_user).get("/me/recommended").status_code == 200
    assert model.encoded == []


@pytest.mark.usefixtures("synced")
def test_dispatch_page_ranks_providers_with_reasons(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cold = _provider(make, COLD_CHAIN, achievement="一种果蔬冷链运输气调保鲜箱")
    battery = _provider(make, BATTERY)
    _provider(make, WELDING)
    need_id = _approve_need(
        make,
        make.user("enterprise"),
        title="芒果运到北方烂得多",
        description="我们从海南往北方运芒果，路上三天，到货时腐烂率百分之十五，想降下来。",
        field_code="agri",
    )
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    page = broker.get(f"/orders/dispatch/{need_id}").get_data(as_text=True)
    ranked = re.findall(r'data-testid="dispatch-match">\s*<input[^>]*value="(\d+)"', page)
    assert ranked[0] == str(cold) and str(battery) in ranked
    first = page[page.index('data-testid="dispatch-match"') :]
    assert "一种果蔬冷链运输气调保鲜箱" in first[: first.index("</fieldset>")]  # its reason

    sent = broker.post(f"/orders/dispatch/{need_id}", data={"provider_ids": [str(cold)], "message": "请评估"})
    assert sent.status_code == 302
    with app.app_context():
        from market.orders.models import Order

        order = db.session.scalar(db.select(Order))
        assert (order.provider_id, order.status) == (cold, "dispatched")

    # With the index gone the page still lists every provider and says what to run.
    shutil.rmtree(tmp_path / "index")
    damaged = broker.get(f"/orders/dispatch/{need_id}")
    text = damaged.get_data(as_text=True)
    assert damaged.status_code == 200 and "market reindex" in text
    assert f'<option value="{battery}">' in text


def test_dispatch_list_puts_the_needs_field_then_province_first(app: Flask, make, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The list once sorted only the first 5 x CHOICES providers by id: later ones never showed.
    from market.orders import dispatching
    from market.reference.models import Field

    ids = [_provider(make, WELDING, province=p) for p in ("11", "32", "11", "11", "11", "32")]
    with app.app_context():
        for provider_id in (ids[4], ids[5]):
            db.session.get(Provider, provider_id).fields = [db.session.get(Field, "agri")]
        db.session.commit()
    need_id = _approve_need(make, make.user("enterprise"), field_code="agri", province="32")
    with app.app_context():
        need = db.session.get(Need, need_id)
        monkeypatch.setattr(dispatching, "CHOICES", 3)
        assert [p.id for p in dispatching.candidates(need)] == [ids[5], ids[4], ids[1]]
        monkeypatch.setattr(dispatching, "CHOICES", 1)
        assert [p.id for p in dispatching.candidates(need)] == [ids[5]]
