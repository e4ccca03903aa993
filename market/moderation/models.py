"""A record of every moderation decision (审核记录)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import Timestamped, db

if TYPE_CHECKING:
    from market.auth.models import User


class ModerationEvent(Timestamped, db.Model):
    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(20))  # need | provider
    target_id: Mapped[int] = mapped_column(index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # submit | approve | return | withdraw
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")  # typed by the moderator
    # A note the system writes itself (no moderator typed it) is a stored message (market.messages),
    # read in the reader's language; shown where `reason` would be.
    message_key: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User] = relationship()
