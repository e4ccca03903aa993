"""A small market for the assistant: profiles in three fields, an open, a solved and a pending need."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from market.db import commit, db
from market.needs.models import Need
from market.orders.models import Order
from market.providers.models import Achievement, Provider
from market.reference.models import Field
from tests.factories import Factory

MOULDING = [
    ("注塑模具专家，研究注塑件翘曲变形控制、模流分析和随形冷却水路设计。", "一种注塑模具随形冷却水路"),
    (
        "高分子材料成型专家，研究聚丙烯注塑件翘曲变形、模流分析与工艺参数优化。",
        "聚丙烯注塑件翘曲变形仿真方法",
    ),
    ("塑料成型工艺专家，擅长模流分析、保压冷却工艺和注塑件尺寸稳定性。", "随形冷却注塑模具及其制造方法"),
    # Profiles in the experts' words only: weak for a vague need, strong once it uses their terms.
    ("模流分析服务团队，提供翘曲预测、随形冷却水路仿真和模具温度场优化。", "模流分析翘曲预测服务"),
    ("CAE 仿真工程师，专注翘曲补偿、模流分析和冷却水路布置。", "基于模流分析的翘曲补偿方法"),
]
BATTERY = [
    ("动力电池热管理专家，研究低温自加热、电池包保温和冬季续航提升。", "一种动力电池低温自加热方法"),
    ("锂离子电池专家，研究电池低温性能、电解液改性和快充。", "低温电解液配方"),
]
COLD_CHAIN = [("冷链物流保鲜专家，研究果蔬采后生理、气调包装和冷库温度控制。", "果蔬气调保鲜箱")]

VAGUE_TITLE = "塑料件做出来变形"
VAGUE_TEXT = "我们厂做的塑料外壳，做出来放一天就变形，装不上去，客户老投诉，想找人帮忙看看怎么办。"


@dataclass
class Market:
    owner: int  # an enterprise user
    solved: int  # a need solved on the platform by solver
    solver: int  # provider id
    open_need: int
    moulders: list[int]


def _provider(make: Factory, field: str, expertise: str, achievement: str) -> int:
    provider_id = make.provider_id_of(make.user("provider"))
    with make.app.app_context():
        provider = db.session.get(Provider, provider_id)
        provider.expertise = expertise
        provider.fields = [db.session.get(Field, field)]
        provider.achievements.append(Achievement(kind="patent", title=achievement, description=""))
        provider.status = "approved"
        commit()  # through the app's commit point, so the index sync hook runs
    return provider_id


def _set(make: Factory, need_id: int, **values: object) -> None:
    with make.app.app_context():
        need = db.session.get(Need, need_id)
        for key, value in values.items():
            setattr(need, key, value)
        commit()


@pytest.fixture(scope="module")
def market(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Market]:
    """Built once per module (SHARED_DATABASE = True there), on an index of its own; wiped afterwards."""
    from market.matching import engine
    from tests.conftest import wipe_database

    old = dict(app.config)
    app.config.update(INDEX_SYNC=True, INDEX_DIR=str(tmp_path_factory.mktemp("assistant-index")))
    engine.forget_open_indexes()
    try:
        yield build_market(Factory(app))
    finally:
        engine.forget_open_indexes()
        app.config.update(INDEX_SYNC=old["INDEX_SYNC"], INDEX_DIR=old["INDEX_DIR"])
        wipe_database(app)


def build_market(make: Factory) -> Market:
    moulders = [_provider(make, "materials", *p) for p in MOULDING]
    for p in BATTERY:
        _provider(make, "ev", *p)
    for p in COLD_CHAIN:
        _provider(make, "agri", *p)
    owner = make.user("enterprise")
    other = make.user("enterprise")
    solved = make.need(
        other,
        status="pending",
        title="注塑外壳翘曲变形装配困难",
        description="聚丙烯注塑外壳冷却后翘曲变形，装配时卡不上，希望优化模具冷却和注塑工艺。",
        field_code="materials",
    )
    open_need = make.need(
        other,
        status="pending",
        title="塑料外壳放置后变形",
        description="注塑塑料外壳放置一天后变形，尺寸超差，装配不上，想找人看看原因。",
        field_code="materials",
    )
    for need_id in (solved, open_need):
        _set(make, need_id, status="approved")  # indexed (its query vector stored) while public
    with make.app.app_context():
        need = db.session.get(Need, solved)
        order = Order(
            origin="invited",
            status="signed",
            organisation_id=need.organisation_id,
            provider_id=moulders[0],
            need_id=solved,
            created_by_id=other,
            province="32",
            title=need.title,
        )
        db.session.add(order)
        db.session.flush()
        need.status, need.solved_how, need.solved_order_id = "solved", "platform", order.id
        commit()
    return Market(owner, solved, moulders[0], open_need, moulders)
