"""What each person chose to receive: immediate, daily digest or off per kind; the one-click unsubscribe
link (signed, no login) and a tampered one refused; the digest is one mail a day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from market.auth.models import User
from market.db import commit, db
from market.mail import models, preferences, sender
from market.mail.digest import build_digests
from market.mail.models import EmailOutbox, MailPreference
from market.mail.outbox import ACCOUNT, queue
from market.messages import build
from tests.factories import APPROVED, login
from tests.orders.world import World
from tests.smtp import SmtpServer


def _email(world: World, user_id: int) -> str:
    with world.app.app_context():
        return db.session.get_one(User, user_id).email


def _states(app: Flask, to: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(EmailOutbox).where(EmailOutbox.to == to).order_by(EmailOutbox.id))
        return [(row.kind, row.state) for row in rows]


def _checked(page: str, name: str) -> str | None:
    """The value of the checked radio button `name` on a page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    return None


def _need(world: World) -> int:
    """Another approved need of the owner (one open order per provider and need)."""
    return int(world.make.need(world.owner, status=APPROVED, is_open_call=True))


def _modes(app: Flask, user_id: int) -> dict[str, str]:
    with app.app_context():
        return preferences.modes_of(user_id)


def test_the_preferences_page_shows_and_saves_each_kind(world: World) -> None:
    provider = world.client("provider")
    page = provider.get("/me/notifications")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert {kind: _checked(body, kind) for kind in preferences.CHOOSABLE} == {
        "orders": "immediate",
        "answers": "immediate",
        "postings": "immediate",
        "recommended": "digest",
    }
    for kind in preferences.CHOOSABLE:
        assert f'data-kind="{kind}"' in body
    saved = provider.post(
        "/me/notifications",
        data={"orders": "digest", "answers": "off", "postings": "immediate", "recommended": "off"},
    )
    assert saved.status_code == 302 and saved.location.endswith("/me/notifications")
    assert _modes(world.app, world.provider) == {
        "orders": "digest",
        "answers": "off",
        "postings": "immediate",
        "recommended": "off",
    }
    again = provider.get("/me/notifications?lang=en").get_data(as_text=True)
    assert "Mail settings" in again and "Daily digest" in again
    assert (_checked(again, "orders"), _checked(again, "answers")) == ("digest", "off")


def test_a_bad_choice_is_refused_with_a_message_and_nothing_saved(world: World) -> None:
    provider = world.client("provider")
    refused = provider.post(
        "/me/notifications",
        data={"orders": "hourly", "answers": "off", "postings": "immediate", "recommended": "off"},
    )
    assert refused.status_code == 422
    assert "invalid-feedback" in refused.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalars(select(MailPreference)).all() == []


def test_the_preferences_page_needs_a_login(client: Any) -> None:
    response = client.get("/me/notifications")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_off_sends_nothing_and_digest_waits(world: World, smtp_server: SmtpServer) -> None:
    provider = world.client("provider")
    provider.post(
        "/me/notifications",
        data={"orders": "off", "answers": "immediate", "postings": "immediate", "recommended": "digest"},
    )
    world.order("ordered")
    to_provider = _email(world, world.provider)
    sender.wait_for_background()
    assert _states(world.app, to_provider) == [("orders", models.CANCELLED)]
    assert smtp_server.to(to_provider) == []
    # The owner (defaults) still gets theirs.
    world.client("owner").post(
        "/me/notifications",
        data={"orders": "digest", "answers": "immediate", "postings": "immediate", "recommended": "digest"},
    )
    order = world.order("ordered", need=_need(world))
    world.act(order, "accept", "provider")
    world.act(order, "negotiate", "owner")
    world.act(order, "cancel", "provider", {"reason": "档期冲突"})
    to_owner = _email(world, world.owner)
    sender.wait_for_background()
    assert [state for _kind, state in _states(world.app, to_owner)] == [models.DIGEST, models.DIGEST]
    assert smtp_server.to(to_owner) == []


def test_the_daily_digest_is_one_mail_a_day_with_everything_new(
    world: World, smtp_server: SmtpServer, mail_config: dict[str, Any]
) -> None:
    mail_config.update(MAIL_SEND_ON_COMMIT=False)
    world.client("owner").post(
        "/me/notifications",
        data={"orders": "digest", "answers": "immediate", "postings": "immediate", "recommended": "digest"},
    )
    world.client("owner").post("/auth/lang/en", data={"next": "/"})
    first, second = world.order("accepted"), world.order("accepted", need=_need(world))
    to_owner = _email(world, world.owner)
    runner = world.app.test_cli_runner()
    made = runner.invoke(args=["mail", "digest", "--day", "2026-12-01"])
    assert made.exit_code == 0 and "1 digests queued" in made.output
    assert runner.invoke(args=["mail", "digest", "--day", "2026-12-01"]).output.startswith("0 digests"), (
        "idempotent per day"
    )
    with world.app.app_context():
        assert sender.send_pending().sent >= 1
    [digest] = smtp_server.wait_for(1, to=to_owner)
    text = SmtpServer.text(digest)
    site = world.app.config["SITE_URL"]
    assert digest["Subject"] == "[Kechuang Match] Daily summary: 2 new"
    assert f"{site}/orders/{first}" in text and f"{site}/orders/{second}" in text
    assert "/mail/unsubscribe/" in digest["List-Unsubscribe"]
    assert [state for _kind, state in _states(world.app, to_owner)] == [
        models.DIGESTED,
        models.DIGESTED,
        models.SENT,
    ]
    # Something new the same day waits for the next day's digest.
    third = world.order("accepted", need=_need(world))
    with world.app.app_context():
        assert build_digests(date(2026, 12, 1)) == 0
        assert build_digests(date(2026, 12, 1) + timedelta(days=1)) == 1
        commit()
        assert sender.send_pending().sent >= 1
    [_first, later] = smtp_server.wait_for(2, to=to_owner)
    assert f"{site}/orders/{third}" in SmtpServer.text(later)
    assert f"{site}/orders/{first}" not in SmtpServer.text(later)


