"""Providers (专家/学会/服务团/高校院所) with their achievements (成果) and services (服务清单)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import Timestamped, db
from market.postings import PostingStatus, posting_kind

if TYPE_CHECKING:
    from market.auth.models import Organisation, User
    from market.reference.models import Field, SubField

provider_fields = Table(
    "provider_fields",
    db.metadata,
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
    Column("field_code", ForeignKey("fields.code"), primary_key=True),
)

# 细分领域 of a provider: each under one of its fields (market.reference.services.check_subfields).
provider_subfields = Table(
    "provider_subfields",
    db.metadata,
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
    Column("subfield_code", ForeignKey("subfields.code"), primary_key=True, index=True),
)


@posting_kind("provider")
class Provider(Timestamped, db.Model):
    __tablename__ = "providers"
    # The public list's 最新 order (approved, newest approval first) read in index order: at 100,000
    # providers 63 ms -> 4 ms a page, no sort (issue 16).
    __table_args__ = (
        Index("ix_providers_status_approved_at_id", "status", "approved_at", "id"),
        # The no-query list's facet counts read this index alone (migration d8e9f0a10022).
        Index("ix_providers_status_province_kind_available", "status", "province", "kind", "available"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")  # 职称 or the body's standing
    affiliation: Mapped[str] = mapped_column(String(120), default="")
    # An expert's profile belongs to one user; a society's, team's or institution's to its organisation.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), unique=True)
    province: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    city: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    expertise: Mapped[str] = mapped_column(Text, default="")
    available: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default=PostingStatus.DRAFT.value, index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    fields: Mapped[list[Field]] = relationship(secondary=provider_fields, order_by="Field.position")
    subfields: Mapped[list[SubField]] = relationship(
        # A sub-field's position counts within its field: grouped by field first, so the order (on
        # pages and in exports) is the same on every engine, not left to ties.
        secondary=provider_subfields,
        order_by="[SubField.field_code, SubField.position, SubField.code]",
    )
    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    achievements: Mapped[list[Achievement]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="Achievement.id"
    )
    services: Mapped[list[ServiceItem]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ServiceItem.id"
    )

    @property
    def is_public(self) -> bool:
        return self.status == PostingStatus.APPROVED

    @property
    def field_codes(self) -> list[str]:
        return [f.code for f in self.fields]

    @property
    def subfield_codes(self) -> list[str]:
        return [s.code for s in self.subfields]


class Achievement(Timestamped, db.Model):
    __tablename__ = "achievements"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None]

    provider: Mapped[Provider] = relationship(back_populates="achievements")


class ServiceItem(Timestamped, db.Model):
    __tablename__ = "service_items"
    # The no-query list's facet counts read this index, not the rows (migration e9f0a1b20023).
    __table_args__ = (
        Index("ix_service_items_active_provider_category", "active", "provider_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    delivery_mode: Mapped[str] = mapped_column(String(20))
    price_note: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    provider: Mapped[Provider] = relationship(back_populates="services")
