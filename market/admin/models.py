"""Admin audit trail: every change to the taxonomy or to a user's role (管理操作记录)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import db, utcnow

if TYPE_CHECKING:
    from market.auth.models import User


class AdminEvent(db.Model):
    """Append-only. Its highest id doubles as the reference-data version other workers compare."""

    __tablename__ = "admin_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40), index=True)  # field.add, region.rename, user.update …
    target: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text, default="")  # rows from before message keys
    # What changed, as a stored message (market.messages) read in the reader's language.
    message_key: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()
