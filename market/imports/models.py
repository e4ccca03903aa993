"""Import batches: an uploaded file, its parsed rows and where validation and commit stand.

State lives in the database, not in a worker's memory, so any gunicorn worker can take the next
validation step or the commit of a batch another worker received.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from market.db import db, utcnow


class BatchStatus(enum.StrEnum):
    VALIDATING = "validating"  # rows parsed, validation in progress
    READY = "ready"  # every row valid: may be committed
    INVALID = "invalid"  # some rows have errors: nothing can be committed
    COMMITTING = "committing"  # taken by a commit request (never visible after its transaction)
    COMMITTED = "committed"


class ImportBatch(db.Model):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # needs | providers
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | cli
    filename: Mapped[str] = mapped_column(String(200), default="")
    file_format: Mapped[str] = mapped_column(String(20), default="")  # csv/utf-8, csv/gbk, xlsx
    publish: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default=BatchStatus.VALIDATING.value, index=True)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRow(db.Model):
    """One record of a batch; `ordinal` orders them, `row_number` is the line users see in their file."""

    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_batch_ordinal", "batch_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    ordinal: Mapped[int]
    row_number: Mapped[int]
    record: Mapped[str] = mapped_column(String(20))  # need | provider | achievement | service
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    values: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    errors: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