def test_the_unsubscribe_link_switches_its_kind_off_without_a_login(
    world: World, smtp_server: SmtpServer
) -> None:
    world.order("ordered")
    to_provider = _email(world, world.provider)
    [mail] = smtp_server.wait_for(1, to=to_provider)
    link = mail["List-Unsubscribe"].strip("<>")
    path = link.removeprefix(world.app.config["SITE_URL"])
    visitor = world.app.test_client()  # not logged in
    asked = visitor.get(path)
    assert asked.status_code == 200 and "确认退订" in asked.get_data(as_text=True)
    assert _modes(world.app, world.provider)["orders"] == "immediate", "opening the link changes nothing"
    done = visitor.post(path)
    assert done.status_code == 200 and "已退订：订单动态" in done.get_data(as_text=True)
    defaults = {kind: preferences.DEFAULTS[kind] for kind in preferences.CHOOSABLE}
    assert _modes(world.app, world.provider) == {**defaults, "orders": "off"}, "only its own kind"
    world.order("ordered", need=_need(world))
    sender.wait_for_background()
    assert _states(world.app, to_provider)[-1] == ("orders", models.CANCELLED)
    assert len(smtp_server.to(to_provider)) == 1


def test_one_click_unsubscribe_by_a_mail_program_needs_no_csrf_token(
    app: Flask, make: Any, mail_config: dict[str, Any]
) -> None:
    user_id = make.user("provider")
    with app.app_context():
        token = preferences.unsubscribe_token(user_id, "answers")
    mail_config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post(
            f"/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
        )
    finally:
        mail_config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200
    assert _modes(app, user_id)["answers"] == "off"


def test_a_tampered_unsubscribe_link_is_refused(app: Flask, make: Any) -> None:
    victim = make.user("provider")
    other = make.user("provider")
    with app.app_context():
        token = preferences.unsubscribe_token(other, "orders")
    payload, signature = token.split(".", 1)
    # Another user's id with the other user's signature; a cut signature; rubbish.
    forged_payload = preferences.URLSafeSerializer("wrong-key", salt="mail-unsubscribe").dumps(
        [victim, "orders"]
    )
    for bad in (
        f"{forged_payload.split('.')[0]}.{signature}",
        forged_payload,
        f"{payload}.{signature[:-2]}",
        "not-a-token",
    ):
        for method in ("GET", "POST"):
            response = app.test_client().open(f"/mail/unsubscribe/{bad}", method=method)
            assert response.status_code == 400, (bad, method)
            assert "退订链接无效或已被改动" in response.get_data(as_text=True)
    assert _modes(app, victim)["orders"] == "immediate"
    assert _modes(app, other)["orders"] == "immediate"
    with app.app_context():
        assert db.session.scalars(select(MailPreference)).all() == []


def test_account_mail_is_always_immediate(app: Flask, make: Any, mail_config: dict[str, Any]) -> None:
    user_id = make.user("enterprise")
    with app.app_context():
        for kind in preferences.CHOOSABLE:
            preferences.set_mode(user_id, kind, preferences.OFF)
        user = db.session.get_one(User, user_id)
        row = queue(user, build("order.reminded", actor="系统", title="重置密码", order_id=1), ACCOUNT)
        commit()
        assert row.state == models.QUEUED and row.kind == "account"
        assert preferences.modes_of(user_id) == dict.fromkeys(preferences.CHOOSABLE, "off")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from([*preferences.CHOOSABLE, "account", "csrf_token"]),
        st.one_of(st.sampled_from(preferences.MODES), st.text(max_size=12)),
    )
)
def test_any_preferences_post_saves_only_known_choices(app: Flask, make: Any, values: dict[str, str]) -> None:
    user_id = make.user("provider")
    client = app.test_client()
    login(client, user_id)
    response = client.post("/me/notifications", data=values)
    complete = all(values.get(kind) in preferences.MODES for kind in preferences.CHOOSABLE)
    with app.app_context():
        stored = {row.kind: row.mode for row in db.session.scalars(select(MailPreference))}
    if complete:
        assert response.status_code == 302
        assert stored == {kind: values[kind] for kind in preferences.CHOOSABLE}
    else:
        assert response.status_code == 422 and stored == {}
    with app.app_context():
        db.session.execute(MailPreference.__table__.delete())
        commit()
