"""An uploaded file, stored in the database so every app host serves it and backups include it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from market.db import db, utcnow

if TYPE_CHECKING:
    from market.auth.models import User
    from market.needs.models import Need


class NeedAttachment(db.Model):
    __tablename__ = "need_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # a key of files.TYPES, checked against the content
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Confidential files are seen by the same people as the need's confidential details.
    confidential: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Deferred: listing a need's files must not pull megabytes of content.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    need: Mapped[Need] = relationship()
    uploader: Mapped[User] = relationship()


class ProposalAttachment(db.Model):
    """A file on an answer (科技答题): checked like a need's (files.py), stored in the database, read only
    by the answer's two parties and the region's brokers (market.orders.proposals decides)."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "proposals" by name: answers belong to orders, which build on attachments.
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # a key of files.TYPES, checked against the content
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
