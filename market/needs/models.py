"""技术需求 (产业出题): a technical problem an enterprise posts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import Timestamped, db
from market.postings import PostingStatus, posting_kind

if TYPE_CHECKING:
    from market.auth.models import Organisation, User


@posting_kind("need")
class Need(Timestamped, db.Model):
    __tablename__ = "needs"
    # The broker board's need columns and lists: one state, latest update first (migration d7e8f9a00016).
    __table_args__ = (Index("ix_needs_status_updated", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    field_code: Mapped[str] = mapped_column(ForeignKey("fields.code"), index=True)
    # 细分领域: optional, one of field_code's sub-fields (market.reference.services.check_subfields).
    subfield_code: Mapped[str | None] = mapped_column(ForeignKey("subfields.code"), index=True)
    province: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    city: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    budget_min: Mapped[int | None]  # 万元
    budget_max: Mapped[int | None]
    deadline: Mapped[date | None] = mapped_column(Date)
    cooperation_mode: Mapped[str] = mapped_column(String(20))
    public_summary: Mapped[str] = mapped_column(Text, default="")
    confidential_details: Mapped[str] = mapped_column(Text, default="")
    is_open_call: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=PostingStatus.DRAFT.value, index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How it left the market (market.postings ENDED); cleared when it is reopened, the events keep it.
    solved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    solved_how: Mapped[str | None] = mapped_column(String(20))  # taxonomy.SOLVED_HOWS: platform | elsewhere
    # The order whose deal solved it (how = platform). No foreign key: orders refer to needs already,
    # and SQLite could add one only by rebuilding this table (see the migration c3d4e5f60014).
    solved_order_id: Mapped[int | None]
    outcome_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User] = relationship()

    @property
    def is_public(self) -> bool:
        return self.status == PostingStatus.APPROVED
