"""One review page per posting (审核页): everything a reviewer must check before deciding, and both
decisions. The rules stay in market.moderation.services (who may review, which step follows which
state; market.moderation.transitions.fire writes the status); this module gathers what to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from market.attachments.services import visible_attachments
from market.moderation import services as moderation
from market.moderation.models import ModerationEvent
from market.postings import Posting, PostingStatus, kind_of

if TYPE_CHECKING:
    from market.attachments.models import NeedAttachment
    from market.auth.models import User


@dataclass(frozen=True)
class ReviewPage:
    kind: str  # need | provider
    posting: Posting
    history: list[ModerationEvent]
    attachments: list[NeedAttachment] = field(default_factory=list)
    members: list[User] = field(default_factory=list)  # the organisation's accounts (who posted it)

    @property
    def pending(self) -> bool:
        return self.posting.status == PostingStatus.PENDING


def page(actor: Any, kind: str, posting_id: int) -> ReviewPage:
    """404 for an unknown posting, 403 outside the actor's regions (or for a non-reviewer)."""
    posting = moderation.review_subject(actor, kind, posting_id)
    organisation = getattr(posting, "organisation", None)
    members = list(organisation.members) if organisation is not None else []
    return ReviewPage(
        kind=kind_of(posting),
        posting=posting,
        history=moderation.history(posting),
        attachments=visible_attachments(actor, posting) if kind_of(posting) == "need" else [],  # type: ignore[arg-type]
        members=members,
    )


def approve(actor: User, kind: str, posting_id: int) -> Posting:
    return moderation.approve(actor, kind, posting_id)


def send_back(actor: User, kind: str, posting_id: int, reason: str) -> Posting:
    return moderation.send_back(actor, kind, posting_id, reason)
