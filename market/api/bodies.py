"""Reading JSON request bodies and validating them with the web pages' WTForms classes.

Two layers: the JSON *shape* is checked against the schema the OpenAPI document publishes (400 for
unknown fields or wrong types), then the *content* goes through the form (422 with per-field messages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Length, NumberRange

from market.api.errors import BadRequest
from market.errors import ValidationFailed
from market.forms import WrongType, json_to_formdata
from market.i18n import gettext as _
from market.text import unstorable

JSON = dict[str, Any]
F = TypeVar("F", bound=FlaskForm)

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "null": (type(None),),
}


# ---- reading ------------------------------------------------------------------------------------------


def json_object() -> JSON:
    """The request body as a JSON object, or 400."""
    if not request.is_json:
        raise BadRequest(_("请求体必须是 JSON（Content-Type: application/json）。"))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest(_("请求体必须是一个 JSON 对象。"))
    return payload


def optional_json_object() -> JSON:
    """For actions whose body is optional: an empty body is {}, anything else must be a JSON object."""
    if not request.get_data(cache=True):
        return {}
    return json_object()


# ---- shape --------------------------------------------------------------------------------------------


def _types(schema: JSON) -> list[str]:
    kind = schema.get("type", "string")
    return kind if isinstance(kind, list) else [kind]


def _value_ok(value: Any, schema: JSON) -> bool:
    types = _types(schema)
    if isinstance(value, bool):
        return "boolean" in types
    if not any(isinstance(value, _PYTHON_TYPES[t]) for t in types):
        return False
    if isinstance(value, list):
        return all(_value_ok(item, schema.get("items", {})) for item in value)
    return True


def _unstorable(value: Any) -> bool:
    """NUL and lone surrogates fail the JSON shape (400); other control characters reach the form (422)."""
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and unstorable(item) for item in items)


def check_shape(payload: JSON, schema: JSON) -> None:
    """400 with per-field messages for unknown fields and values of the wrong JSON type."""
    properties: JSON = schema["properties"]
    problems: dict[str, list[str]] = {}
    for key, value in payload.items():
        if key not in properties:
            problems[key] = [_("未知字段。")]
        elif _unstorable(value):
            problems[key] = [_("不能包含 NUL 等无法保存的字符。")]
        elif not _value_ok(value, properties[key]):
            expected = " | ".join(_types(properties[key]))
            problems[key] = [_("类型错误，应为 {expected}。", expected=expected)]
    if problems:
        raise BadRequest(_("请求体字段类型不正确。"), field_errors=problems)


# ---- content ------------------------------------------------------------------------------------------


def validated(form_class: type[F], values: JSON, list_fields: Iterable[str] = ()) -> F:
    """Run the web form's validation over JSON values; 400 for wrong types, 422 for invalid content."""
    try:
        formdata = json_to_formdata(values, list_fields=list_fields)
    except WrongType as error:
        message = _("类型错误。")
        raise BadRequest(_("请求体字段类型不正确。"), field_errors={error.field: [message]}) from error
    form = form_class(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors=_flat_errors(form.errors))
    return form


def _flat_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in errors.items() if messages}


def form_defaults(form_class: type[FlaskForm]) -> JSON:
    """What an absent field means on create: a checkbox left out of JSON keeps its default (e.g. active)."""
    form = form_class(formdata=None, meta={"csrf": False})
    return {f.name: bool(f.default) for f in form if isinstance(f, BooleanField) and f.default is not None}


# ---- schema from a form -------------------------------------------------------------------------------


def form_schema(form_class: type[FlaskForm], *, partial: bool = False, extra: JSON | None = None) -> JSON:
    """The JSON Schema of a form: types, lengths, ranges and choices read from its validators."""
    form = form_class(formdata=None, meta={"csrf": False})
    properties: JSON = {}
    required: list[str] = []
    for field in form:
        is_required = any(isinstance(v, DataRequired) for v in field.validators)
        properties[field.name] = _field_schema(field, nullable=not is_required)
        if is_required and not partial:
            required.append(field.name)
    for name, more in (extra or {}).items():
        properties[name].update(more)
    schema: JSON = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _field_schema(field: Field, *, nullable: bool) -> JSON:
    schema: JSON = {"description": str(field.label.text)}
    if isinstance(field, SelectMultipleField):
        schema.update({"type": "array", "items": {"type": "string", "enum": _choice_codes(field)}})
    elif isinstance(field, SelectField):
        schema.update({"type": "string", "enum": _choice_codes(field)})
    elif isinstance(field, BooleanField):
        schema["type"] = "boolean"
        if field.default is not None:
            schema["default"] = bool(field.default)
    elif isinstance(field, IntegerField):
        schema["type"] = "integer"
    elif isinstance(field, DateField):
        schema.update({"type": "string", "format": "date"})
    else:
        schema["type"] = "string"
    _add_limits(schema, field)
    if nullable and schema["type"] != "boolean":
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _choice_codes(field: SelectField) -> list[str]:
    choices = field.choices or []
    if isinstance(choices, dict):  # grouped (<optgroup>s): the codes of every group
        choices = [choice for group in choices.values() for choice in group]
    return [str(code) for code, _label in choices if code != ""]


def _add_limits(schema: JSON, field: Field) -> None:
    for validator in field.validators:
        if isinstance(validator, Length):
            if validator.min is not None and validator.min > 0:
                schema["minLength"] = validator.min
            if validator.max is not None and validator.max >= 0:
                schema["maxLength"] = validator.max
        elif isinstance(validator, NumberRange):
            if validator.min is not None:
                schema["minimum"] = validator.min
            if validator.max is not None:
                schema["maximum"] = validator.max


NO_FIELDS: JSON = {"type": "object", "additionalProperties": False, "properties": {}}


def no_body() -> None:
    """Actions take no body; one that is sent must still be JSON (an empty object)."""
    check_shape(optional_json_object(), NO_FIELDS)
