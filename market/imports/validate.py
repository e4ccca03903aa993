"""Validating import rows with the very forms the web pages use (same rules, same messages).

Each row becomes form data: names are resolved to codes first, then the WTForms class validates
it. Errors are (column header, message) pairs; callers add the row number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.i18n import get_translations

from market import scope
from market.auth.models import User
from market.i18n import gettext as _
from market.imports.columns import RECORD_TYPES, header_of
from market.imports.resolve import Lookups, parse_bool, parse_date, parse_number, split_list
from market.needs.forms import NeedForm
from market.providers.forms import AchievementForm, ProviderForm, ServiceForm
from market.text import text_problem

Errors = list[tuple[str, str]]
_ZH = get_translations(["zh"])


@dataclass
class Record:
    ordinal: int
    row_number: int
    record: str  # need | provider | achievement | service | unknown
    raw: dict[str, str]
    parent: int | None = None  # a provider's ordinal, for achievements and services


@dataclass
class Outcome:
    values: dict[str, Any] | None
    errors: Errors = field(default_factory=list)


def records_from_rows(kind: str, rows: list[tuple[int, dict[str, str]]]) -> list[Record]:
    if kind == "needs":
        return [Record(i, line, "need", raw) for i, (line, raw) in enumerate(rows)]
    records: list[Record] = []
    parent: int | None = None
    for i, (line, raw) in enumerate(rows):
        record = RECORD_TYPES.get((raw.get("record") or "服务方").strip().lower(), "unknown")
        if record == "provider":
            parent = i
        records.append(Record(i, line, record, raw, parent if record in ("achievement", "service") else None))
    return records


class Validator:
    def __init__(self, kind: str, actor: User, lookups: Lookups | None = None) -> None:
        self.kind = kind
        self.actor = actor
        self.lookups = lookups or Lookups.load()

    def validate(self, record: Record) -> Outcome:
        check: dict[str, Callable[[Record], Outcome]] = {
            "need": self._need,
            "provider": self._provider,
            "achievement": self._achievement,
            "service": self._service,
        }
        if record.record not in check:
            return Outcome(
                None,
                [
                    (
                        header_of(self.kind, "record"),
                        _(
                            "未知的记录类型“{value}”：应为 服务方、成果 或 服务。",
                            value=record.raw.get("record", ""),
                        ),
                    )
                ],
            )
        return check[record.record](record)

    # --- one function per record type -------------------------------------------------------

    def _need(self, record: Record) -> Outcome:
        raw, errors, data = record.raw, [], MultiDict()
        for key in ("title", "description", "public_summary", "confidential_details"):
            data[key] = raw.get(key, "")
        province = self._code(raw, "province", self.lookups.province, errors, data)
        field_code = self._code(raw, "field_code", self.lookups.field, errors, data)
        self._code(raw, "subfield_code", lambda t: self.lookups.subfield([field_code or ""], t), errors, data)
        self._city(raw, province, errors, data)
        self._code(raw, "cooperation_mode", lambda t: self.lookups.term("cooperation_mode", t), errors, data)
        for key in ("budget_min", "budget_max"):
            data[key] = parse_number(raw.get(key, ""))
        self._date(raw, "deadline", errors, data)
        self._bool(raw, "is_open_call", False, errors, data)
        form = self._form(NeedForm, data, errors)
        organisation = raw.get("organisation", "").strip()
        if problem := text_problem(organisation, multiline=False):
            errors.append((header_of(self.kind, "organisation"), problem))
        elif not 2 <= len(organisation) <= 120:
            errors.append((header_of(self.kind, "organisation"), _("企业名称必填，2–120 字。")))
        self._scope(province, errors)
        if errors:
            return Outcome(None, errors)
        values = form.need_values()
        values["deadline"] = values["deadline"].isoformat() if isinstance(values["deadline"], date) else None
        values["organisation"] = organisation
        return Outcome(values)

    def _provider(self, record: Record) -> Outcome:
        raw, errors, data = record.raw, [], MultiDict()
        for key in ("name", "title", "affiliation", "expertise"):
            data[key] = raw.get(key, "")
        kind = self._code(raw, "kind", lambda t: self.lookups.term("kind", t), errors)
        if kind is None and not any(c == header_of(self.kind, "kind") for c, _m in errors):
            errors.append((header_of(self.kind, "kind"), _("服务方类型必填：专家、学会、服务团或高校院所。")))
        province = self._code(raw, "province", self.lookups.province, errors, data)
        self._city(raw, province, errors, data)
        self._fields(raw, errors, data)
        self._subfields(raw, data.getlist("fields"), errors, data)
        self._bool(raw, "available", True, errors, data)
        form = self._form(ProviderForm, data, errors)
        self._scope(province, errors)
        if errors:
            return Outcome(None, errors)
        return Outcome({**form.profile_values(), "kind": kind})

    def _achievement(self, record: Record) -> Outcome:
        raw, errors, data = record.raw, self._orphan(record), MultiDict()
        self._code(
            raw, "achievement_kind", lambda t: self.lookups.term("achievement_kind", t), errors, data, "kind"
        )
        data["title"] = raw.get("achievement_title", "")
        data["description"] = raw.get("achievement_description", "")
        data["year"] = parse_number(raw.get("achievement_year", ""))
        form = self._form(AchievementForm, data, errors, prefix="achievement_")
        return Outcome(None, errors) if errors else Outcome(form.values())

    def _service(self, record: Record) -> Outcome:
        raw, errors, data = record.raw, self._orphan(record), MultiDict()
        self._code(
            raw,
            "service_category",
            lambda t: self.lookups.term("service_category", t),
            errors,
            data,
            "category",
        )
        self._code(
            raw,
            "service_delivery_mode",
            lambda t: self.lookups.term("service_delivery_mode", t),
            errors,
            data,
            "delivery_mode",
        )
        for key in ("title", "description", "price_note"):
            data[key] = raw.get(f"service_{key}", "")
        self._bool(raw, "service_active", True, errors, data, "active")
        form = self._form(ServiceForm, data, errors, prefix="service_")
        return Outcome(None, errors) if errors else Outcome(form.values())

    # --- helpers ------------------------------------------------------------------------------

    def _form(
        self, form_class: type[Form], data: MultiDict[str, str], errors: Errors, prefix: str = ""
    ) -> Any:
        form = form_class(formdata=data, meta={"csrf": False, "get_translations": lambda _form: _ZH})
        if not form.validate():
            reported = {column for column, _message in errors}
            for name, messages in form.errors.items():
                column = header_of(self.kind, prefix + name)
                if column not in reported:
                    errors.extend((column, str(message)) for message in messages)
        return form

    def _code(
        self,
        raw: dict[str, str],
        key: str,
        resolve: Callable[[str], str | None],
        errors: Errors,
        data: MultiDict[str, str] | None = None,
        form_name: str | None = None,
    ) -> str | None:
        text = raw.get(key, "").strip()
        code = resolve(text) if text else None
        if text and code is None:
            errors.append((header_of(self.kind, key), _("无法识别“{value}”。", value=text)))
        if data is not None:
            data[form_name or key] = code or ""
        return code

    def _city(
        self, raw: dict[str, str], province: str | None, errors: Errors, data: MultiDict[str, str]
    ) -> None:
        self._code(raw, "city", lambda t: self.lookups.city(province, t), errors, data)

    def _fields(self, raw: dict[str, str], errors: Errors, data: MultiDict[str, str]) -> None:
        column = header_of(self.kind, "fields")
        for text in split_list(raw.get("fields", "")):
            code = self.lookups.field(text)
            if code is None:
                errors.append((column, _("无法识别“{value}”。", value=text)))
            else:
                data.add("fields", code)

    def _subfields(
        self, raw: dict[str, str], field_codes: list[str], errors: Errors, data: MultiDict[str, str]
    ) -> None:
        column = header_of(self.kind, "subfields")
        for text in split_list(raw.get("subfields", ""), names=True):
            code = self.lookups.subfield(field_codes, text)
            if code is None:
                errors.append((column, _("无法识别细分领域“{value}”（须属于所填领域）。", value=text)))
            else:
                data.add("subfields", code)

    def _date(self, raw: dict[str, str], key: str, errors: Errors, data: MultiDict[str, str]) -> None:
        text = raw.get(key, "").strip()
        parsed = parse_date(text) if text else None
        if text and parsed is None:
            errors.append((header_of(self.kind, key), _("日期格式应为 2026-12-31。")))
        data[key] = parsed.isoformat() if parsed else ""

    def _bool(
        self,
        raw: dict[str, str],
        key: str,
        default: bool,
        errors: Errors,
        data: MultiDict[str, str],
        form_name: str | None = None,
    ) -> None:
        text = raw.get(key, "").strip()
        value = parse_bool(text) if text else default
        if value is None:
            errors.append((header_of(self.kind, key), _("应填“是”或“否”。")))
        elif value:
            data[form_name or key] = "y"

    def _scope(self, province: str | None, errors: Errors) -> None:
        if province is not None and not scope.covers(self.actor, province):
            errors.append((header_of(self.kind, "province"), _("该省份不在你负责的地区，不能导入。")))

    def _orphan(self, record: Record) -> Errors:
        if record.parent is None:
            return [(header_of(self.kind, "record"), _("成果或服务行上方没有服务方行。"))]
        return []


def row_error_text(row_number: int, column: str, message: str) -> str:
    return _("第 {row} 行，{column}：{message}", row=row_number, column=column, message=message)
