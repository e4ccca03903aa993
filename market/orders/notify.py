"""In-app notifications and their mail, one of each per person per order event.

Both store the message as a key and parameters (market.messages): the notice is put into words when
its reader opens the page, the mail when it is sent, in its recipient's language (User.locale).
The mail goes through `market.mail.outbox.queue`, under the mail kind of the notice (`MAIL_KINDS`),
so each person's choice for that kind (immediate, daily digest, off) applies.
"""

from __future__ import annotations

from market.auth.models import User
from market.db import db
from market.mail import compose, outbox
from market.mail.compose import Mail
from market.mail.models import EmailOutbox
from market.messages import Message
from market.orders.models import Notification, Order
from market.orders.parties import everyone_on

SUBJECT_MAX = compose.SUBJECT_MAX

# Notice kind (its prefix) -> mail kind. Order events and follow-ups are ORDERS; answers and
# conversation messages are ANSWERS; a need that left the market, told to the providers engaged on it,
# is about their orders and answers (ORDERS); posting reviews are POSTINGS.
MAIL_KINDS = {
    "order_": outbox.ORDERS,
    "follow_up": outbox.ORDERS,
    "need.": outbox.ORDERS,
    "proposal": outbox.ANSWERS,
    "message": outbox.ANSWERS,
    "posting": outbox.POSTINGS,
    "recommend": outbox.RECOMMENDED,
}


def mail_kind(notice_kind: str) -> str:
    """The mail kind of a notification kind; an unknown kind fails when written, not when sent."""
    for prefix, kind in MAIL_KINDS.items():
        if notice_kind.startswith(prefix):
            return kind
    raise ValueError(f"notice kind {notice_kind!r} has no mail kind (market.orders.notify.MAIL_KINDS)")


def notify_user(
    user: User, order: Order | None, kind: str, message: Message, *, mail: str | None = None
) -> None:
    """One in-app notice and its mail (of mail kind `mail`, by default the one `kind` maps to)."""
    mail_as = mail or mail_kind(kind)
    db.session.add(
        Notification(
            user_id=user.id,
            order_id=order.id if order else None,
            kind=kind,
            message_key=message.key,
            message_params=message.params,
        )
    )
    outbox.queue(user, message, mail_as)


def notify_order(order: Order, actor: User | None, kind: str, message: Message) -> int:
    """Tell everyone on the order except the actor; returns how many were told."""
    told = 0
    for user in everyone_on(order):
        if actor is not None and user.id == actor.id:
            continue
        notify_user(user, order, kind, message)
        told += 1
    db.session.flush()
    return told


recipient_language = compose.recipient_language


def render_mail(row: EmailOutbox) -> Mail:
    """The mail of an outbox row, in its recipient's language (market.mail.compose.render)."""
    return compose.render(row)
