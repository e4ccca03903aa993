"""The sub-field migration on a database that already holds fields and a need: it seeds the
sub-fields of the fields present, the need keeps working with no sub-field, and it downgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from market import create_app, taxonomy

REVISION = "e1f2a3b40017"
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _before() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    down = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


def _filler(declared: str) -> object:
    declared = declared.upper()
    if "INT" in declared or "BOOL" in declared or "NUMERIC" in declared:
        return 1
    if "DATE" in declared or "TIME" in declared:
        return "2026-01-01 00:00:00"
    return "x"


def _insert_need(path: Path) -> None:
    """A need row as an older version wrote it (every required column filled; foreign keys are not
    checked by a bare sqlite3 connection, so no organisation or author is needed)."""
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO fields (code, name_zh, name_en, position) VALUES (?, ?, ?, ?)",
            [("manufacturing", "智能制造与机器人", "Smart manufacturing", 0), ("ev", "新能源汽车", "EV", 1)],
        )
        columns = conn.execute("PRAGMA table_info(needs)").fetchall()
        values = {name: _filler(kind) for _cid, name, kind, notnull, default, _pk in columns if notnull}
        values.update(id=7, field_code="manufacturing", title="注塑件缩痕")
        names = ", ".join(values)
        conn.execute(
            f"INSERT INTO needs ({names}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        )


def test_upgrade_seeds_sub_fields_of_present_fields_and_keeps_needs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision=_before())
    _insert_need(path)
    with app.app_context():
        upgrade(revision=REVISION)
    with sqlite3.connect(path) as conn:
        seeded = conn.execute("SELECT field_code, count(*) FROM subfields GROUP BY field_code").fetchall()
        need = conn.execute("SELECT title, field_code, subfield_code FROM needs WHERE id = 7").fetchone()
    assert dict(seeded) == {code: len(taxonomy.SUBFIELDS[code]) for code in ("manufacturing", "ev")}
    assert need == ("注塑件缩痕", "manufacturing", None)
    with app.app_context():
        downgrade(revision=_before())
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("SELECT title FROM needs WHERE id = 7").fetchone() == ("注塑件缩痕",)
    assert not {"subfields", "provider_subfields"} & tables
