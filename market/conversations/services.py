"""Threads and messages: reading, posting, unread counts, hiding; the rules live in conversations.rules.

Everybody outside a thread gets the same 404 for the thread, its messages and its files, so nobody
learns that an engagement exists. Services flush only; the request hook commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select, update

from market.attachments.services import checked_upload
from market.auth.models import User
from market.conversations import rules
from market.conversations.models import (
    MessageEvent,
    Thread,
    ThreadFile,
    ThreadMessage,
    ThreadRead,
    thread_for,
)
from market.conversations.terms import Upload
from market.db import db, utcnow
from market.errors import Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.ids import row_id
from market.messages import build
from market.orders import notify
from market.orders.models import Notification, Order, Proposal
from market.orders.parties import enterprise_users, provider_users

NOTICE_KIND = "message"


def _not_found() -> NotFound:
    return NotFound(_("会话不存在或你无权查看。"))


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


# ---- finding a thread ----------------------------------------------------------------------------------


def _thread_of(engagement: Order | Proposal) -> Thread:
    column = Thread.order_id if isinstance(engagement, Order) else Thread.proposal_id
    thread = db.session.scalar(select(Thread).where(column == engagement.id))
    if thread is None:
        # Engagements are given their thread when created (models._open_threads); this covers rows
        # written around the ORM.
        thread = thread_for(engagement, db.session)
        db.session.add(thread)
        db.session.flush()
    return thread


def _visible(actor: Any, thread: Thread | None) -> Thread:
    if thread is None or not rules.may_read(actor, thread):
        raise _not_found()
    return thread


def thread_for_order(actor: Any, order: Order) -> Thread:
    """The conversation of an order, if the actor is a party to it or a broker of its region (else 404)."""
    return _visible(actor, _thread_of(order))


def thread_for_proposal(actor: Any, proposal: Proposal) -> Thread:
    """The conversation of a proposal (答题), if the actor may read it (else 404)."""
    return _visible(actor, _thread_of(proposal))


def get_visible_thread(actor: Any, thread_id: int) -> Thread:
    thread = db.session.get(Thread, thread_id) if row_id(thread_id) else None
    return _visible(actor, thread)


def side_of(actor: Any, thread: Thread) -> str | None:
    return rules.side_of(actor, thread)


def can_moderate(actor: Any, thread: Thread) -> bool:
    return rules.may_moderate(actor, thread)


def shows_text(actor: Any, message: ThreadMessage) -> bool:
    """Whether the actor reads a message's text and file: always, unless a broker hid it."""
    return not message.hidden or rules.may_read_hidden(actor, message.thread)


def my_threads(actor: Any) -> Select[tuple[Thread]]:
    """The threads the actor may read, latest activity first (the region's, for a broker)."""
    latest = func.coalesce(Thread.last_message_at, Thread.created_at)
    return select(Thread).where(rules.readable(actor)).order_by(latest.desc(), Thread.id.desc())


# ---- unread counts -------------------------------------------------------------------------------------


def _unread(actor: Any) -> Select[Any]:
    """Unread messages of the threads the actor follows (see rules.followed), one row per message."""
    user_id = getattr(actor, "id", None)
    marker = and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user_id)
    return (
        select(ThreadMessage.id)
        .join(Thread, Thread.id == ThreadMessage.thread_id)
        .outerjoin(ThreadRead, marker)
        .where(
            rules.followed(actor),
            ThreadMessage.author_id != user_id,
            ThreadMessage.hidden_at.is_(None),
            ThreadMessage.id > func.coalesce(ThreadRead.last_message_id, 0),
        )
    )


def unread_total(actor: Any) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count()).select_from(_unread(actor).subquery())) or 0


def _unread_by(actor: Any, column: Any, ids: list[int]) -> dict[int, int]:
    if not ids or not getattr(actor, "is_authenticated", False):
        return {}
    query = _unread(actor).where(column.in_(ids)).with_only_columns(column, func.count(ThreadMessage.id))
    return {key: count for key, count in db.session.execute(query.group_by(column))}


def unread_by_thread(actor: Any, thread_ids: list[int]) -> dict[int, int]:
    return _unread_by(actor, Thread.id, thread_ids)


def unread_by_order(actor: Any, order_ids: list[int]) -> dict[int, int]:
    return _unread_by(actor, Thread.order_id, order_ids)


def unread_by_proposal(actor: Any, proposal_ids: list[int]) -> dict[int, int]:
    return _unread_by(actor, Thread.proposal_id, proposal_ids)


def mark_read(actor: User, thread: Thread) -> None:
    """The actor has read the thread up to its latest message; their notices of it are read too."""
    _visible(actor, thread)
    latest = db.session.scalar(select(func.max(ThreadMessage.id)).where(ThreadMessage.thread_id == thread.id))
    marker = db.session.get(ThreadRead, (thread.id, actor.id))
    if marker is None:
        db.session.add(ThreadRead(thread_id=thread.id, user_id=actor.id, last_message_id=latest or 0))
    else:
        marker.last_message_id = max(marker.last_message_id, latest or 0)
        marker.read_at = utcnow()
    _read_notices(actor, thread)
    db.session.flush()


