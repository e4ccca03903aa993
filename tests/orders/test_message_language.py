"""Notifications, automatic follow-ups, audit entries and mail are read in the reader's language,
whatever language the person who took the step was using; their links come from url_for."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from flask import url_for
from flask.testing import FlaskClient
from sqlalchemy import update

from market.auth.models import User
from market.db import commit, db, utcnow
from market.needs.models import Need
from market.orders import expiry
from market.orders.models import AuditLog, EmailOutbox, FollowUp, Notification, Order
from market.orders.notify import render_mail
from tests.orders.world import World

RAW_CODES = re.compile(
    r"\b(enterprise|provider|broker|system|create|accept|decline|expire|ordered|accepted)\b"
)


def visible(page: str) -> str:
    """The text a reader sees: tags (and the codes in their attributes) removed."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def section(client: FlaskClient, path: str, testid: str) -> str:
    """The visible text of a page's list or table, from the element marked data-testid to its end."""
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    start = page.index(">", page.index(f'data-testid="{testid}"')) + 1
    end = min(i for i in (page.find("</table>", start), page.find("</ul>", start)) if i != -1)
    return visible(page[start:end])


def names(world: World) -> tuple[str, str, str]:
    with world.app.app_context():
        title = db.session.get(Need, world.need).title
        return db.session.get(User, world.owner).name, db.session.get(User, world.provider).name, title


def test_an_english_reader_reads_english_about_a_step_a_chinese_user_took(world: World) -> None:
    order = world.order("ordered")
    _owner_name, provider_name, title = names(world)
    assert world.client("provider").post(f"/orders/{order}/act/accept").status_code == 302  # in Chinese
    owner = world.client("owner")
    notices = section(owner, "/orders/notifications?lang=en", "notification")
    assert f"{provider_name}: Accept — {title}" in notices and "接单" not in notices
    follow_ups = section(owner, f"/orders/{order}?lang=en", "follow-ups")
    assert "Status change: Accept (Invited → Accepted)" in follow_ups and "状态变更" not in follow_ups
    audit = section(world.client("broker_in"), f"/orders/{order}/audit?lang=en", "audit")
    assert (
        "Provider side" in audit and "Accept" in audit and "Enterprise side" in audit and "Created" in audit
    )
    assert not RAW_CODES.search(audit), audit
    mails = _mails_to(world, world.owner)
    assert mails and all("Accept" not in mail.subject for mail in mails)  # the owner reads Chinese mail


def test_a_chinese_reader_reads_chinese_about_a_step_an_english_user_took(world: World) -> None:
    order = world.order("ordered")
    _owner_name, provider_name, title = names(world)
    declined = world.client("provider").post(
        f"/orders/{order}/act/decline?lang=en", data={"reason": "档期冲突"}
    )
    assert declined.status_code == 302
    owner = world.client("owner")
    notices = section(owner, "/orders/notifications", "notification")
    assert f"{provider_name}：拒单 —— {title}（档期冲突）" in notices
    follow_ups = section(owner, f"/orders/{order}", "follow-ups")
    assert (
        "状态变更：拒单（待接单（邀请） → 已拒单） 档期冲突" in follow_ups
        and "Status change" not in follow_ups
    )
    audit = section(world.client("broker_in"), f"/orders/{order}/audit", "audit")
    assert "服务方" in audit and "拒单" in audit and not RAW_CODES.search(audit), audit


def test_notification_links_are_the_url_for_targets(world: World) -> None:
    order = world.order("accepted")
    world.client("owner").post(f"/orders/{order}/follow-ups", data={"body": "约周五见面"})
    page = world.client("provider").get("/orders/notifications").get_data(as_text=True)
    with world.app.test_request_context():
        detail = url_for("orders.detail", order_id=order)
        follow_ups = url_for("orders.detail", order_id=order, _anchor="follow-ups")
    links = re.findall(r'data-testid="notification">\s*<span><a href="([^"]+)"', page)
    assert links == [follow_ups, detail], links  # newest first: the follow-up, then the invitation


