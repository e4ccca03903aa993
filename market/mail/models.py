"""The outbox (one row per mail) and what each person chose to receive.

This package sits just above the shared modules: it names `User` in annotations only, so every feature
(accounts in market.auth included) may queue mail without an import cycle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import db, utcnow

if TYPE_CHECKING:
    from market.auth.models import User

# States of an outbox row (docs/mail.md, States).
QUEUED = "queued"  # to be sent as soon as next_attempt_at has come (or is empty)
SENT = "sent"  # the SMTP server accepted it; sent_at says when
DEAD = "dead"  # given up: MAIL_MAX_ATTEMPTS failures, or the server refused the address for good
DIGEST = "digest"  # waits for its recipient's daily digest
DIGESTED = "digested"  # went out inside the digest row digest_id
CANCELLED = "cancelled"  # its kind was switched off before it was sent
STATES = (QUEUED, SENT, DEAD, DIGEST, DIGESTED, CANCELLED)
DIGEST_KIND = "digest"  # the kind of a digest row itself


class EmailOutbox(db.Model):
    """One mail. A stored message for `user_id` (market.messages), put into words when sent, in that
    user's language (market.mail.compose). Rows from before message keys keep their `subject` and `body`.

    The mailer (market.mail.sender) claims a row by writing its `claim_token` and `claimed_at` in the
    database, so two workers never send the same row; a claim older than the lease is taken over."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        Index("ix_email_outbox_due", "state", "next_attempt_at"),
        UniqueConstraint("user_id", "digest_day", name="uq_email_outbox_user_id_digest_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    message_key: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # Delivery (market.mail.sender).
    kind: Mapped[str] = mapped_column(String(20), default="orders")
    state: Mapped[str] = mapped_column(String(12), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A digest row names its day; the rows it carries point at it.
    digest_day: Mapped[date | None] = mapped_column(Date)
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_outbox.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User | None] = relationship("User")


class MailPreference(db.Model):
    """How one person wants one kind of mail: immediate, daily digest or off (defaults:
    market.mail.preferences.DEFAULTS; a row exists only once the person chose)."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
