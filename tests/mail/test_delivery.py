"""Mail leaves the building: through a real SMTP server (aiosmtpd, tests/smtp.py), in the recipient's
language, with the exact page's link and a one-click unsubscribe header; failures are retried with
backoff and given up after MAIL_MAX_ATTEMPTS; two workers never send one mail twice."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from market.auth.models import User
from market.db import commit, db, utcnow
from market.mail import compose, models, sender
from market.mail.models import EmailOutbox
from market.mail.outbox import ACCOUNT, queue
from market.messages import build
from tests.orders.world import World
from tests.smtp import SmtpServer


def _email(world: World, user_id: int) -> str:
    with world.app.app_context():
        return db.session.get_one(User, user_id).email


def _rows(app: Flask, to: str | None = None) -> list[EmailOutbox]:
    with app.app_context():
        query = select(EmailOutbox).order_by(EmailOutbox.id)
        if to:
            query = query.where(EmailOutbox.to == to)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def _send(app: Flask) -> sender.Result:
    with app.app_context():
        return sender.send_pending()


def _make_due(app: Flask) -> None:
    """Move every waiting retry to now, as if its backoff had passed."""
    with app.app_context():
        db.session.execute(
            update(EmailOutbox)
            .where(EmailOutbox.state == models.QUEUED)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        commit()


def test_an_order_mail_arrives_in_the_recipients_language_with_its_link(
    world: World, smtp_server: SmtpServer
) -> None:
    provider = world.client("provider")
    assert provider.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    order = world.order("ordered")  # sent in the background right after the commit
    to_provider = _email(world, world.provider)
    [mail] = smtp_server.wait_for(1, to=to_provider)
    site = world.app.config["SITE_URL"]
    assert mail["To"] == to_provider
    assert mail["Subject"].startswith("[Kechuang Match] ") and "invited you to a need" in mail["Subject"]
    assert mail.get_content_type() == "multipart/alternative"
    text, html = SmtpServer.text(mail), SmtpServer.html(mail)
    assert text.startswith("Dear ") and f"{site}/orders/{order}" in text
    assert f'href="{site}/orders/{order}"' in html
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{site}/mail/unsubscribe/") and unsubscribe.endswith(">")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text and "Unsubscribe" in text
    assert mail["Content-Language"] == "en"
    sender.wait_for_background()  # the thread records the outcome after the server answered
    [row] = _rows(world.app, to_provider)
    assert row.state == models.SENT and row.sent_at is not None and row.attempts == 0 and row.kind == "orders"

    world.act(order, "accept", "provider")
    to_owner = _email(world, world.owner)
    [accepted] = smtp_server.wait_for(1, to=to_owner)
    assert accepted["Subject"].startswith("【科创对接】") and "接单" in accepted["Subject"]
    assert SmtpServer.text(accepted).startswith(
        "测试用户"
    ) and f"查看详情：{site}/orders/{order}" in SmtpServer.text(accepted)
    assert accepted["Content-Language"] == "zh-CN"


def test_account_mail_has_no_unsubscribe_link(world: World, smtp_server: SmtpServer) -> None:
    with world.app.app_context():
        user = db.session.get_one(User, world.owner)
        queue(
            user,
            build("order.reminded", actor="系统", title="测试", order_id=1),
            ACCOUNT,
            to="new@example.com",
        )
        commit()
    [mail] = smtp_server.wait_for(1, to="new@example.com")
    assert mail["List-Unsubscribe"] is None
    assert "/mail/unsubscribe/" not in SmtpServer.text(mail)


def test_a_down_server_leaves_mail_queued_and_retries_with_backoff(
    world: World, mail_config: dict[str, Any], tmp_path: Path
) -> None:
    server = SmtpServer()  # a port nobody listens on yet
    mail_config.update(SMTP_URL=server.url, MAIL_SEND_ON_COMMIT=False, MAIL_RETRY_SECONDS=60)
    world.order("ordered")
    to = _email(world, world.provider)
    before = utcnow()
    first = _send(world.app)
    assert first.sent == 0 and first.failed >= 1
    [row] = _rows(world.app, to)
    assert row.state == models.QUEUED and row.attempts == 1 and row.sent_at is None
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    wait = row.next_attempt_at.replace(tzinfo=before.tzinfo) - before  # type: ignore[union-attr]
    assert timedelta(seconds=59) <= wait <= timedelta(seconds=65)
    assert _send(world.app).failed == 0, "not due yet: nothing is tried"

    _make_due(world.app)
    _send(world.app)
    [row] = _rows(world.app, to)
    wait = row.next_attempt_at.replace(tzinfo=before.tzinfo) - utcnow()  # type: ignore[union-attr]
    assert row.attempts == 2 and timedelta(seconds=110) <= wait <= timedelta(seconds=120), "the wait doubles"

    server.start()  # the server is back: the retry delivers
    try:
        _make_due(world.app)
        assert _send(world.app).sent >= 1
        [mail] = server.wait_for(1, to=to)
        [row] = _rows(world.app, to)
        assert row.state == models.SENT and row.attempts == 2 and row.last_error == ""
        assert "/orders/" in SmtpServer.text(mail)
    finally:
        server.stop()


def test_mail_is_given_up_after_max_attempts(world: World, mail_config: dict[str, Any]) -> None:
    server = SmtpServer().start()
    server.refuse = (451, "4.3.0 Try again later")
    mail_config.update(SMTP_URL=server.url, MAIL_SEND_ON_COMMIT=False, MAIL_MAX_ATTEMPTS=3)
    try:
        world.order("ordered")
        to = _email(world, world.provider)
        for attempt in (1, 2):
            _send(world.app)
            [row] = _rows(world.app, to)
            assert (row.state, row.attempts) == (models.QUEUED, attempt)
            assert "451" in row.last_error
            _make_due(world.app)
        result = _send(world.app)
        [row] = _rows(world.app, to)
        assert (row.state, row.attempts, row.next_attempt_at) == (models.DEAD, 3, None)
        assert result.dead >= 1 and server.to(to) == []
        server.refuse = None
        _make_due(world.app)
        _send(world.app)
        assert server.to(to) == [], "a dead mail is not sent again by itself"
    finally:
        server.stop()


def test_an_address_refused_for_good_is_dead_at_once(world: World, mail_config: dict[str, Any]) -> None:
    server = SmtpServer().start()
    server.refuse = (550, "5.1.1 No such user")
    mail_config.update(SMTP_URL=server.url, MAIL_SEND_ON_COMMIT=False)
    try:
        world.order("ordered")
        to = _email(world, world.provider)
        _send(world.app)
        [row] = _rows(world.app, to)
        assert (row.state, row.attempts) == (models.DEAD, 1) and "550" in row.last_error
    finally:
        server.stop()


def test_the_request_neither_waits_for_nor_fails_with_a_silent_server(
    world: World, mail_config: dict[str, Any]
) -> None:
    # A server that accepts the connection and never greets: each attempt waits SMTP_TIMEOUT.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    mail_config.update(SMTP_URL=f"smtp://127.0.0.1:{silent.getsockname()[1]}", SMTP_TIMEOUT=3)
    try:
        order = world.order("accepted")
        owner = world.client("owner")
        started = time.monotonic()
        response = owner.post(f"/orders/{order}/follow-ups", data={"body": "约周五见面"})
        assert response.status_code == 302
        assert time.monotonic() - started < 2, "the request waited for the SMTP server"
        sender.wait_for_background()
        rows = _rows(world.app)
        assert rows and all(row.state == models.QUEUED and row.sent_at is None for row in rows)
        assert any(row.attempts == 1 and "timed out" in row.last_error for row in rows)
    finally:
        silent.close()


def test_two_workers_sending_at_once_deliver_each_mail_once(
    app: Flask, make: Any, mail_config: dict[str, Any], smtp_server: SmtpServer
) -> None:
    mail_config.update(MAIL_SEND_ON_COMMIT=False)
    users = [make.user("enterprise") for _ in range(6)]
    with app.app_context():
        for n in range(60):
            user = db.session.get_one(User, users[n % len(users)])
            queue(user, build("order.reminded", actor="经纪人", title=f"第{n}号", order_id=n + 1), "orders")
        commit()
    start = threading.Barrier(2)
    results: list[sender.Result] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                start.wait()
                results.append(sender.send_pending(limit=None))
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    received = smtp_server.wait_for(60, timeout=5)
    ids = sorted(str(mail["Message-ID"]) for mail in received)
    assert len(ids) == 60 and len(set(ids)) == 60, "every mail exactly once"
    assert sum(result.sent for result in results) == 60
    rows = _rows(app)
    assert {row.state for row in rows} == {models.SENT} and all(row.claim_token is None for row in rows)


def test_a_claim_is_exclusive_until_its_lease_runs_out(
    app: Flask, make: Any, mail_config: dict[str, Any]
) -> None:
    mail_config.update(SMTP_URL="smtp://127.0.0.1:9", MAIL_SEND_ON_COMMIT=False)
    user_id = make.user("enterprise")
    with app.app_context():
        user = db.session.get_one(User, user_id)
        for n in range(3):
            queue(user, build("order.reminded", actor="经纪人", title=f"第{n}号", order_id=n + 1), "orders")
        commit()
        _token, first = sender.claim()
        _token, second = sender.claim()
        assert len(first) == 3 and second == [], "claimed rows are not claimed again"
        later = utcnow() + sender.CLAIM_LEASE + timedelta(seconds=1)
        _token, taken_over = sender.claim(now=later)
        assert taken_over == first, "a worker that died does not hold its rows for ever"


def test_starttls_and_implicit_tls_with_a_checked_certificate(
    world: World, mail_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail_config.update(MAIL_SEND_ON_COMMIT=False)
    to = _email(world, world.provider)
    servers = []
    for folder, options in (("a", {"tls": True}), ("b", {"implicit_tls": True})):
        (tmp_path / folder).mkdir(exist_ok=True)
        servers.append(SmtpServer(folder=tmp_path / folder, **options).start())
    try:
        plain = SmtpServer().start()
        servers.append(plain)
        # A server without STARTTLS is refused when TLS is required: the mail stays queued.
        mail_config.update(SMTP_URL=plain.url + "?starttls=require")
        world.order("ordered")
        _send(world.app)
        [row] = _rows(world.app, to)
        assert row.state == models.QUEUED and "offers no STARTTLS" in row.last_error and plain.messages == []
        # An untrusted certificate is refused too.
        mail_config.update(SMTP_URL=servers[0].url + "?starttls=require")
        _make_due(world.app)
        _send(world.app)
        [row] = _rows(world.app, to)
        assert row.attempts == 2 and "CERTIFICATE_VERIFY_FAILED" in row.last_error
        for server, query in zip(servers[:2], ("?starttls=require", ""), strict=True):
            server.trust(monkeypatch)
            mail_config.update(SMTP_URL=server.url + query)
            _make_due(world.app)
            with world.app.app_context():
                db.session.execute(update(EmailOutbox).values(state=models.QUEUED, sent_at=None))
                commit()
            assert _send(world.app).sent == 1
            assert len(server.wait_for(1, to=to)) == 1
    finally:
        for server in servers:
            server.stop()


def test_the_command_line_sends_one_pass(
    world: World, smtp_server: SmtpServer, mail_config: dict[str, Any]
) -> None:
    mail_config.update(MAIL_SEND_ON_COMMIT=False)
    world.order("ordered")
    assert smtp_server.messages == []
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent " in result.output and smtp_server.wait_for(1)
    worker = runner.invoke(args=["mail", "worker", "--passes", "1", "--interval", "0.1"])
    assert worker.exit_code == 0 and "mail worker sending to smtp://127.0.0.1:" in worker.output


def test_without_smtp_url_nothing_is_sent_and_the_command_says_why(
    world: World, mail_config: dict[str, Any]
) -> None:
    mail_config.update(SMTP_URL="")
    world.order("ordered")
    result = world.app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "SMTP_URL is not set" in result.output
    assert {row.state for row in _rows(world.app)} == {models.QUEUED}


def test_links_follow_site_url_with_its_path(world: World, mail_config: dict[str, Any]) -> None:
    before = world.app.config["SITE_URL"]
    world.app.config["SITE_URL"] = "https://kc.example.com/market"
    try:
        order = world.order("ordered")
        with world.app.app_context():
            row = db.session.scalars(select(EmailOutbox).order_by(EmailOutbox.id)).first()
            assert row is not None
            mail = compose.render(row)
            message = compose.as_email(mail, row.id)
        assert mail.link == f"https://kc.example.com/market/orders/{order}"
        assert mail.unsubscribe.startswith("https://kc.example.com/market/mail/unsubscribe/")
        assert "https://kc.example.com/market/me/notifications" in mail.body
        assert str(message["Message-ID"]).endswith("@kc.example.com>")
    finally:
        world.app.config["SITE_URL"] = before
