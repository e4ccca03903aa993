"""Turning what people type in spreadsheets into codes: a code, a Chinese or English name all work.

`Lookups` is built once per validation pass from the live taxonomy (fields and regions are
admin-editable) and the fixed vocabularies in market.taxonomy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from market import taxonomy
from market.reference import services as reference

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "无", "不"}
_SPLIT = re.compile(r"[;；,，、|/\n]+")
# Sub-field names may hold "/" or "," ("CAD/CAE 设计仿真"): a list of them splits on fewer marks.
_SPLIT_NAMES = re.compile(r"[;；、|\n]+")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _vocabulary(terms: tuple[taxonomy.Term, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for term in terms:
        for name in (term.code, term.zh, term.en):
            table.setdefault(_key(name), term.code)
    return table


@dataclass
class Lookups:
    fields: dict[str, str] = field(default_factory=dict)
    subfields: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> name -> sub-field code
    subfield_codes: set[str] = field(default_factory=set)
    provinces: dict[str, str] = field(default_factory=dict)
    cities: dict[str, dict[str, str]] = field(default_factory=dict)  # province -> name -> city code
    city_codes: set[str] = field(default_factory=set)
    terms: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        lookups = cls(
            terms={
                "kind": _vocabulary(taxonomy.PROVIDER_KINDS),
                "cooperation_mode": _vocabulary(taxonomy.COOPERATION_MODES),
                "achievement_kind": _vocabulary(taxonomy.ACHIEVEMENT_KINDS),
                "service_category": _vocabulary(taxonomy.SERVICE_CATEGORIES),
                "service_delivery_mode": _vocabulary(taxonomy.DELIVERY_MODES),
            }
        )
        for code, zh, en in reference.field_choices():
            for name in (code, zh, en):
                lookups.fields.setdefault(_key(name), code)
        for sub in reference.subfield_choices():
            lookups.subfield_codes.add(sub.code)
            per_field = lookups.subfields.setdefault(sub.field_code, {})
            for name in (sub.code, sub.zh, sub.en):
                per_field.setdefault(_key(name), sub.code)
        for code, (zh, en, parent) in reference.region_names().items():
            names = (code, zh, en, _short(zh))
            if parent is None:
                for name in names:
                    lookups.provinces.setdefault(_key(name), code)
            else:
                lookups.city_codes.add(code)
                per_province = lookups.cities.setdefault(parent, {})
                for name in names:
                    per_province.setdefault(_key(name), code)
        return lookups

    def field(self, text: str) -> str | None:
        return self.fields.get(_key(text))

    def subfield(self, field_codes: list[str], text: str) -> str | None:
        """An active sub-field named in one of the fields; a bare code is returned as is (the form then
        says when it belongs to another field)."""
        if text in self.subfield_codes:
            return text
        for code in field_codes:
            if found := self.subfields.get(code, {}).get(_key(text)):
                return found
        return None

    def province(self, text: str) -> str | None:
        return self.provinces.get(_key(text))

    def city(self, province: str | None, text: str) -> str | None:
        """A city of the province; a bare city code is returned as is, the form then checks the province."""
        if text in self.city_codes:
            return text
        return self.cities.get(province or "", {}).get(_key(text))

    def term(self, vocabulary: str, text: str) -> str | None:
        return self.terms[vocabulary].get(_key(text))


def split_list(text: str, names: bool = False) -> list[str]:
    splitter = _SPLIT_NAMES if names else _SPLIT
    return [part.strip() for part in splitter.split(text) if part.strip()]


def parse_bool(text: str) -> bool | None:
    word = _key(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_number(text: str) -> str:
    """Spreadsheet numbers as plain integers where whole: '50.0' and '1,000' become '50' and '1000'."""
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        number = float(cleaned)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else cleaned
