"""Sessions that really end (issue 12, point 1): logout, idle and absolute limits, remember-me.

Every check replays cookies the way a thief would: a fresh client that carries only the copied cookie.
Time is moved by editing the server-side rows' timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from market.auth import services as auth
from market.auth.models import User
from market.config import load_config
from market.db import db
from tests.factories import PASSWORD, login

SESSION = "session"
REMEMBER = "remember_token"


def _login(client: FlaskClient, make: Any, user_id: int, *, remember: bool) -> Any:
    email = make.get(User, user_id).email
    data = {"email": email, "password": PASSWORD} | ({"remember": "y"} if remember else {})
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.data[:300]
    return response


def _cookie(client: FlaskClient, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _with_only(app: Flask, name: str, value: str) -> FlaskClient:
    """A new browser that carries nothing but one copied cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def _logged_in(client: FlaskClient) -> bool:
    response = client.get("/needs/mine")
    assert response.status_code in {200, 302}, response.status_code
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login")
    return response.status_code == 200


def _set_cookie_header(response: Any, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _age_sessions(app: Flask, user_id: int, **ago: timedelta) -> None:
    """Move the user's server-side sessions into the past: created_at / last_seen_at = now - ago."""
    from market.auth.models import UserSession

    now = datetime.now(UTC)
    with app.app_context():
        values = {column: now - delta for column, delta in ago.items()}
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id).values(**values))
        db.session.commit()


# --- logout ---------------------------------------------------------------------------------------------


