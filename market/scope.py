"""The one place a broker's region scope is decided (admins work in every region, brokers in theirs).

Two forms of the same rule, both built on `regions_of`:
* `covers(actor, province)` — the per-object check ("is this province one of the actor's regions");
  `market.permissions.is_broker_for` is this check.
* `condition(column, actor)` / `within(query, column, actor)` — the same rule as a SQL filter, for
  lists: the review queue, the broker board, attention list, funnel and reports, exports, the
  enterprises an import attaches to, and the broker side of the order inbox.

A top-level module (it was market/broker/scope.py) because review, imports, orders and
market.permissions use it as much as the broker workspace does; it depends on nothing but the user
model, so all of them can build on it without an import cycle.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, true
from sqlalchemy.orm import InstrumentedAttribute

from market.auth.models import Role
from market.errors import Forbidden
from market.i18n import gettext as _

Q = TypeVar("Q", bound=Select)  # type: ignore[type-arg]
Province = ColumnElement[Any] | InstrumentedAttribute[Any]  # a province code column, e.g. Need.province
EVERYWHERE = None  # what `regions_of` answers for an admin


def _role(actor: Any) -> str | None:
    """The role of a signed-in user (flask-login's proxy or a User), None for visitors."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return str(actor.role)


def is_staff(actor: Any) -> bool:
    """Brokers and admins: the people who work in regions (review, workspace, imports)."""
    return _role(actor) in (Role.BROKER, Role.ADMIN)


def regions_of(actor: Any) -> frozenset[str] | None:
    """The provinces an actor works in: None (EVERYWHERE) for an admin, none at all for non-staff."""
    role = _role(actor)
    if role == Role.ADMIN:
        return EVERYWHERE
    if role == Role.BROKER:
        return frozenset(actor.region_codes)
    return frozenset()


def covers(actor: Any, province: str | None) -> bool:
    """True when `province` lies in the actor's regions (always for an admin)."""
    codes = regions_of(actor)
    if codes is EVERYWHERE:
        return True
    return province is not None and province in codes


def condition(column: Province, actor: Any) -> ColumnElement[bool]:
    """`covers` as SQL: rows whose province `column` lies in the actor's regions."""
    codes = regions_of(actor)
    if codes is EVERYWHERE:
        return true()
    if not codes:
        return false()
    return column.in_(sorted(codes))


def within(query: Q, column: Province, actor: Any) -> Q:
    """Restrict a query to rows whose province `column` lies in the actor's regions."""
    if regions_of(actor) is EVERYWHERE:
        return query  # no `WHERE true` in an admin's queries
    return query.where(condition(column, actor))  # type: ignore[return-value]


def require_broker(actor: Any) -> None:
    """The workspace is for brokers and admins only; everybody else gets a 403."""
    if not is_staff(actor):
        raise Forbidden(_("工作台仅对经纪人和管理员开放。"))
