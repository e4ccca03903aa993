"""Orders (点单/派单), proposals (答题), deals (签约), reviews (评单), follow-ups, audit, notices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from market.db import Timestamped, db, utcnow

# The outbox lives with the mailer (market/mail), which every feature may import; named here as before.
from market.mail.models import EmailOutbox as EmailOutbox
from market.orders.vocab import ENGAGED_STATES

if TYPE_CHECKING:
    from market.attachments.models import ProposalAttachment
    from market.auth.models import Organisation, User
    from market.needs.models import Need
    from market.providers.models import Achievement, Provider, ServiceItem


class Order(Timestamped, db.Model):
    """One provider engaged on one request. `status` is written only by market.orders.transitions."""

    __tablename__ = "orders"
    # The broker board's columns and lists: one state, newest change first (migration d7e8f9a00016).
    # The reports funnel reads a need's orders from the index alone (migration a4b5c6d70019).
    __table_args__ = (
        Index("ix_orders_status_changed", "status", "status_changed_at"),
        Index("ix_orders_need_funnel", "need_id", "created_at", "origin", "provider_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(20))  # ordered (点单) | invited (邀请) | dispatched | proposal
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Bumped on every UPDATE; a stale write fails instead of overwriting (optimistic check).
    version: Mapped[int] = mapped_column(default=1)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    province: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    closing_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    organisation: Mapped[Organisation] = relationship()
    provider: Mapped[Provider] = relationship()
    # need.orders lets market.permissions see a need's orders without importing this package (which
    # imports market.permissions); read-only, so deleting a need never rewrites its orders.
    need: Mapped[Need | None] = relationship(
        backref=backref("orders", viewonly=True, order_by="Order.id"), sync_backref=False
    )
    service: Mapped[ServiceItem | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    broker: Mapped[User | None] = relationship(foreign_keys=[broker_id])
    deal: Mapped[Deal | None] = relationship(back_populates="order", uselist=False)
    review: Mapped[Review | None] = relationship(back_populates="order", uselist=False)
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="order", order_by="FollowUp.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def engaged(self) -> bool:
        """The provider said yes (接单) and the order has not ended unfinished."""
        return self.status in ENGAGED_STATES


# What a provider has done before, picked from its own achievements as evidence for an answer.
proposal_achievements = Table(
    "proposal_achievements",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("achievement_id", ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True),
)


class Proposal(Timestamped, db.Model):
    """科技答题: a provider's answer to a public need (on 揭榜挂帅 needs and every other one).

    `status` is written only by market.orders.proposals (its STEPS table); one row per provider and
    need, so a withdrawn answer is revived rather than duplicated. A broker may hide an abusive one."""

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("need_id", "provider_id", name="uq_proposals_need_provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approach: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(Text, default="")
    timeline: Mapped[str] = mapped_column(String(200), default="")
    price_min: Mapped[int | None]  # 万元
    price_max: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    # need.answers lets market.permissions see who answered a need (a solved or closed need stays
    # readable to them) without importing this package; read-only, like need.orders.
    need: Mapped[Need] = relationship(
        backref=backref("answers", viewonly=True, order_by="Proposal.id"), sync_backref=False
    )
    provider: Mapped[Provider] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    # The backref makes deleting an achievement remove it from the answers that cite it.
    evidence: Mapped[list[Achievement]] = relationship(
        secondary=proposal_achievements, order_by="Achievement.id", backref="proposals"
    )
    # The order the answer became (at most one: an answer is turned into an order once).
    orders: Mapped[list[Order]] = relationship(
        primaryjoin="Order.proposal_id == Proposal.id", foreign_keys="Order.proposal_id", viewonly=True
    )
    # Files on the answer (market.attachments.models; their content is deferred, so listing is cheap).
    files: Mapped[list[ProposalAttachment]] = relationship(
        "ProposalAttachment",
        order_by="ProposalAttachment.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def order(self) -> Order | None:
        return self.orders[0] if self.orders else None


class ProposalEvent(db.Model):
    """Every step of an answer (submitted, edited, withdrawn, shortlisted, declined, ordered) and every
    broker's act on it (hidden, nudged): who, when, from, to, why. Append-only."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()


class ProviderBlock(db.Model):
    """An enterprise no longer takes answers from this provider on any of its needs."""

    __tablename__ = "provider_blocks"
    __table_args__ = (
        UniqueConstraint("organisation_id", "provider_id", name="uq_provider_blocks_organisation_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    provider: Mapped[Provider] = relationship()


class Deal(Timestamped, db.Model):
    """签约 / 成交: the contract behind a signed order."""

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    contract_type: Mapped[str] = mapped_column(String(20))
    value_wan: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 万元
    signed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship(back_populates="deal")
    recorded_by: Mapped[User] = relationship()


class Review(Timestamped, db.Model):
    """评单: the enterprise's rating of a delivered order."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship(back_populates="review")
    author: Mapped[User] = relationship()


class FollowUp(Timestamped, db.Model):
    """跟进记录: a dated note; `kind` is note (written by a person) or transition (written by the system).

    A person's note is `body`; what the system writes is a stored message (market.messages), read in the
    reader's language. Rows from before message keys keep their `body`."""

    __tablename__ = "follow_ups"
    # A person's latest note per order (the broker's overdue follow-ups; migration d7e8f9a00016).
    __table_args__ = (Index("ix_follow_ups_kind_order", "kind", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="note")
    body: Mapped[str] = mapped_column(Text, default="")
    message_key: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)

    order: Mapped[Order] = relationship(back_populates="follow_ups")
    author: Mapped[User | None] = relationship()


class AuditLog(db.Model):
    """Every order transition: who (None = the system), when, from, to, why. Append-only."""

    __tablename__ = "order_audit_log"
    # The reports funnel's first entry into a state per order, from the index alone (a4b5c6d70019).
    __table_args__ = (Index("ix_order_audit_log_order_status", "order_id", "to_status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    party: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    # A reason nobody typed (an expiry) is a stored message instead of `reason`.
    reason_key: Mapped[str | None] = mapped_column(String(60))
    reason_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()


class Notification(db.Model):
    """An in-app notice to one user; unread while read_at is empty.

    A stored message (market.messages): its text and link are made when read, in the reader's language.
    Rows from before message keys keep their `text` and `link`."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    message_key: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
