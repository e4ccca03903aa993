"""The security log for admins (安全日志): newest first, filtered by kind, account, address and dates.

The route lives on the admin blueprint (`admin.security_events`) so it gets the admin pages' refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import render_template
from sqlalchemy import Select, String, cast, or_, select

from market.i18n import gettext as _
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
    }


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
    )
