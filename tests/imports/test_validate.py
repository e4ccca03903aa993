"""Row validation: the web forms' rules, names or codes, row-numbered errors and broker scope."""

from __future__ import annotations

from flask import Flask

from market.auth.models import User
from market.db import db
from market.imports import batches
from market.imports.reading import read_table
from market.imports.validate import records_from_rows
from tests.imports.helpers import csv_bytes, need_row, provider_rows


def _check(app: Flask, user_id: int, kind: str, rows: list[dict[str, str]]) -> tuple[list, list]:
    with app.app_context():
        actor = db.session.get(User, user_id)
        table = read_table(csv_bytes(kind, rows), kind, "x.csv")
        return batches.validate_records(kind, actor, records_from_rows(kind, table.rows))


def test_names_and_codes_resolve_to_the_same_values(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.user("admin")
    coded = need_row(
        **{"技术领域": "manufacturing", "省份": "32", "城市": "3205", "合作方式": "develop", "揭榜挂帅": "是"}
    )
    short = need_row(**{"省份": "江苏", "城市": "苏州", "揭榜挂帅": "Y"})
    valid, errors = _check(app, admin, "needs", [need_row(), coded, short])
    assert errors == []
    first, second, third = (v.values for v in valid)
    assert first["field_code"] == second["field_code"] == "manufacturing"
    assert first["province"] == third["province"] == "32"
    assert first["city"] == third["city"] == "3205"
    assert second["is_open_call"] and not first["is_open_call"]


def test_errors_carry_row_number_and_column(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.user("admin")
    rows = [
        need_row(),
        need_row(**{"需求标题": "短", "技术领域": "量子计算"}),
        need_row(**{"城市": "杭州市", "预算下限（万元）": "90", "预算上限（万元）": "10"}),
        need_row(**{"截止日期": "2001-01-01", "揭榜挂帅": "也许", "企业名称": ""}),
    ]
    valid, errors = _check(app, admin, "needs", rows)
    assert len(valid) == 1
    found = {(e.row, e.column) for e in errors}
    assert {
        (3, "需求标题"),
        (3, "技术领域"),
        (4, "城市"),
        (4, "预算上限（万元）"),
        (5, "截止日期"),
        (5, "揭榜挂帅"),
        (5, "企业名称"),
    } <= found
    messages = {(e.row, e.column): e.message for e in errors}
    assert "量子计算" in messages[(3, "技术领域")]
    assert (
        messages[(4, "预算上限（万元）")] == "预算上限不能低于下限。"
    )  # the NeedForm's own rule and message
    assert str(errors[0]).startswith("第 3 行，")


def test_broker_may_only_import_in_their_provinces(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    broker = make.user("broker", regions=("32",))
    rows = [need_row(), need_row(**{"省份": "浙江省", "城市": "杭州市"})]
    valid, errors = _check(app, broker, "needs", rows)
    assert len(valid) == 1
    assert [(e.row, e.column) for e in errors] == [(3, "省份")]
    assert "不在你负责的地区" in errors[0].message


def test_provider_rows_with_achievements_and_services(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.user("admin")
    rows = [*provider_rows(), {"记录类型": "成果", "成果类型": "专著", "成果名称": "短"}]
    valid, errors = _check(app, admin, "providers", rows)
    assert [v.record for v in valid] == ["provider", "achievement", "service"]
    assert valid[0].values["field_codes"] == ["manufacturing", "materials"]
    assert valid[1].parent == valid[0].ordinal
    assert {(e.row, e.column) for e in errors} == {(5, "成果类型"), (5, "成果名称")}


def test_orphan_items_and_unknown_record_types(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.user("admin")
    rows = [provider_rows()[1], {"记录类型": "专利", "名称": "x"}, *provider_rows()]
    rows[2]["技术领域"] = "新材料；化工；生物医药；中医药"
    _valid, errors = _check(app, admin, "providers", rows)
    assert (2, "记录类型") in {(e.row, e.column) for e in errors}
    assert (3, "记录类型") in {(e.row, e.column) for e in errors}
    assert any(e.row == 4 and e.column == "技术领域" and "3" in e.message for e in errors)
