"""Backup → wipe → restore round-trips every row, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
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


def _need_and_order(app: Flask, owner_id: int, provider_id: int) -> None:
    """One need and an order on it, committed together from this thread's own connection."""
    from market.auth.models import User
    from market.db import commit
    from market.orders import services
    from market.providers.models import Provider

    with app.app_context():
        owner = db.session.get(User, owner_id)
        need = Need(
            organisation_id=owner.organisation_id,
            author_id=owner.id,
            title="备份期间新写入的需求",
            description="备份读取各表之间提交的需求，连同它的订单一起写入。",
            field_code="ev",
            province="32",
            cooperation_mode="develop",
            status="approved",
        )
        db.session.add(need)
        db.session.flush()
        services.invite(owner, need, db.session.get(Provider, provider_id), message="并发写入")
        commit()


def test_backup_is_one_snapshot_while_needs_and_orders_are_written(app: Flask, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, point 11: a need and its order committed after the backup read `needs` but before it
    read `orders` gave a file whose order had no need, and the restore failed. The writer is released
    exactly there (when the backup first reads `orders`); the backup must see neither row or both.

    PostgreSQL: the REPEATABLE READ snapshot hides both and the writer commits at once. SQLite: the
    read transaction holds its lock, so the writer's commit waits for the backup to finish.
    """
    from sqlalchemy import event

    from market.orders.models import Order

    owner = make.user("enterprise")
    make.need(owner, status="approved")
    provider_id = make.provider_id_of(make.user("provider"))
    make.set_provider_status(provider_id, "approved")
    backup_thread = threading.current_thread()
    writer = threading.Thread(target=_need_and_order, args=(app, owner, provider_id))

    def release_writer(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if (
            threading.current_thread() is backup_thread
            and re.search(r"\bFROM orders\b", statement)
            and writer.ident is None
        ):
            writer.start()
            writer.join(timeout=1.5)  # SQLite: the commit waits for the backup's read lock

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", release_writer)
    path = tmp_path / "under-load.jsonl.gz"
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(path)])
    finally:
        event.remove(engine, "before_cursor_execute", release_writer)
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert writer.ident is not None and not writer.is_alive()
    assert _counts(app)["orders"] == 1  # the concurrent writer did commit its order

    _wipe(app)
    restored = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        need_ids = set(db.session.scalars(select(Need.id)))
        assert set(db.session.scalars(select(Order.need_id))) <= need_ids
