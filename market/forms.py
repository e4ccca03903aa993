"""Form helpers shared by features: choice lists in the current language, JSON input for the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MultiDict

from market import taxonomy
from market.i18n import current_language
from market.i18n import gettext as _
from market.reference import services as reference


def term_choices(terms: Iterable[taxonomy.Term], blank: str | None = None) -> list[tuple[str, str]]:
    lang = current_language()
    choices = [(t.code, t.zh if lang == "zh" else t.en) for t in terms]
    return [("", blank), *choices] if blank is not None else choices


def field_choices(blank: str | None = None) -> list[tuple[str, str]]:
    lang = current_language()
    choices = [(code, zh if lang == "zh" else en) for code, zh, en in reference.field_choices()]
    return [("", blank), *choices] if blank is not None else choices


def province_choices(blank: str | None = None) -> list[tuple[str, str]]:
    lang = current_language()
    choices = [(code, zh if lang == "zh" else en) for code, zh, en in reference.province_choices()]
    return [("", blank), *choices] if blank is not None else choices


def city_choices(blank: str | None = None) -> list[tuple[str, str]]:
    lang = current_language()
    choices = [(code, zh if lang == "zh" else en) for code, zh, en in reference.city_choices()]
    return [("", blank or _("（不限城市）")), *choices]


class WrongType(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def json_to_formdata(payload: Any, list_fields: Iterable[str] = ()) -> MultiDict[str, str]:
    """Flatten a JSON object into the form data WTForms validates, refusing nested values.

    Going through the same forms as the web pages keeps one set of validation rules and messages.
    """
    if not isinstance(payload, dict):
        raise WrongType("body")
    multi: MultiDict[str, str] = MultiDict()
    list_names = set(list_fields)
    for key, value in payload.items():
        if key in list_names:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise WrongType(key)
            for item in value:
                multi.add(key, item)
        elif isinstance(value, bool):
            if value:
                multi.add(key, "y")
        elif value is None:
            continue
        elif isinstance(value, str | int | float):
            multi.add(key, str(value))
        else:
            raise WrongType(key)
    return multi


def city_in_province(province: str | None, city: str | None) -> bool:
    if not city:
        return True
    return reference.region_names().get(city, ("", "", None))[2] == province


def strip_text(value: Any) -> Any:
    """A WTForms filter: length rules apply to what is stored, not to the padding around it."""
    return value.strip() if isinstance(value, str) else value
