"""A broker's link between two needs: the same problem posted twice (duplicate) or related problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import Timestamped, db

if TYPE_CHECKING:
    from market.auth.models import User
    from market.needs.models import Need

LINK_KINDS = ("duplicate", "related")


class NeedLink(Timestamped, db.Model):
    """One link per pair, kept with the smaller id first so (a, b) and (b, a) are the same row."""

    __tablename__ = "need_links"
    __table_args__ = (
        UniqueConstraint("need_id", "other_need_id", name="uq_need_links_pair"),
        CheckConstraint("need_id < other_need_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    other_need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # LINK_KINDS
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    need: Mapped[Need] = relationship(foreign_keys=[need_id])
    other_need: Mapped[Need] = relationship(foreign_keys=[other_need_id])
    created_by: Mapped[User] = relationship()
