"""In-app notifications and the email outbox, one of each per person per order event.

Both store the message as a key and parameters (market.messages): the notice is put into words when
its reader opens the page, the mail when it is sent, in its recipient's language (User.locale).
"""

from __future__ import annotations

from dataclasses import dataclass

from market import messages
from market.auth.models import User
from market.db import db
from market.i18n import LANGUAGES, N_, translate
from market.messages import Message
from market.orders.models import EmailOutbox, Notification, Order
from market.orders.parties import everyone_on

SUBJECT_MAX = 200


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def notify_user(user: User, order: Order | None, kind: str, message: Message) -> None:
    db.session.add(
        Notification(
            user_id=user.id,
            order_id=order.id if order else None,
            kind=kind,
            message_key=message.key,
            message_params=message.params,
        )
    )
    db.session.add(
        EmailOutbox(to=user.email, user_id=user.id, message_key=message.key, message_params=message.params)
    )


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


def recipient_language(user: User | None) -> str:
    """The language a person reads mail in: the one they last chose on the site (Chinese by default)."""
    locale = getattr(user, "locale", None)
    return locale if locale in LANGUAGES else "zh"


def render_mail(row: EmailOutbox) -> Mail:
    """The mail of an outbox row, in its recipient's language; a row from before message keys as stored.

    Its link is a path: the mailer puts the site's address in front."""
    if not row.message_key:
        return Mail(row.to, row.subject, row.body)
    lang = recipient_language(row.user)
    text = messages.render(row.message_key, row.message_params, lang)
    link = messages.link(row.message_key, row.message_params)
    lines = [translate(N_("{name}，您好："), lang, name=row.user.name if row.user else ""), "", text]
    if link:
        lines += ["", translate(N_("查看详情：{link}"), lang, link=link)]
    subject = translate(N_("【科创对接】{text}"), lang, text=text)[:SUBJECT_MAX]
    return Mail(row.to, subject, "\n".join(lines) + "\n")
