"""Admin changes to sub-fields (细分领域): add, rename, reorder, deactivate and reactivate. Audited.

A sub-field is never deleted: postings keep the one they hold, so it is deactivated instead (no
longer offered in forms and filters, still shown where it is used) and may be reactivated.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import exists, func, select

from market.admin.audit import record
from market.admin.taxonomy import _names, _renamed, swap_with_neighbour
from market.db import db
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.messages import build
from market.needs.models import Need
from market.providers.models import provider_subfields
from market.reference.models import SUBFIELD_CODE_MAX, Field, SubField

# A code names one sub-field across all fields (imports may give the code alone): `<field>-<name>`.
SUBFIELD_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,30}$")


def _field(code: str) -> Field:
    field = db.session.get(Field, code)
    if field is None:
        raise NotFound(_("领域不存在。"))
    return field


def _subfield(code: str) -> SubField:
    subfield = db.session.get(SubField, code)
    if subfield is None:
        raise NotFound(_("细分领域不存在。"))
    return subfield


def _unique_name(field_code: str, zh: str, code: str = "") -> None:
    clash = db.session.scalar(
        select(
            exists().where(SubField.field_code == field_code, SubField.name_zh == zh, SubField.code != code)
        )
    )
    if clash:
        raise Conflict(_("该领域已有同名细分领域：{name}。", name=zh))


def add_subfield(actor: Any, field_code: str, name: str, zh: str, en: str) -> SubField:
    """`name` is the part after the field's code: adding "foam" under materials gives materials-foam."""
    field = _field(field_code)
    name = (name or "").strip().lower()
    code = f"{field.code}-{name}"
    if not SUBFIELD_NAME.match(name) or len(code) > SUBFIELD_CODE_MAX:
        raise ValidationFailed(_("代码须为 1–31 位小写字母、数字、- 或 _。"))
    if db.session.get(SubField, code) is not None:
        raise Conflict(_("细分领域代码 {code} 已存在。", code=code))
    zh, en = _names(zh, en)
    _unique_name(field.code, zh)
    last = db.session.scalar(select(func.max(SubField.position)).where(SubField.field_code == field.code))
    subfield = SubField(
        code=code, field_code=field.code, name_zh=zh, name_en=en, position=(last or 0) + 1, active=True
    )
    db.session.add(subfield)
    record(actor, "subfield.add", code, build("admin.names", zh=zh, en=en), taxonomy=True)
    return subfield


def rename_subfield(actor: Any, code: str, zh: str, en: str) -> SubField:
    subfield = _subfield(code)
    zh, en = _names(zh, en)
    _unique_name(subfield.field_code, zh, code)
    renamed = _renamed(subfield.name_zh, subfield.name_en, zh, en)
    subfield.name_zh, subfield.name_en = zh, en
    record(actor, "subfield.rename", code, renamed, taxonomy=True)
    return subfield


def set_active(actor: Any, code: str, active: bool) -> SubField:
    subfield = _subfield(code)
    if subfield.active != active:
        subfield.active = active
        action = "subfield.activate" if active else "subfield.deactivate"
        record(
            actor, action, code, build("admin.names", zh=subfield.name_zh, en=subfield.name_en), taxonomy=True
        )
    return subfield


def move_subfield(actor: Any, code: str, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1) within its field; positions renumbered 0..n-1."""
    subfield = _subfield(code)
    ordered = list(
        db.session.scalars(
            select(SubField)
            .where(SubField.field_code == subfield.field_code)
            .order_by(SubField.position, SubField.code)
        )
    )
    if not swap_with_neighbour(ordered, ordered.index(subfield), direction):
        return
    record(
        actor,
        "subfield.move",
        code,
        build("admin.moved_down" if direction > 0 else "admin.moved_up"),
        taxonomy=True,
    )


def counts() -> dict[str, int]:
    """Field code -> how many sub-fields it has (active or not)."""
    query = select(SubField.field_code, func.count()).group_by(SubField.field_code)
    return {code: int(n) for code, n in db.session.execute(query)}


def usage(field_code: str) -> dict[str, int]:
    """Sub-field code -> needs and providers holding it, for one field's sub-fields."""
    codes = select(SubField.code).where(SubField.field_code == field_code)
    counts: dict[str, int] = {}
    needs = select(Need.subfield_code, func.count()).where(Need.subfield_code.in_(codes))
    column = provider_subfields.c.subfield_code
    held = select(column, func.count()).where(column.in_(codes)).group_by(column)
    for query in (needs.group_by(Need.subfield_code), held):
        for code, n in db.session.execute(query):
            counts[str(code)] = counts.get(str(code), 0) + int(n)
    return counts
