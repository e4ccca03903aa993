"""/admin/mail: with no SMTP_URL the outbox is where the mail can be read; admins only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from market.admin.models import AdminEvent
from market.db import commit, db
from market.mail import models
from market.mail.models import EmailOutbox
from tests.orders.world import World


def _first_row(world: World) -> EmailOutbox:
    with world.app.app_context():
        row = db.session.scalars(select(EmailOutbox).order_by(EmailOutbox.id)).first()
        assert row is not None
        db.session.expunge(row)
        return row


def test_without_smtp_the_admin_reads_what_would_be_sent(world: World, mail_config: dict[str, Any]) -> None:
    mail_config.update(SMTP_URL="")
    order = world.order("ordered")
    admin = world.client("admin")
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert 'data-testid="smtp-missing"' in page
    assert page.count('data-testid="outbox-row"') >= 1 and 'data-state="queued"' in page
    row = _first_row(world)
    assert row.to in page
    preview = admin.get(f"/admin/mail/{row.id}")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    site = world.app.config["SITE_URL"]
    assert f"{site}/orders/{order}" in text and "【科创对接】" in text and "/mail/unsubscribe/" in text
    html = admin.get(f"/admin/mail/{row.id}/html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert f'href="{site}/orders/{order}"' in html.get_data(as_text=True)
    only_sent = admin.get("/admin/mail?state=sent").get_data(as_text=True)
    assert 'data-testid="outbox-row"' not in only_sent


def test_only_admins_see_the_outbox(world: World) -> None:
    world.order("ordered")
    row = _first_row(world)
    for role in ("owner", "provider", "broker_in", "broker_out"):
        client = world.client(role)
        for path in ("/admin/mail", f"/admin/mail/{row.id}", f"/admin/mail/{row.id}/html"):
            response = client.get(path)
            assert response.status_code == 403, (role, path)
            assert row.to not in response.get_data(as_text=True)
        assert client.post(f"/admin/mail/{row.id}/retry").status_code == 403
    anonymous = world.client("anonymous").get("/admin/mail")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.location
    assert world.client("admin").get("/admin/mail/999999").status_code == 404


def test_an_admin_queues_a_dead_mail_again_and_it_is_audited(world: World) -> None:
    world.order("ordered")
    row = _first_row(world)
    with world.app.app_context():
        db.session.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id == row.id)
            .values(state=models.DEAD, attempts=8, last_error="550 5.1.1 No such user")
        )
        commit()
    admin = world.client("admin")
    page = admin.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    assert "550 5.1.1 No such user" in page
    assert admin.post(f"/admin/mail/{row.id}/retry").status_code == 302
    with world.app.app_context():
        again = db.session.get_one(EmailOutbox, row.id)
        assert (again.state, again.attempts, again.next_attempt_at) == (models.QUEUED, 0, None)
        [event] = db.session.scalars(select(AdminEvent).where(AdminEvent.action == "mail.retry")).all()
        assert str(row.id) in event.target


def test_the_admin_preview_hides_the_token_of_a_reset_link(world: World, mail_config: dict[str, Any]) -> None:
    from market.auth import accounts
    from market.auth.models import User
    from market.mail import outbox
    from market.messages import build

    mail_config.update(SMTP_URL="")
    with world.app.test_request_context():
        user = db.session.scalars(select(User).where(User.role == "enterprise")).first()
        assert user is not None
        token = accounts.issue_token(user, accounts.RESET, user.email)
        row = outbox.queue(user, build("account.password_reset", token=token), outbox.ACCOUNT)
        commit()
        mail_id = row.id
    admin = world.client("admin")
    for url in (f"/admin/mail/{mail_id}", f"/admin/mail/{mail_id}/html"):
        text = admin.get(url).get_data(as_text=True)
        assert "/auth/reset/redacted" in text and token not in text
