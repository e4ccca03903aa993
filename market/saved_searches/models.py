"""A person's saved searches (保存的搜索) and the postings each one has already alerted them to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import Timestamped, db, utcnow

if TYPE_CHECKING:
    from market.auth.models import User


class SavedSearch(Timestamped, db.Model):
    """One list's query, filters and sort under a name; `kind` "recommended" follows the person's own
    推荐需求 (needs recommended to their provider profile) instead of a query."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))  # needs | providers | services | recommended
    query: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sort: Mapped[str] = mapped_column(String(20), default="")
    # The last alert (at most one a day); the postings it named are in saved_search_alerts.
    last_alerted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class SavedSearchAlert(db.Model):
    """A posting a saved search has alerted its owner to: each posting is alerted once per search."""

    __tablename__ = "saved_search_alerts"
    __table_args__ = (UniqueConstraint("search_id", "posting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int]  # a need, a provider or a service item, by the search's kind (no foreign key)
    alerted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
