"""The one place a broker's region scope is applied to queries (admins see every region)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select

from market import permissions
from market.errors import Forbidden
from market.i18n import gettext as _

Q = TypeVar("Q", bound=Select)  # type: ignore[type-arg]


def require_broker(actor: Any) -> None:
    """Brokers and admins only; everybody else gets a 403."""
    if not permissions.can_review(actor):
        raise Forbidden(_("工作台仅对经纪人和管理员开放。"))


def regions_of(actor: Any) -> set[str] | None:
    """The provinces an actor works in; None means every province (an admin)."""
    require_broker(actor)
    if permissions.is_admin(actor):
        return None
    return set(actor.region_codes)


def within(query: Q, column: ColumnElement[Any], actor: Any) -> Q:
    """Restrict a query to rows whose province `column` lies in the actor's regions."""
    codes = regions_of(actor)
    if codes is None:
        return query
    return query.where(column.in_(sorted(codes)))  # type: ignore[return-value]
