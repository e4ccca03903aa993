"""The owner of a need or provider profile is told when a broker approves or returns it (with the reason).

market.moderation.transitions.fire is the only code that changes a posting's status; it calls the
listeners registered with `transitions.on_step` after each step, and `install` (called by create_app)
registers this one. The notice is an in-app Notification and a mail of the POSTINGS kind, both stored as
a message key (market.messages) and put into words in the reader's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from market.auth.models import User
from market.db import db
from market.mail import outbox
from market.messages import Message, build
from market.moderation import transitions
from market.orders.models import Notification
from market.orders.parties import enterprise_users, provider_users
from market.postings import Action, Posting, kind_of

if TYPE_CHECKING:
    from market.needs.models import Need
    from market.providers.models import Provider

NOTICE_KIND = "posting"  # Notification.kind of these notices
TOLD = (Action.APPROVE, Action.RETURN)


def install() -> None:
    transitions.on_step(tell_owner)


def owners(posting: Posting) -> list[User]:
    """Who owns the posting: the enterprise's members for a need, the provider's people for a profile."""
    if kind_of(posting) == "need":
        need: Need = posting  # type: ignore[assignment]
        return enterprise_users(need.organisation_id)
    provider: Provider = posting  # type: ignore[assignment]
    return provider_users(provider)


def message_for(posting: Posting, action: Action, reason: str) -> Message:
    returned = {"reason": reason} if action == Action.RETURN else {}
    verb = "approved" if action == Action.APPROVE else "returned"
    if kind_of(posting) == "need":
        return build(f"need.{verb}", title=posting.title, need_id=posting.id, **returned)  # type: ignore[union-attr]
    return build(f"profile.{verb}", name=posting.name, provider_id=posting.id, **returned)  # type: ignore[union-attr]


def tell_owner(posting: Posting, action: Action, actor: User, reason: str) -> None:
    if action not in TOLD:
        return
    message = message_for(posting, action, reason)
    for user in owners(posting):
        if user.id == actor.id:
            continue  # an admin approving their own posting needs no notice
        db.session.add(
            Notification(
                user_id=user.id, kind=NOTICE_KIND, message_key=message.key, message_params=message.params
            )
        )
        outbox.queue(user, message, outbox.POSTINGS)
    db.session.flush()
