"""In-app notifications, unread counts (nav, inbox, API) and the email outbox."""

from __future__ import annotations

import re

from market import messages
from market.auth.models import User
from market.db import db
from market.orders.models import EmailOutbox, Notification
from market.orders.notify import render_mail
from tests.orders.world import World


def unread(world: World, role: str) -> int:
    with world.app.app_context():
        user_id = world.user_id(role)
        return (
            db.session.scalar(
                db.select(db.func.count(Notification.id)).where(
                    Notification.user_id == user_id, Notification.read_at.is_(None)
                )
            )
            or 0
        )


def nav_badge(html: str) -> int:
    found = re.search(r'data-testid="nav-unread">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_each_event_tells_the_other_parties_not_the_actor(world: World) -> None:
    order = world.order("ordered")
    assert unread(world, "provider") == 1 and unread(world, "owner") == 0
    world.act(order, "accept", "provider")
    assert unread(world, "owner") == 1 and unread(world, "provider") == 1
    assert unread(world, "other_provider") == unread(world, "broker_in") == 0


def test_dispatching_broker_hears_about_the_answer(world: World) -> None:
    order = world.order("dispatched", origin="dispatched")
    assert unread(world, "owner") == 1 and unread(world, "provider") == 1 and unread(world, "broker_in") == 0
    world.act(order, "decline", "provider", {"reason": "档期冲突"})
    assert unread(world, "broker_in") == 1
    with world.app.app_context():
        notice = db.session.scalar(db.select(Notification).where(Notification.user_id == world.broker_in))
        text = messages.render(notice.message_key, notice.message_params, "zh")
        assert "拒单" in text and "档期冲突" in text


def test_email_outbox_gets_one_mail_per_notice(world: World) -> None:
    world.order("accepted")
    with world.app.app_context():
        provider_email = db.session.get(User, world.provider).email
        mails = db.session.scalars(db.select(EmailOutbox).order_by(EmailOutbox.id)).all()
        notices = db.session.scalar(db.select(db.func.count(Notification.id)))
        assert len(mails) == notices == 2
        assert mails[0].to == provider_email and mails[0].sent_at is None
        mail = render_mail(mails[0])
        assert mail.subject.startswith("【科创对接】") and "/orders/" in mail.body


def test_unread_counts_in_nav_and_inbox_and_reading_clears_them(world: World) -> None:
    order = world.order("accepted")
    world.client("owner").post(f"/orders/{order}/follow-ups", data={"body": "约周五见面"})
    provider = world.client("provider")
    inbox = provider.get("/orders/").get_data(as_text=True)
    assert nav_badge(inbox) == 2
    assert re.search(r'data-testid="unread">2<', inbox)
    provider.get(f"/orders/{order}")
    inbox = provider.get("/orders/").get_data(as_text=True)
    assert nav_badge(inbox) == 0 and 'data-testid="unread"' not in inbox


def test_notifications_page_and_mark_all_read(world: World) -> None:
    world.order("ordered")
    provider = world.client("provider")
    page = provider.get("/orders/notifications?unread=1").get_data(as_text=True)
    assert page.count('data-testid="notification"') == 1
    provider.post("/orders/notifications/read")
    assert unread(world, "provider") == 0
    page = provider.get("/orders/notifications?unread=1").get_data(as_text=True)
    assert 'data-testid="notification"' not in page


def test_proposal_events_notify_both_sides(world: World) -> None:
    world.client("provider").post(f"/orders/proposals/need/{world.need}", data={"approach": "方案"})
    assert unread(world, "owner") == 1
    from market.orders.models import Proposal

    with world.app.app_context():
        proposal = db.session.scalar(db.select(Proposal.id))
    world.client("owner").post(f"/orders/proposals/{proposal}/reject", data={"reason": "不匹配"})
    assert unread(world, "provider") == 1
