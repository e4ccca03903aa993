"""Feedback on matches (有用 / 不相关), kept for later ranking work and used to re-rank now."""

from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from market.db import Timestamped, db


class MatchFeedback(Timestamped, db.Model):
    __tablename__ = "match_feedback"
    __table_args__ = (UniqueConstraint("need_id", "provider_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    useful: Mapped[bool]
    rank: Mapped[int | None]  # where the provider stood when judged
    score: Mapped[float | None]
