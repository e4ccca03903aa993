"""Random helpers and generators for invented person, company and organisation names."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from market import taxonomy
from market.demo.topics import Topic
from market.demo.vocab_fields import FIELD_WORDS
from market.demo.vocab_people import (
    BRAND_CHARS,
    COMPANY_SUFFIXES,
    ENTERPRISE_WEIGHT,
    GIVEN_CHARS,
    MACRO_REGION,
    PROVIDER_WEIGHT,
    PROVINCE_SHORT,
    SURNAMES,
)

T = TypeVar("T")

_PROVINCES: tuple[str, ...] = taxonomy.codes(taxonomy.PROVINCES)
_FIELD_ZH: dict[str, str] = {t.code: t.zh for t in taxonomy.FIELDS}


def field_zh(code: str) -> str:
    return _FIELD_ZH[code]


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def picks(rng: random.Random, items: Sequence[T], k: int) -> list[T]:
    """Up to k distinct items, in random order."""
    return rng.sample(list(items), min(k, len(items)))


def person_name(rng: random.Random) -> str:
    given = pick(rng, GIVEN_CHARS)
    # Two-character given names are the norm; one in five is a single character.
    if rng.random() < 0.8:
        given += pick(rng, GIVEN_CHARS)
    return pick(rng, SURNAMES) + given


def region(rng: random.Random, weights: dict[str, int]) -> tuple[str, str]:
    """A (province, city) pair; unlisted provinces keep weight 1 so every one can appear."""
    province = rng.choices(_PROVINCES, weights=[weights.get(p, 1) for p in _PROVINCES])[0]
    return province, pick(rng, taxonomy.CITIES[province]).code


def provider_region(rng: random.Random) -> tuple[str, str]:
    return region(rng, PROVIDER_WEIGHT)


def enterprise_region(rng: random.Random) -> tuple[str, str]:
    return region(rng, ENTERPRISE_WEIGHT)


def city_short(city: str) -> str:
    province = taxonomy.city_province(city)
    name = next(t.zh for t in taxonomy.CITIES[province] if t.code == city)
    return name.removesuffix("市")


def province_name(province: str) -> str:
    return taxonomy.label(taxonomy.PROVINCES, province)


def company_name(rng: random.Random, city: str, field: str) -> str:
    brand = pick(rng, BRAND_CHARS) + pick(rng, BRAND_CHARS)
    while brand[0] == brand[1]:
        brand = brand[0] + pick(rng, BRAND_CHARS)
    return city_short(city) + brand + pick(rng, FIELD_WORDS[field].industry) + pick(rng, COMPANY_SUFFIXES)


def university_unit(rng: random.Random, province: str, field: str) -> str:
    """An anonymised academic affiliation such as "华东某理工大学材料科学与工程学院"."""
    words = FIELD_WORDS[field]
    place = MACRO_REGION[province] if rng.random() < 0.6 else PROVINCE_SHORT[province]
    return f"{place}某{pick(rng, words.universities)}{pick(rng, words.colleges)}"


def expert_affiliation(rng: random.Random, province: str, topic: Topic) -> str:
    roll = rng.random()
    if roll < 0.65:
        return university_unit(rng, province, topic.field)
    if roll < 0.85:
        return f"{province_name(province)}属科研院所{pick(rng, FIELD_WORDS[topic.field].industry)}研究室"
    return f"某{pick(rng, FIELD_WORDS[topic.field].industry)}企业集团中央研究院"


def society_name(rng: random.Random, province: str, city: str, field: str) -> tuple[str, str]:
    """(name, level title): most societies are province-wide, some belong to a city."""
    society = FIELD_WORDS[field].society
    level = "行业协会" if society.endswith("协会") else "学会"
    if rng.random() < 0.7 or len(taxonomy.CITIES[province]) == 1:
        return province_name(province) + society, "省级" + level
    return city_short(city) + "市" + society, "市级" + level


def team_name(rng: random.Random, province: str, city: str, topic: Topic) -> str:
    roll = rng.random()
    if roll < 0.4:
        return f"{city_short(city)}科协{topic.name}科技服务团"
    if roll < 0.7:
        return f"{PROVINCE_SHORT[province]}{field_zh(topic.field)}专家服务团"
    return f"{PROVINCE_SHORT[province]}{topic.name}技术服务团队"


def institution_name(rng: random.Random, province: str, city: str, topic: Topic) -> str:
    roll = rng.random()
    if roll < 0.45:
        return university_unit(rng, province, topic.field)
    if roll < 0.75:
        return f"{city_short(city)}{pick(rng, FIELD_WORDS[topic.field].industry)}产业技术研究院"
    return f"{PROVINCE_SHORT[province]}{topic.name}工程技术研究中心"
