"""Backup → wipe → restore round-trips every row, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from market.attachments.models import NeedAttachment
from market.db import db
from market.needs.models import Need


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
            for t in db.metadata.sorted_tables
        }


def _wipe(app: Flask) -> None:
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


def test_backup_and_restore_round_trip(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    need_id = make.need(owner, status="approved", title="冷库能耗太高")
    provider_id = make.provider_id_of(make.user("provider"))
    make.achievement(provider_id)
    make.service(provider_id)
    make.user("broker", regions=("32", "33"))
    content = b"%PDF-1.7 \x00\xff binary drawing"
    with app.app_context():
        from market.attachments.services import add_attachment
        from market.auth.models import User

        add_attachment(
            db.session.get(User, owner), db.session.get(Need, need_id), "图纸.pdf", content, confidential=True
        )
        db.session.commit()
    before = _counts(app)
    runner = app.test_cli_runner()
    path = tmp_path / "kechuang.jsonl.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0

    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0 and "already has users" in refused.output

    _wipe(app)
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert _counts(app) == before
    assert make.get(Need, need_id).title == "冷库能耗太高"
    with app.app_context():
        assert db.session.scalar(select(NeedAttachment.data)) == content  # bytes survive the JSON lines
    # New rows continue after the restored ids (PostgreSQL sequences were moved on).
    assert make.need(owner) > need_id


def test_restore_rejects_a_file_that_is_not_a_backup(app: Flask, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gz"
    bogus.write_bytes(b"not gzip")
    result = app.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0
    assert "not a readable backup" in result.output
