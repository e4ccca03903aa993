"""Who looked at a need's ranked providers, and when (匹配页浏览): one row per need, viewer and day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from market.db import db, utcnow


class MatchView(db.Model):
    """The first time each day a viewer (the need's owner or a broker of its region) opened the need's
    match page. The funnel's 匹配 step counts from it (market/broker/funnel.py)."""

    __tablename__ = "match_views"
    __table_args__ = (UniqueConstraint("need_id", "viewer_id", "day", name="uq_match_views_need_viewer_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # UTC
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
