"""请经纪人帮忙: an enterprise whose search found nothing asks the brokers of its region for help.

No conversation of its own: threads belong to an engagement (an order or a proposal) between an
enterprise and a provider, and this request has no provider yet. The request is the in-app notice
(and its mail, of the POSTINGS kind brokers already receive for reviews) that market.orders.notify
writes for every event, sent to each active broker of the enterprise's province (admins when the
province has none), carrying the query and linking to the provider search for it. The broker then
follows up as for any enterprise: dispatching on its need, or helping it post one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from market import permissions
from market.auth import accounts
from market.auth.models import Organisation, Role, User, broker_regions
from market.db import db, utcnow
from market.errors import Forbidden, ValidationFailed
from market.i18n import gettext as _
from market.messages import build
from market.orders import notify
from market.orders.models import Notification
from market.search.query import clean

MESSAGE_KEY = "search.ask_broker"
NOTICE_KIND = "posting.ask_broker"  # mail kind POSTINGS (market.orders.notify.MAIL_KINDS)
QUERY_MAX = 200  # characters of the query the notice carries
REPEAT_AFTER = timedelta(days=1)  # the same question is sent once a day


def can_ask(actor: Any) -> bool:
    """Who is offered the button: an enterprise member (whose organisation has a region)."""
    return permissions.can_create_need(actor)


def ask_broker(actor: User, query: str) -> int:
    """Tell the brokers of the actor's region what it searched for; returns how many were told
    (0 when the same question was already sent today: nobody is told twice)."""
    if not can_ask(actor):
        raise Forbidden(_("只有企业用户可以请经纪人帮忙。"))
    accounts.require_verified(actor)
    text = question(query)
    if not text:
        message = _("请先填写要找的内容。")
        raise ValidationFailed(message, field_errors={"query": [message]})
    if _asked_recently(actor, text):
        return 0
    organisation = db.session.get(Organisation, actor.organisation_id)
    province = organisation.province if organisation else None
    said = build(
        MESSAGE_KEY,
        organisation=organisation.name if organisation else "",
        actor=actor.name,
        actor_id=actor.id,
        query=text,
    )
    told = 0
    for broker in brokers_of(province):
        notify.notify_user(broker, None, NOTICE_KIND, said)
        told += 1
    db.session.flush()
    return told


def question(query: str) -> str:
    """The query as the notice carries it: normalised and cut to QUERY_MAX characters."""
    return clean(query)[:QUERY_MAX].strip()


def brokers_of(province: str | None) -> list[User]:
    """The active brokers working in `province`; the admins when there are none (or no province)."""
    found: list[User] = []
    if province:
        found = list(
            db.session.scalars(
                select(User)
                .join(broker_regions, broker_regions.c.user_id == User.id)
                .where(
                    broker_regions.c.region_code == province,
                    User.role == Role.BROKER,
                    User.active.is_(True),
                )
                .order_by(User.id)
            )
        )
    if not found:
        found = list(
            db.session.scalars(
                select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
            )
        )
    return found


def _asked_recently(actor: User, text: str) -> bool:
    # The actor and query are in the notices' JSON parameters, which SQLite and PostgreSQL query
    # differently; the notices of one key and day are few, so they are matched here.
    recent = db.session.scalars(
        select(Notification.message_params).where(
            Notification.message_key == MESSAGE_KEY, Notification.created_at >= utcnow() - REPEAT_AFTER
        )
    )
    return any((p or {}).get("actor_id") == actor.id and (p or {}).get("query") == text for p in recent)