def test_mail_is_written_in_its_recipients_language(world: World) -> None:
    provider = world.client("provider")
    assert provider.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    with world.app.app_context():
        assert db.session.get(User, world.provider).locale == "en"
    order = world.order("accepted")
    owner_name, provider_name, title = names(world)
    [invited] = _mails_to(world, world.provider)
    # An invitation (邀请) reads as one, not as 点单.
    assert invited.subject == f"[Kechuang Match] {owner_name} invited you to a need: {title}"
    site = world.app.config["SITE_URL"]  # mail links are absolute (market.mail.compose)
    assert (
        invited.body.startswith(f"Dear {provider_name},\n")
        and f"Details: {site}/orders/{order}\n" in invited.body
    )
    [accepted] = _mails_to(world, world.owner)
    assert accepted.subject == f"【科创对接】{provider_name}：接单 —— {title}"
    assert (
        accepted.body.startswith(f"{owner_name}，您好：")
        and f"查看详情：{site}/orders/{order}" in accepted.body
    )


def test_an_expiry_reads_in_the_readers_language(world: World) -> None:
    order = world.order("ordered")
    with world.app.app_context():
        old = utcnow() - timedelta(days=20)
        db.session.execute(update(Order).where(Order.id == order).values(status_changed_at=old))
        commit()
        assert expiry.expire_overdue(days=14) == 1
    broker = world.client("broker_in")
    assert "no answer within 14 days, expired automatically" in section(
        broker, f"/orders/{order}/audit?lang=en", "audit"
    )
    assert "超过 14 天未答复，系统自动过期" in section(broker, f"/orders/{order}/audit", "audit")
    notices = section(world.client("owner"), "/orders/notifications?lang=en", "notification")
    assert "Order expired (no answer within 14 days, expired automatically)" in notices


def test_a_brokers_reminder_reads_in_the_readers_language(world: World) -> None:
    order = world.order("dispatched", origin="dispatched")
    reminded = world.client("broker_in").post(
        f"/broker/orders/{order}/remind", data={"message": "请本周答复"}
    )
    assert reminded.status_code == 302
    notices = section(world.client("provider"), "/orders/notifications?lang=en", "notification")
    assert "asks you to answer the order soon" in notices and "(请本周答复)" in notices
    follow_ups = section(world.client("owner"), f"/orders/{order}?lang=en", "follow-ups")
    assert "Reminded the provider to answer (1 notified): 请本周答复" in follow_ups


def test_rows_from_before_message_keys_keep_their_text(world: World) -> None:
    order = world.order("ordered")
    with world.app.app_context():
        db.session.add_all(
            [
                Notification(user_id=world.owner, order_id=order, kind="old", text="旧通知", link="/needs/"),
                FollowUp(order_id=order, kind="transition", body="旧的状态变更记录"),
                AuditLog(
                    order_id=order,
                    party="provider",
                    action="accept",
                    from_status="ordered",
                    to_status="accepted",
                    reason="旧原因",
                    version=1,
                ),
                EmailOutbox(to="old@example.com", subject="旧主题", body="旧正文"),
            ]
        )
        commit()
        old_mail = db.session.scalar(db.select(EmailOutbox).where(EmailOutbox.to == "old@example.com"))
        assert (render_mail(old_mail).subject, render_mail(old_mail).body) == ("旧主题", "旧正文")
    owner = world.client("owner")
    for lang in ("zh", "en"):
        page = owner.get(f"/orders/notifications?lang={lang}").get_data(as_text=True)
        assert '<a href="/needs/">旧通知</a>' in page
        assert "旧的状态变更记录" in section(owner, f"/orders/{order}?lang={lang}", "follow-ups")
        assert "旧原因" in section(world.client("broker_in"), f"/orders/{order}/audit?lang={lang}", "audit")


def _mails_to(world: World, user_id: int) -> list:  # type: ignore[type-arg]
    with world.app.app_context():
        email = db.session.get(User, user_id).email
        rows = db.session.scalars(
            db.select(EmailOutbox).where(EmailOutbox.to == email).order_by(EmailOutbox.id)
        )
        return [render_mail(row) for row in rows]
