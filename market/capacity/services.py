"""What the pages ask of capacity: a provider's settings, and each shown provider's standing (load,
answer record, conflict flags) for a need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from market import permissions
from market.capacity.conflicts import Flags, flags
from market.capacity.load import Load, loads
from market.capacity.models import ProviderCapacity
from market.db import db
from market.errors import Forbidden, ValidationFailed
from market.i18n import gettext as _
from market.needs.models import Need
from market.providers.models import Provider


@dataclass(frozen=True)
class Standing:
    load: Load
    flags: Flags


def standings(need: Need, providers: Iterable[Provider]) -> dict[int, Standing]:
    """Load and conflict flags of each provider for this need, by provider id."""
    chosen = list(providers)
    by_load, by_flags = loads(chosen), flags(need, chosen)
    return {p.id: Standing(by_load[p.id], by_flags[p.id]) for p in chosen}


def settings_of(provider: Provider) -> ProviderCapacity:
    """The provider's settings (a blank, unsaved row when it has none)."""
    return db.session.get(ProviderCapacity, provider.id) or ProviderCapacity(provider_id=provider.id)


def save_settings(
    actor: Any,
    provider: Provider,
    *,
    max_concurrent: int | None,
    away_from: date | None,
    away_until: date | None,
) -> ProviderCapacity:
    """Only who manages the profile sets them; they take effect at once, without a new review."""
    if not permissions.can_edit_provider(actor, provider):
        raise Forbidden(_("只能修改自己的服务方资料。"))
    if away_from and away_until and away_until < away_from:
        message = _("休假结束日期不能早于开始日期。")
        raise ValidationFailed(message, field_errors={"away_until": [message]})
    row = settings_of(provider)
    row.max_concurrent, row.away_from, row.away_until = max_concurrent, away_from, away_until
    db.session.add(row)
    db.session.flush()
    return row
