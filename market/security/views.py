"""The security log for admins (安全日志): newest first, filtered by kind, account, address and dates.

The route lives on the admin blueprint (`admin.security_events`) so it gets the admin pages' refusal.
Events store codes (roles, regions, data kinds); the page shows each as its label in the reader's
language (market.messages), never the code or a raw {} / [] of the details.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import render_template
from sqlalchemy import Select, String, cast, or_, select

from market import taxonomy
from market.i18n import N_, current_language
from market.i18n import gettext as _
from market.messages import code_label
from market.pagination import arg, paginate
from market.security import events
from market.security.models import SecurityEvent


@dataclass(frozen=True)
class Filters:
    event: str = ""
    account: str = ""
    address: str = ""
    since: date | None = None
    until: date | None = None


def detail_labels() -> dict[str, str]:
    return {
        "target": _("对象账号"),
        "target_id": _("对象用户编号"),
        "before": _("原值"),
        "after": _("新值"),
        "token_id": _("令牌编号"),
        "token_name": _("令牌名称"),
        "kind": _("数据类型"),
        "format": _("格式"),
        "rows": _("行数"),
        "file": _("文件"),
        "written": _("写入"),
        "publish": _("直接公开"),
        "filters": _("筛选条件"),
        "method": _("请求方法"),
        "limit": _("限额"),
        "endpoint": _("接口"),
        "batch_id": _("导入批次"),
        "source": _("来源"),
        "scope": _("限流范围"),
    }


# What an admin change's before/after values are, by event (a label type of market.messages).
CHANGED_VALUES = {
    events.ROLE_CHANGED: "role",
    events.ACTIVE_CHANGED: "active",
    events.REGIONS_CHANGED: "regions",
}
DATA_KINDS = {
    "needs": N_("技术需求"),
    "providers": N_("服务方（含成果与服务）"),
    "deals-month": N_("成交报表：按月份"),
    "deals-field": N_("成交报表：按领域"),
    "deals-region": N_("成交报表：按地区"),
    "deals-contract": N_("成交报表：按合同类型"),
    "deals-provider": N_("成交报表：按服务方"),
    "deals-funnel": N_("转化漏斗"),
}
THROTTLE_SCOPES = {"address": N_("按 IP 地址"), "account": N_("按账号")}
WRITTEN = {
    "needs": N_("需求"),
    "providers": N_("服务方"),
    "achievements": N_("成果"),
    "services": N_("服务"),
    "organisations": N_("机构"),
}
FILTER_LABELS = {
    "field": N_("领域"),
    "region": N_("地区"),
    "period": N_("时间范围"),
    "kind": N_("服务方类型"),
}


def detail_value(event: str, key: str, value: Any) -> str:
    """One detail of an event as the reader reads it: labels for codes, "" for an empty value."""
    if key in ("before", "after") and event in CHANGED_VALUES:
        return code_label(CHANGED_VALUES[event], value)
    if key == "publish":
        return code_label("bool", value)
    if key == "kind":
        return _(DATA_KINDS[value]) if value in DATA_KINDS else str(value or "")
    if key == "scope":
        return _(THROTTLE_SCOPES[value]) if value in THROTTLE_SCOPES else str(value or "")
    if key == "filters" and isinstance(value, Mapping):
        return _filters_text(value) or _("不限")
    if key == "written" and isinstance(value, Mapping):
        return _written_text(value)
    return _plain_text(value)


def _filters_text(filters: Mapping[str, Any]) -> str:
    lang = current_language()
    shown = {
        "field": lambda code: code_label("field", code),
        "region": lambda code: code_label("region", code),
        "period": lambda days: _("近 {days} 天", days=days),
        "kind": lambda code: taxonomy.label(taxonomy.PROVIDER_KINDS, code, lang),
    }
    return _separator().join(
        f"{_(FILTER_LABELS.get(key, key))}：{shown[key](value) if key in shown else _plain_text(value)}"
        for key, value in filters.items()
        if value
    )


def _written_text(counts: Mapping[str, Any]) -> str:
    parts = [f"{_(WRITTEN.get(key, key))} {count}" for key, count in counts.items() if count]
    return _separator().join(parts) or "0"


def _plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return code_label("bool", value)
    if isinstance(value, Mapping):
        return _separator().join(f"{key}：{_plain_text(v)}" for key, v in value.items())
    if isinstance(value, list | tuple):
        return _separator().join(_plain_text(v) for v in value)
    return str(value)


def _separator() -> str:
    return "；" if current_language() == "zh" else "; "


def parse_filters() -> tuple[Filters, list[str]]:
    problems: list[str] = []
    dates: dict[str, date | None] = {}
    for name in ("since", "until"):
        raw = arg(name, 10)
        try:
            dates[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            dates[name] = None
            problems.append(_("日期格式应为 年-月-日（如 2026-01-31），已忽略：{value}", value=raw))
    filters = Filters(
        event=arg("event", 40), account=arg("account", 254), address=arg("address", 64), **dates
    )
    return filters, problems


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def events_query(filters: Filters) -> Select:  # type: ignore[type-arg]
    query = select(SecurityEvent).order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
    if filters.event:
        query = query.where(SecurityEvent.event == filters.event)
    if filters.account:
        # The acting account, or the account an admin change was made to (details.target).
        query = query.where(
            or_(
                SecurityEvent.account.icontains(filters.account, autoescape=True),
                cast(SecurityEvent.details, String).icontains(filters.account, autoescape=True),
            )
        )
    if filters.address:
        query = query.where(SecurityEvent.address.startswith(filters.address, autoescape=True))
    if filters.since:
        query = query.where(SecurityEvent.created_at >= _day_start(filters.since))
    if filters.until:
        query = query.where(SecurityEvent.created_at < _day_start(filters.until + timedelta(days=1)))
    return query


def render_events() -> str:
    filters, problems = parse_filters()
    return render_template(
        "admin/security_events.html",
        page=paginate(events_query(filters)),
        filters=filters,
        problems=problems,
        event_labels=events.event_labels(),
        reason_labels=events.reason_labels(),
        detail_labels=detail_labels(),
        detail_value=detail_value,
    )
