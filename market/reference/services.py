"""Seeding and cached look-ups of fields and regions."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from market import taxonomy
from market.db import db
from market.reference.models import Field, Region


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
    field_choices.cache_clear()
    region_names.cache_clear()


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
