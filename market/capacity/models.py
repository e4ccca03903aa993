"""A provider's own capacity settings: how many engagements at once, and when it is away."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from market.db import Timestamped, db


class ProviderCapacity(Timestamped, db.Model):
    """At most one row per provider; no row means no limit and never away.

    Kept apart from the profile: changing it must not send a public profile back to review."""

    __tablename__ = "provider_capacity"
    __table_args__ = (
        CheckConstraint(
            "max_concurrent IS NULL OR max_concurrent BETWEEN 1 AND 999", name="max_concurrent_range"
        ),
    )

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    max_concurrent: Mapped[int | None]  # engagements in progress at once; None = not limited
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)  # inclusive

    def away_on(self, day: date) -> bool:
        """Away on `day`: inside the window (an open start or end reaches as far as it goes)."""
        if self.away_from is None and self.away_until is None:
            return False
        starts = self.away_from is None or self.away_from <= day
        ends = self.away_until is None or day <= self.away_until
        return starts and ends
