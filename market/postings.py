"""The moderation life cycle shared by needs and provider profiles (审核)."""

from __future__ import annotations

import enum


class PostingStatus(enum.StrEnum):
    DRAFT = "draft"  # being written, private to its owner
    PENDING = "pending"  # submitted, waiting for a broker
    APPROVED = "approved"  # public
    RETURNED = "returned"  # sent back by a broker with a reason
    WITHDRAWN = "withdrawn"  # taken down by its owner
    CLOSED = "closed"  # need solved or expired; still visible to its parties


EDITABLE = {PostingStatus.DRAFT, PostingStatus.RETURNED, PostingStatus.WITHDRAWN}
SUBMITTABLE = EDITABLE
WITHDRAWABLE = {PostingStatus.PENDING, PostingStatus.APPROVED}
