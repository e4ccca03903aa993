"""Board and report filters read from the query string; unknown values are ignored, never an error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from market import taxonomy
from market.db import utcnow
from market.needs.models import Need
from market.reference import services as reference

PERIODS: tuple[tuple[str, str], ...] = (
    ("", "全部时间"),
    ("30", "近 30 天"),
    ("90", "近 90 天"),
    ("365", "近一年"),
)
DEFAULT_ATTENTION_DAYS = 7
MAX_ATTENTION_DAYS = 365


@dataclass(frozen=True)
class Filters:
    field: str = ""  # field code
    region: str = ""  # province code
    period: str = ""  # days back, one of PERIODS
    kind: str = ""  # provider kind
    days: int = DEFAULT_ATTENTION_DAYS  # "needs attention" threshold
    subfield: str = ""  # sub-field code, one of `field`'s (last: callers build Filters positionally)

    def since(self, now: datetime | None = None) -> datetime | None:
        if not self.period:
            return None
        return (now or utcnow()) - timedelta(days=int(self.period))

    def since_date(self) -> date | None:
        since = self.since()
        return since.date() if since else None

    def as_args(self) -> dict[str, str]:
        args = {
            "field": self.field,
            "subfield": self.subfield,
            "region": self.region,
            "period": self.period,
            "kind": self.kind,
        }
        return {k: v for k, v in args.items() if v}

    def need_clauses(self) -> list[Any]:
        """The field and sub-field conditions on `needs`, for queries that filter by the need's field."""
        clauses = [Need.field_code == self.field] if self.field else []
        if self.subfield:
            clauses.append(Need.subfield_code == self.subfield)
        return clauses


def _clean(value: object, max_length: int = 40) -> str:
    return str(value or "").replace("\x00", "").strip()[:max_length]


def _days(raw: str, default: int) -> int:
    if raw.isdecimal() and 1 <= int(raw) <= MAX_ATTENTION_DAYS:
        return int(raw)
    return default


def parse(args: Mapping[str, object], default_days: int = DEFAULT_ATTENTION_DAYS) -> Filters:
    field, region = _clean(args.get("field")), _clean(args.get("region"))
    period, kind = _clean(args.get("period")), _clean(args.get("kind"))
    filters = Filters(days=_days(_clean(args.get("days")), default_days))
    if field in {code for code, _zh, _en in reference.field_choices()}:
        filters = replace(filters, field=field)
    if region in {code for code, _zh, _en in reference.province_choices()}:
        filters = replace(filters, region=region)
    if period in {code for code, _label in PERIODS}:
        filters = replace(filters, period=period)
    if kind in taxonomy.codes(taxonomy.PROVIDER_KINDS):
        filters = replace(filters, kind=kind)
    return _with_subfield(filters, _clean(args.get("subfield")))


def _with_subfield(filters: Filters, code: str) -> Filters:
    """An active sub-field narrows its own field; one of another field than the chosen one is ignored."""
    found = reference.subfields().get(code) if code else None
    if found is None or not found.active or (filters.field and found.field_code != filters.field):
        return filters
    return replace(filters, field=found.field_code, subfield=code)