def _read_notices(actor: User, thread: Thread) -> None:
    # A user's unread message notices are few; the thread id is in their JSON parameters, which
    # SQLite and PostgreSQL query differently, so they are matched here.
    notices = db.session.scalars(
        select(Notification).where(
            Notification.user_id == actor.id,
            Notification.kind == NOTICE_KIND,
            Notification.read_at.is_(None),
        )
    )
    ids = [n.id for n in notices if (n.message_params or {}).get("thread_id") == thread.id]
    if ids:
        db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(read_at=utcnow()))


# ---- posting -------------------------------------------------------------------------------------------


def post_message(actor: User, thread_id: int, body: str, upload: Upload | None = None) -> ThreadMessage:
    """A message (text, an optional file) in a thread the actor may read; the other side is notified."""
    thread = get_visible_thread(actor, thread_id)
    side = rules.side_of(actor, thread)
    assert side is not None
    text = body.strip()
    stored = _checked_file(upload) if upload is not None else None
    if not text and stored is None:
        raise _invalid("body", _("请填写消息内容或附上文件。"))
    message = ThreadMessage(thread_id=thread.id, author_id=actor.id, side=side, body=text)
    db.session.add(message)
    db.session.flush()
    if stored is not None:
        stored.message_id = message.id
        db.session.add(stored)
    thread.last_message_at = message.created_at
    _read_own(actor, thread, message)
    _notify_other_side(actor, thread, side)
    db.session.flush()
    return message


def _checked_file(upload: Upload) -> ThreadFile:
    """The file as it will be stored, or a 422 saying why not (the rules of a need's attachments)."""
    checked = checked_upload(upload.filename, upload.data)
    return ThreadFile(
        filename=checked.filename,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        data=checked.data,
    )


def _read_own(actor: User, thread: Thread, message: ThreadMessage) -> None:
    """Writing in a thread means having read it: one's own message never counts as unread."""
    marker = db.session.get(ThreadRead, (thread.id, actor.id))
    if marker is None:
        db.session.add(ThreadRead(thread_id=thread.id, user_id=actor.id, last_message_id=message.id))
    else:
        marker.last_message_id, marker.read_at = message.id, utcnow()


def _notify_other_side(actor: User, thread: Thread, side: str) -> None:
    """The enterprise hears of the provider's messages and the other way round; both of a broker's."""
    people: list[User] = []
    if side != rules.ENTERPRISE:
        people += enterprise_users(thread.organisation_id)
    if side != rules.PROVIDER:
        people += provider_users(thread.provider)
    said = build("conversation.posted", actor=actor.name, title=thread.title, thread_id=thread.id)
    for user in {u.id: u for u in people if u.id != actor.id}.values():
        notify.notify_user(user, thread.order, NOTICE_KIND, said)


# ---- files and moderation ------------------------------------------------------------------------------


def downloadable_file(actor: Any, file_id: int) -> ThreadFile:
    """A message's file for someone who may read the thread (and, if hidden, the message); else 404."""
    stored = db.session.get(ThreadFile, file_id) if row_id(file_id) else None
    if stored is None or not rules.may_read(actor, stored.message.thread):
        raise _not_found()
    if not shows_text(actor, stored.message):
        raise _not_found()
    return stored


def hideable(actor: Any, message_id: int) -> ThreadMessage:
    """A message the actor may hide: 404 outside its thread, 403 for its parties (only brokers hide)."""
    message = db.session.get(ThreadMessage, message_id) if row_id(message_id) else None
    if message is None or not rules.may_read(actor, message.thread):
        raise _not_found()
    if not rules.may_moderate(actor, message.thread):
        raise Forbidden(_("只有本地区经纪人和管理员可以隐藏消息。"))
    return message


def hide_message(actor: User, message_id: int, reason: str) -> ThreadMessage:
    """A broker of the region (or an admin) hides an abusive message; the step is logged with its reason."""
    message = hideable(actor, message_id)
    if message.hidden:
        return message
    message.hidden_at, message.hidden_by_id = utcnow(), actor.id
    db.session.add(MessageEvent(message_id=message.id, actor_id=actor.id, action="hide", reason=reason))
    db.session.flush()
    return message


def unhide_message(actor: User, message_id: int, reason: str) -> ThreadMessage:
    """A broker of the region (or an admin) shows a hidden message again; logged with its reason."""
    message = hideable(actor, message_id)
    if not message.hidden:
        return message
    message.hidden_at, message.hidden_by_id = None, None
    db.session.add(MessageEvent(message_id=message.id, actor_id=actor.id, action="unhide", reason=reason))
    db.session.flush()
    return message


def message_events(actor: Any, thread: Thread) -> list[MessageEvent]:
    """The moderation log of a thread, for those who moderate it."""
    if not rules.may_moderate(actor, thread):
        return []
    return list(
        db.session.scalars(
            select(MessageEvent)
            .join(ThreadMessage, ThreadMessage.id == MessageEvent.message_id)
            .where(ThreadMessage.thread_id == thread.id)
            .order_by(MessageEvent.id)
        )
    )
