"""Threads, their messages and files, who read how far, and the moderation log of hidden messages.

A thread is opened with its engagement: the `before_flush` hook below adds one for every new order and
proposal, whichever service creates it, so no feature needs to know about conversations. The parties and
region are copied from the engagement (they never change once it exists), so "my threads" and unread
counts are plain SQL conditions on this table.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship, scoped_session

from market.db import Timestamped, db, utcnow
from market.needs.models import Need
from market.orders.models import Order, Proposal

if TYPE_CHECKING:
    from market.auth.models import Organisation, User
    from market.providers.models import Provider

TITLE_MAX = 200


class Thread(Timestamped, db.Model):
    """The conversation of exactly one engagement: an order or a proposal (答题)."""

    __tablename__ = "threads"
    __table_args__ = (CheckConstraint("(order_id IS NULL) <> (proposal_id IS NULL)", name="one_engagement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    province: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    order: Mapped[Order | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    provider: Mapped[Provider] = relationship()
    messages: Mapped[list[ThreadMessage]] = relationship(
        back_populates="thread", order_by="ThreadMessage.id", passive_deletes=True
    )


class ThreadMessage(db.Model):
    """One message. A broker may hide it (hidden_at): the parties then see only that it was hidden."""

    __tablename__ = "thread_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(String(20))  # enterprise | provider | broker, when it was written
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    file: Mapped[ThreadFile | None] = relationship(back_populates="message", uselist=False)

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class ThreadFile(db.Model):
    """A message's attachment, checked like a need's (market.attachments.files), stored in the database."""

    __tablename__ = "thread_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("thread_messages.id", ondelete="CASCADE"), unique=True, index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # a key of attachments.files.TYPES
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    message: Mapped[ThreadMessage] = relationship(back_populates="file")


class ThreadRead(db.Model):
    """How far one user has read one thread: messages with a higher id are unread for them."""

    __tablename__ = "thread_reads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_message_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MessageEvent(db.Model):
    """Append-only log of moderation on messages (a broker hid one or showed it again, and why)."""

    __tablename__ = "thread_message_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("thread_messages.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # hide | unhide
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User] = relationship()


def thread_for(engagement: Order | Proposal, session: Session | scoped_session[Any]) -> Thread:
    """A new thread for an order or proposal, its parties and region copied from it."""
    if isinstance(engagement, Order):
        return Thread(
            order=engagement,
            organisation_id=engagement.organisation_id,
            provider_id=engagement.provider_id,
            province=engagement.province,
            title=engagement.title[:TITLE_MAX],
        )
    need = engagement.need if "need" in engagement.__dict__ else None
    if need is None:
        with session.no_autoflush:
            need = session.get(Need, engagement.need_id)
    assert need is not None
    return Thread(
        proposal=engagement,
        organisation_id=need.organisation_id,
        provider_id=engagement.provider_id,
        province=need.province,
        title=need.title[:TITLE_MAX],
    )


@event.listens_for(Session, "before_flush")
def _open_threads(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        if isinstance(obj, Order | Proposal):
            session.add(thread_for(obj, session))
