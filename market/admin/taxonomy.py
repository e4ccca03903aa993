"""Admin changes to the taxonomy: technical fields and regions. Every change is audited."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, exists, func, or_, select

from market.admin.audit import record
from market.db import db
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.messages import Message, build
from market.needs.models import Need
from market.providers.models import provider_fields, provider_subfields
from market.reference.models import NAME_EN_MAX, NAME_ZH_MAX, Field, Region, SubField
from market.text import text_problem

FIELD_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


def _names(zh: str, en: str) -> tuple[str, str]:
    zh, en = (zh or "").strip(), (en or "").strip()
    for name in (zh, en):
        if problem := text_problem(name, multiline=False):
            raise ValidationFailed(problem)
    if not 1 <= len(zh) <= NAME_ZH_MAX:
        raise ValidationFailed(_("中文名称必填，最多 {n} 字。", n=NAME_ZH_MAX))
    if not 1 <= len(en) <= NAME_EN_MAX:
        raise ValidationFailed(_("英文名称必填，最多 {n} 个字符。", n=NAME_EN_MAX))
    return zh, en


def _renamed(before_zh: str, before_en: str, zh: str, en: str) -> Message:
    return build("admin.renamed", before_zh=before_zh, before_en=before_en, zh=zh, en=en)


def _field(code: str) -> Field:
    field = db.session.get(Field, code)
    if field is None:
        raise NotFound(_("领域不存在。"))
    return field


def _unique_field_name(zh: str, code: str | None = None) -> None:
    clash = db.session.scalar(select(Field.code).where(Field.name_zh == zh, Field.code != (code or "")))
    if clash:
        raise Conflict(_("已有同名领域：{code}。", code=clash))


def add_field(actor: Any, code: str, zh: str, en: str) -> Field:
    code = (code or "").strip().lower()
    if not FIELD_CODE.match(code):
        raise ValidationFailed(_("代码须为 2–40 位小写字母、数字、- 或 _，以字母开头。"))
    if db.session.get(Field, code) is not None:
        raise Conflict(_("领域代码 {code} 已存在。", code=code))
    zh, en = _names(zh, en)
    _unique_field_name(zh)
    position = (db.session.scalar(select(func.max(Field.position))) or 0) + 1
    field = Field(code=code, name_zh=zh, name_en=en, position=position)
    db.session.add(field)
    record(actor, "field.add", code, build("admin.names", zh=zh, en=en), taxonomy=True)
    return field


def rename_field(actor: Any, code: str, zh: str, en: str) -> Field:
    field = _field(code)
    zh, en = _names(zh, en)
    _unique_field_name(zh, code)
    renamed = _renamed(field.name_zh, field.name_en, zh, en)
    field.name_zh, field.name_en = zh, en
    record(actor, "field.rename", code, renamed, taxonomy=True)
    return field


def swap_with_neighbour(ordered: list[Any], index: int, direction: int) -> bool:
    """Swap ordered[index] with its neighbour above (-1) or below (+1) and renumber `position` 0..n-1;
    False (nothing changed) at either end. Fields and sub-fields are reordered the same way."""
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    return True


def move_field(actor: Any, code: str, direction: int) -> None:
    """Swap a field with its neighbour above (-1) or below (+1); positions are renumbered 0..n-1."""
    ordered = list(db.session.scalars(select(Field).order_by(Field.position, Field.code)))
    index = next((i for i, f in enumerate(ordered) if f.code == code), None)
    if index is None:
        raise NotFound(_("领域不存在。"))
    if not swap_with_neighbour(ordered, index, direction):
        return
    record(
        actor,
        "field.move",
        code,
        build("admin.moved_down" if direction > 0 else "admin.moved_up"),
        taxonomy=True,
    )


def field_usage(code: str) -> int:
    needs = db.session.scalar(select(func.count()).select_from(Need).where(Need.field_code == code)) or 0
    providers = (
        db.session.scalar(
            select(func.count()).select_from(provider_fields).where(provider_fields.c.field_code == code)
        )
        or 0
    )
    return needs + providers


def delete_field(actor: Any, code: str) -> None:
    field = _field(code)
    used = field_usage(code)
    if used:
        raise Conflict(
            _("领域“{name}”仍被 {n} 条需求或服务方使用，不能删除；可以改名。", name=field.name_zh, n=used)
        )
    _delete_subfields(code)
    db.session.delete(field)
    record(
        actor, "field.delete", code, build("admin.names", zh=field.name_zh, en=field.name_en), taxonomy=True
    )


def _delete_subfields(field_code: str) -> None:
    """An unused field's sub-fields go with it (none is held by a posting of another field)."""
    codes = select(SubField.code).where(SubField.field_code == field_code)
    held = db.session.scalar(
        select(
            or_(
                exists().where(Need.subfield_code.in_(codes)),
                exists().where(provider_subfields.c.subfield_code.in_(codes)),
            )
        )
    )
    if held:
        raise Conflict(_("该领域的细分领域仍被使用，不能删除。"))
    db.session.execute(delete(SubField).where(SubField.field_code == field_code))


def add_city(actor: Any, province: str, code: str, zh: str, en: str) -> Region:
    parent = db.session.get(Region, province)
    if parent is None or parent.parent_code is not None:
        raise NotFound(_("省份不存在。"))
    code = (code or "").strip()
    if not re.fullmatch(r"\d{4}", code) or not code.startswith(province):
        raise ValidationFailed(_("城市代码须为 4 位数字，且以所属省份代码 {p} 开头。", p=province))
    if db.session.get(Region, code) is not None:
        raise Conflict(_("地区代码 {code} 已存在。", code=code))
    zh, en = _names(zh, en)
    if db.session.scalar(select(exists().where(Region.parent_code == province, Region.name_zh == zh))):
        raise Conflict(_("该省已有同名城市。"))
    city = Region(code=code, parent_code=province, name_zh=zh, name_en=en)
    db.session.add(city)
    record(
        actor, "region.add", code, build("admin.city_added", province=province, zh=zh, en=en), taxonomy=True
    )
    return city


def rename_region(actor: Any, code: str, zh: str, en: str) -> Region:
    region = db.session.get(Region, code)
    if region is None:
        raise NotFound(_("地区不存在。"))
    zh, en = _names(zh, en)
    renamed = _renamed(region.name_zh, region.name_en, zh, en)
    region.name_zh, region.name_en = zh, en
    record(actor, "region.rename", code, renamed, taxonomy=True)
    return region
