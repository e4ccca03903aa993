"""`market import needs|providers FILE [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from market.auth.models import User
from market.db import db
from market.imports.models import ImportBatch
from market.needs.models import Need
from market.providers.models import Provider
from tests.imports.helpers import csv_bytes, need_row, provider_rows, xlsx_bytes


def _email(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_dry_run_then_import(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make.user("admin")
    path = tmp_path / "needs.csv"
    path.write_bytes(csv_bytes("needs", [need_row(), need_row()], "gbk"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "needs", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 rows valid (csv/gbk)" in dry.output and _count(app, Need) == 0
    done = runner.invoke(args=["import", "needs", str(path)])
    assert done.exit_code == 0, done.output
    assert "imported needs.csv: 2 needs" in done.output and "market index sync" in done.output
    assert _count(app, Need) == 2 and _count(app, ImportBatch) == 1


def test_errors_exit_non_zero_and_write_nothing(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broker = make.user("broker", regions=("32",))
    path = tmp_path / "providers.xlsx"
    rows = [*provider_rows(), *provider_rows("赵强", province="浙江省")]
    rows[4]["城市"] = ""
    path.write_bytes(xlsx_bytes("providers", rows))
    result = app.test_cli_runner().invoke(
        args=["import", "providers", str(path), "--as", _email(app, broker)]
    )
    assert result.exit_code != 0
    assert "第 5 行，省份：该省份不在你负责的地区" in result.output
    assert "nothing was imported" in result.output
    assert _count(app, Provider) == 0


def test_refuses_unreadable_files_and_non_brokers(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    enterprise = make.user("enterprise")
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    runner = app.test_cli_runner()
    assert "no active admin" in runner.invoke(args=["import", "needs", str(path)]).output
    denied = runner.invoke(args=["import", "needs", str(path), "--as", _email(app, enterprise)])
    assert denied.exit_code != 0 and "cannot import" in denied.output
    make.user("admin")
    bad = runner.invoke(args=["import", "needs", str(path)])
    assert bad.exit_code != 0 and "请上传 CSV 或 .xlsx" in bad.output