def test_replaying_the_session_cookie_after_logout_does_not_log_in(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    copied = _cookie(client, SESSION)
    assert copied and _logged_in(_with_only(app, SESSION, copied))
    client.post("/auth/logout")
    assert not _logged_in(client)
    assert not _logged_in(_with_only(app, SESSION, copied))


def test_logout_deletes_the_remember_cookie_and_revokes_it(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = app.test_client()
    _login(client, make, user_id, remember=True)
    copied = _cookie(client, REMEMBER)
    assert copied
    response = client.post("/auth/logout")
    deletion = _set_cookie_header(response, REMEMBER)
    assert "Max-Age=0" in deletion or "expires=Thu, 01 Jan 1970" in deletion
    assert _cookie(client, REMEMBER) is None
    assert not _logged_in(client)
    assert not _logged_in(_with_only(app, REMEMBER, copied))


def test_logout_everywhere_revokes_remember_tokens_of_other_browsers(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, make, user_id, remember=True)
    _login(phone, make, user_id, remember=True)
    copied = _cookie(laptop, REMEMBER)
    assert copied
    phone.post("/auth/logout-everywhere")
    assert not _logged_in(laptop)
    assert not _logged_in(_with_only(app, REMEMBER, copied))


# --- remember-me cookie ---------------------------------------------------------------------------------


@pytest.mark.parametrize("secure", [False, True])
def test_remember_cookie_lives_at_most_30_days_and_follows_the_session_flags(
    app: Flask, make: Any, monkeypatch: pytest.MonkeyPatch, secure: bool
) -> None:
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", secure)
    user_id = make.user("enterprise")
    response = _login(app.test_client(), make, user_id, remember=True)
    header = _set_cookie_header(response, REMEMBER)
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    max_age = int(attributes["max-age"].split("=")[1])
    assert 29 * 86400 < max_age <= 30 * 86400
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    assert ("secure" in attributes) is secure


def test_remember_days_setting_is_capped_at_30(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMEMBER_DAYS", "365")
    assert load_config()["REMEMBER_DAYS"] == 30
    monkeypatch.setenv("REMEMBER_DAYS", "7")
    assert load_config()["REMEMBER_DAYS"] == 7


def test_a_used_remember_token_rotates_and_the_old_value_stops_working(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    first = app.test_client()
    _login(first, make, user_id, remember=True)
    old = _cookie(first, REMEMBER)
    assert old
    browser = _with_only(app, REMEMBER, old)
    assert _logged_in(browser)  # the session had ended (new browser): the cookie started a new one
    new = _cookie(browser, REMEMBER)
    assert new and new != old
    assert not _logged_in(_with_only(app, REMEMBER, old))
    assert _logged_in(_with_only(app, REMEMBER, new))


def test_a_restored_session_keeps_the_original_expiry(app: Flask, make: Any) -> None:
    from market.auth.models import RememberToken

    user_id = make.user("enterprise")
    client = app.test_client()
    _login(client, make, user_id, remember=True)
    with app.app_context():
        original = db.session.scalars(select(RememberToken.expires_at)).one()
    assert _logged_in(_with_only(app, REMEMBER, _cookie(client, REMEMBER) or ""))
    with app.app_context():
        live = db.session.scalars(select(RememberToken.expires_at).where(RememberToken.revoked_at.is_(None)))
        assert list(live) == [original]


def test_an_expired_remember_token_does_not_log_in(app: Flask, make: Any) -> None:
    from market.auth.models import RememberToken

    user_id = make.user("enterprise")
    client = app.test_client()
    _login(client, make, user_id, remember=True)
    with app.app_context():
        db.session.execute(update(RememberToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        db.session.commit()
    thief = _with_only(app, REMEMBER, _cookie(client, REMEMBER) or "")
    assert not _logged_in(thief)
    assert _cookie(thief, REMEMBER) is None  # the dead cookie is deleted


def test_a_flask_login_remember_cookie_from_before_no_longer_logs_in(app: Flask, make: Any) -> None:
    from flask_login.utils import encode_cookie

    user_id = make.user("enterprise")
    with app.test_request_context():
        legacy = encode_cookie(db.session.get_one(User, user_id).get_id())
    assert not _logged_in(_with_only(app, REMEMBER, legacy))


@pytest.mark.parametrize("value", ["\x00\x00.x", "a" * 16 + ".\x00", "." * 40, "x" * 4000, "é.é"])
def test_a_malformed_remember_cookie_is_deleted_without_an_error(app: Flask, value: str) -> None:
    browser = app.test_client()
    browser.set_cookie(REMEMBER, value)
    response = browser.get("/needs/mine")
    assert response.status_code == 302
    assert browser.get_cookie(REMEMBER) is None
    assert browser.get("/").status_code == 200


# --- idle and absolute limits ---------------------------------------------------------------------------


def test_an_idle_session_ends_and_the_login_page_says_why(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    _age_sessions(app, user_id, last_seen_at=timedelta(minutes=29))
    assert _logged_in(client)  # within SESSION_IDLE_MINUTES (30), and the visit counts as activity
    _age_sessions(app, user_id, last_seen_at=timedelta(minutes=31))
    response = client.get("/needs/mine", follow_redirects=True)
    assert response.request.path == "/auth/login"
    assert "登录已失效，请重新登录。" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_page_views_record_activity_at_most_once_a_minute(app: Flask, make: Any) -> None:
    from market.auth.models import UserSession

    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    _age_sessions(app, user_id, last_seen_at=timedelta(seconds=20))
    with app.app_context():
        before = db.session.scalars(select(UserSession.last_seen_at)).one()
    assert _logged_in(client)
    with app.app_context():
        assert db.session.scalars(select(UserSession.last_seen_at)).one() == before
    _age_sessions(app, user_id, last_seen_at=timedelta(minutes=2))
    assert _logged_in(client)
    with app.app_context():
        seen = db.session.scalars(select(UserSession.last_seen_at)).one()
    assert datetime.now(UTC) - _utc(seen) < timedelta(seconds=30)


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    client = login(app.test_client(), user_id)
    _age_sessions(app, user_id, created_at=timedelta(hours=11, minutes=58), last_seen_at=timedelta(0))
    assert _logged_in(client)
    _age_sessions(app, user_id, created_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(0))
    assert not _logged_in(client)


def test_limits_are_settings(app: Flask, make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    idle_user, old_user = make.user("enterprise"), make.user("enterprise")
    idle, old = login(app.test_client(), idle_user), login(app.test_client(), old_user)
    _age_sessions(app, idle_user, last_seen_at=timedelta(minutes=6))
    assert not _logged_in(idle)
    _age_sessions(app, old_user, created_at=timedelta(minutes=61), last_seen_at=timedelta(0))
    assert not _logged_in(old)


def test_remember_me_restores_an_idle_session_as_a_new_limited_one(app: Flask, make: Any) -> None:
    from market.auth.models import UserSession

    def sessions() -> list[tuple[int, datetime, datetime | None]]:
        with app.app_context():
            rows = db.session.execute(select(UserSession.id, UserSession.created_at, UserSession.revoked_at))
            return sorted((id_, _utc(created), revoked) for id_, created, revoked in rows)

    user_id = make.user("enterprise")
    client = app.test_client()
    _login(client, make, user_id, remember=True)
    [(first, _created, _revoked)] = sessions()
    _age_sessions(app, user_id, last_seen_at=timedelta(minutes=31))
    assert _logged_in(client)  # through the remember-me cookie
    (old, _created, _revoked), (restored, created, revoked) = sessions()
    assert old == first and restored > first and revoked is None
    assert datetime.now(UTC) - created < timedelta(minutes=1)
    # The restored session has the same limits: without the cookie to restore it again, it ends.
    client.delete_cookie(REMEMBER)
    _age_sessions(app, user_id, last_seen_at=timedelta(minutes=31))
    assert not _logged_in(client)


# --- password change and deactivation -------------------------------------------------------------------


def test_password_change_ends_every_other_session_and_remember_token(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    here, laptop, phone = app.test_client(), app.test_client(), app.test_client()
    for client in (here, laptop, phone):
        _login(client, make, user_id, remember=client is not laptop)
    laptop_session, phone_remember = _cookie(laptop, SESSION), _cookie(phone, REMEMBER)
    here_remember = _cookie(here, REMEMBER)
    with app.test_request_context("/", headers={"Cookie": f"{SESSION}={_cookie(here, SESSION)}"}):
        auth.change_password(db.session.get_one(User, user_id), "New-passw0rd-1")
        db.session.commit()
    assert _logged_in(here)
    assert not _logged_in(laptop) and not _logged_in(phone)
    for name, value in ((SESSION, laptop_session), (REMEMBER, phone_remember), (REMEMBER, here_remember)):
        assert value and not _logged_in(_with_only(app, name, value)), name


def test_deactivation_ends_sessions_and_remember_tokens_for_good(app: Flask, make: Any) -> None:
    user_id = make.user("enterprise")
    admin = login(app.test_client(), make.user("admin"))
    client = app.test_client()
    _login(client, make, user_id, remember=True)
    session, remember = _cookie(client, SESSION), _cookie(client, REMEMBER)
    assert session and remember
    assert admin.post(f"/admin/users/{user_id}", data={"role": "enterprise"}).status_code == 302
    assert make.get(User, user_id).active is False
    assert not _logged_in(_with_only(app, SESSION, session))
    # Reactivated later: the cookies of before stay dead.
    reactivate = {"role": "enterprise", "active": "y"}
    assert admin.post(f"/admin/users/{user_id}", data=reactivate).status_code == 302
    assert not _logged_in(_with_only(app, SESSION, session))
    assert not _logged_in(_with_only(app, REMEMBER, remember))
    assert not _logged_in(client)


# --- next after login (issue 12, point 7) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/\r\nSet-Cookie: x=1", "/needs/\nx", "/needs/\x00", "/\\evil.example/", "/needs/\x7f"]
)
def test_control_characters_in_next_fall_back_to_the_dashboard(
    client: FlaskClient, make: Any, target: str
) -> None:
    email = make.get(User, make.user("enterprise")).email
    response = client.post(
        "/auth/login", query_string={"next": target}, data={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "x=1" not in " ".join(response.headers.getlist("Set-Cookie"))
