"""Form helpers shared by features: choice lists in the current language, JSON input for the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation

from market import taxonomy
from market.i18n import current_language
from market.i18n import gettext as _
from market.reference import services as reference
from market.text import text_problem, unstorable


def term_choices(terms: Iterable[taxonomy.Term], blank: str | None = None) -> list[tuple[str, str]]:
    lang = current_language()
    choices = [(t.code, t.zh if lang == "zh" else t.en) for t in terms]
    return [("", blank), *choices] if blank is not None else choices


def field_choices(blank: str | None = None) -> list[tuple[str, str]]:
    lang = current_language()
    choices = [(code, zh if lang == "zh" else en) for code, zh, en in reference.field_choices()]
    return [("", blank), *choices] if blank is not None else choices


def subfield_choices(blank: str | None = None) -> dict[str | None, list[tuple[str, str]]]:
    """Active sub-fields grouped by field (rendered as <optgroup>s); a blank choice first when given."""
    lang = current_language()
    groups: dict[str | None, list[tuple[str, str]]] = {None: [("", blank)]} if blank is not None else {}
    for sub in reference.subfield_choices():
        groups.setdefault(reference.field_name(sub.field_code, lang), []).append((sub.code, sub.name(lang)))
    return groups


def subfield_filter_choices(field_code: str | None, blank: str) -> list[tuple[str, str]]:
    """A list filter's sub-fields: those of the chosen field, or all of them named with their field."""
    lang = current_language()
    choices = [
        (sub.code, sub.name(lang) if field_code else reference.subfield_label(sub.code, lang))
        for sub in reference.subfield_choices(field_code)
    ]
    return [("", blank), *choices]


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


def refuse_unstorable(_form: Any, field: Any) -> None:
    """First validator of every field: later ones (e.g. "email taken") may query with the value.

    Passwords are only hashed, never shown or exported, so only what cannot be stored matters there;
    every other field also refuses control characters, and single-line fields line breaks.
    """
    if not isinstance(field.data, str):
        return
    if isinstance(field, PasswordField):
        problem = _("不能包含 NUL 等无法保存的字符。") if unstorable(field.data) else None
    else:
        problem = text_problem(field.data, multiline=isinstance(field, TextAreaField))
    if problem:
        raise StopValidation(problem)


class BaseForm(FlaskForm):
    """Every form of the site: text and choices are stripped before their rules run, and text no
    database can store (NUL, lone surrogates) or no export can hold (control characters; line breaks
    outside text areas) is an error on its field instead of a 500 or a silent change.

    Choices are stripped too because WTForms' Optional() treats " " as blank, stops validation and
    clears the choice check's error: unstripped, a city of " " reached the database (a foreign-key
    500). Stripped, a blank choice is "" before any rule runs, which every form reads as "none".
    """

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            kwargs = unbound_field.kwargs
            options = {**options, "validators": (refuse_unstorable, *(kwargs.get("validators") or ()))}
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField | SelectField) and not issubclass(
                field_class, PasswordField
            ):
                options["filters"] = (strip_text, *(kwargs.get("filters") or ()))
            return unbound_field.bind(form=form, **options)
