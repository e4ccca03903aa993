"""The one way to queue a mail: a row in the outbox, put into words when sent, in the recipient's language.

What happens to it follows the recipient's choice for its kind (market.mail.preferences): immediate mail
is queued for the mailer (market.mail.sender), daily-digest mail waits for `market mail digest`, and a
kind switched off is kept as cancelled, never sent. ACCOUNT mail (password resets, address checks) is
always immediate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from market.db import db
from market.mail import models, preferences
from market.mail.models import EmailOutbox
from market.messages import Message

if TYPE_CHECKING:
    from market.auth.models import User

# Kinds of mail; each person chooses per kind (except ACCOUNT, which is never switched off: it carries
# password resets and address checks).
ORDERS = preferences.ORDERS
ANSWERS = preferences.ANSWERS
POSTINGS = preferences.POSTINGS
RECOMMENDED = preferences.RECOMMENDED
ACCOUNT = preferences.ACCOUNT
KINDS = preferences.KINDS


def queue(user: User, message: Message, kind: str, *, to: str | None = None) -> EmailOutbox:
    """Queue `message` for `user` (at `to` when given, e.g. a new address being verified).

    A kind the user switched off is written as `cancelled` (never sent; /admin/mail shows it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    mode = preferences.mode_of(user.id, kind)
    state = {preferences.OFF: models.CANCELLED, preferences.DIGEST: models.DIGEST}.get(mode, models.QUEUED)
    row = EmailOutbox(
        to=to or user.email,
        user_id=user.id,
        message_key=message.key,
        message_params=message.params,
        kind=kind,
        state=state,
    )
    db.session.add(row)
    return row
