"""Seeding and cached look-ups of fields, sub-fields and regions."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import select

from market import taxonomy
from market.db import db
from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.reference.models import Field, Region, SubField


def seed_reference_data() -> None:
    """Insert the seed taxonomy where it is missing; never overwrites admin edits."""
    existing_fields = set(db.session.scalars(select(Field.code)))
    for position, term in enumerate(taxonomy.FIELDS):
        if term.code not in existing_fields:
            db.session.add(Field(code=term.code, name_zh=term.zh, name_en=term.en, position=position))
    existing_regions = set(db.session.scalars(select(Region.code)))
    for province in taxonomy.PROVINCES:
        if province.code not in existing_regions:
            db.session.add(Region(code=province.code, name_zh=province.zh, name_en=province.en))
    db.session.flush()
    for province_code, cities in taxonomy.CITIES.items():
        for city in cities:
            if city.code not in existing_regions:
                db.session.add(
                    Region(code=city.code, parent_code=province_code, name_zh=city.zh, name_en=city.en)
                )
    db.session.flush()
    seed_subfields()
    clear_caches()


def seed_subfields() -> None:
    """Insert the seed sub-fields missing under fields that exist (a field an admin deleted gets none)."""
    fields = set(db.session.scalars(select(Field.code)))
    existing = set(db.session.scalars(select(SubField.code)))
    taken = {(f, n) for f, n in db.session.execute(select(SubField.field_code, SubField.name_zh))}
    for field_code, terms in taxonomy.SUBFIELDS.items():
        if field_code not in fields:
            continue
        for position, term in enumerate(terms):
            if term.code in existing or (field_code, term.zh) in taken:
                continue
            db.session.add(
                SubField(
                    code=term.code, field_code=field_code, name_zh=term.zh, name_en=term.en, position=position
                )
            )
    db.session.flush()


@lru_cache(maxsize=1)
def field_choices() -> tuple[tuple[str, str, str], ...]:
    """(code, zh, en) of every field in display order."""
    rows = db.session.scalars(select(Field).order_by(Field.position, Field.code))
    return tuple((f.code, f.name_zh, f.name_en) for f in rows)


@lru_cache(maxsize=1)
def region_names() -> dict[str, tuple[str, str, str | None]]:
    """code -> (zh, en, parent code) for every region."""
    rows = db.session.scalars(select(Region))
    return {r.code: (r.name_zh, r.name_en, r.parent_code) for r in rows}


def province_choices() -> list[tuple[str, str, str]]:
    return sorted((code, zh, en) for code, (zh, en, parent) in region_names().items() if parent is None)


def city_choices(province: str | None = None) -> list[tuple[str, str, str]]:
    return sorted(
        (code, zh, en)
        for code, (zh, en, parent) in region_names().items()
        if parent is not None and (province is None or parent == province)
    )


def field_name(code: str | None, lang: str = "zh") -> str:
    for field_code, zh, en in field_choices():
        if field_code == code:
            return zh if lang == "zh" else en
    return code or ""


def region_name(code: str | None, lang: str = "zh") -> str:
    if not code:
        return ""
    zh, en, _ = region_names().get(code, (code, code, None))
    return zh if lang == "zh" else en


def clear_caches() -> None:
    field_choices.cache_clear()
    region_names.cache_clear()
    subfields.cache_clear()


class SubFieldRow(NamedTuple):
    code: str
    field_code: str
    zh: str
    en: str
    active: bool

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@lru_cache(maxsize=1)
def subfields() -> dict[str, SubFieldRow]:
    """code -> sub-field, every one (active or not), in display order (field's, then its own)."""
    rows = db.session.execute(
        select(SubField.code, SubField.field_code, SubField.name_zh, SubField.name_en, SubField.active)
        .join(Field, Field.code == SubField.field_code)
        .order_by(Field.position, Field.code, SubField.position, SubField.code)
    )
    return {row.code: SubFieldRow(*row) for row in rows}


def subfield_choices(field_code: str | None = None) -> list[SubFieldRow]:
    """Active sub-fields, of one field or of all, in display order: what forms and filters offer."""
    return [s for s in subfields().values() if s.active and (not field_code or s.field_code == field_code)]


def subfield_name(code: str | None, lang: str = "zh") -> str:
    found = subfields().get(code or "")
    return found.name(lang) if found else (code or "")


def subfield_label(code: str | None, lang: str = "zh") -> str:
    """The sub-field with its field, "新材料 / 高分子材料", for places that show it alone."""
    found = subfields().get(code or "")
    if found is None:
        return code or ""
    return f"{field_name(found.field_code, lang)} / {found.name(lang)}"


def subfield_under(code: str, field_codes: Iterable[str]) -> bool:
    """Whether `code` is an active sub-field of one of the fields."""
    found = subfields().get(code)
    return found is not None and found.active and found.field_code in set(field_codes)


def check_subfields(
    field_codes: Iterable[str], subfield_codes: Iterable[str], name: str = "subfields"
) -> list[str]:
    """The sub-field codes, each known, active and under one of the given fields; else ValidationFailed.

    Forms give the message on the sub-field input; services call this again so that no posting is
    ever stored with a sub-field of another field, whichever way it came in.
    """
    fields = set(field_codes)
    checked: list[str] = []
    for code in dict.fromkeys(subfield_codes):
        found = subfields().get(code)
        if found is None or not found.active:
            message = _("细分领域“{code}”不存在或已停用。", code=code)
            raise ValidationFailed(message, field_errors={name: [message]})
        if found.field_code not in fields:
            raise ValidationFailed(
                _("细分领域“{name}”不属于所选技术领域。", name=found.zh),
                field_errors={name: [_("细分领域须属于所选技术领域。")]},
            )
        checked.append(code)
    return checked
