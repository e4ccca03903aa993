"""Reading submitted values (form strings or JSON) into checked Python values, or ValidationFailed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from market.errors import ValidationFailed
from market.i18n import gettext as _
from market.text import text_problem


def fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={name: [message]})


def text(values: Mapping[str, Any], name: str, *, required: bool = False, max_length: int = 2000) -> str:
    raw = values.get(name)
    if raw is not None and not isinstance(raw, str):
        raise fail(name, _("格式不正确。"))
    value = (raw or "").strip()
    problem = text_problem(value)  # messages, notes and reasons are multi-line text areas
    if problem:
        raise fail(name, problem)
    if required and not value:
        raise fail(name, _("此项必填。"))
    if len(value) > max_length:
        raise fail(name, _("最多 {n} 字。", n=max_length))
    return value


def optional_int(values: Mapping[str, Any], name: str, *, low: int = 0, high: int = 10**7) -> int | None:
    raw = values.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise fail(name, _("请填写整数。"))
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise fail(name, _("请填写整数。")) from None
    if not low <= value <= high:
        raise fail(name, _("数值应在 {low} 到 {high} 之间。", low=low, high=high))
    return value


def required_int(values: Mapping[str, Any], name: str, *, low: int, high: int) -> int:
    value = optional_int(values, name, low=low, high=high)
    if value is None:
        raise fail(name, _("此项必填。"))
    return value


def optional_date(values: Mapping[str, Any], name: str) -> date | None:
    raw = values.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise fail(name, _("日期格式应为 YYYY-MM-DD。")) from None


def money(values: Mapping[str, Any], name: str) -> Decimal:
    raw = values.get(name)
    if isinstance(raw, bool) or raw is None or raw == "":
        raise fail(name, _("此项必填。"))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise fail(name, _("请填写金额（万元）。")) from None
    if not value.is_finite() or value >= Decimal("10000000000"):
        raise fail(name, _("金额应大于 0。"))
    value = value.quantize(Decimal("0.01"))  # the column keeps cents: check what is stored
    if not Decimal("0") < value < Decimal("10000000000"):
        raise fail(name, _("金额应大于 0。"))
    return value


def choice(values: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = values.get(name)
    if value not in allowed:
        raise fail(name, _("请选择一个有效的选项。"))
    return str(value)
