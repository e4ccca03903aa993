"""Password hashes take turns (PASSWORD_HASH_CONCURRENCY per worker), so a burst of logins leaves
CPU for page views; a check that waits too long answers 503 with Retry-After (issue 19, point 4)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event

from market.auth import passwords
from market.auth.models import User
from market.db import db
from tests.factories import PASSWORD

pytestmark = pytest.mark.real_password_hashing  # the production cost is what these tests measure


def test_hashes_take_turns_within_a_worker(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = passwords.hash_password(PASSWORD)
    real_verify = passwords.HASHER.verify
    running, most = [0], [0]
    lock = threading.Lock()

    def counted(hash_: str, password: str) -> bool:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real_verify(hash_, password)  # the real argon2id check
        finally:
            with lock:
                running[0] -= 1

    class Counting:  # PasswordHasher's attributes are read-only: wrap the real one
        def verify(self, hash_: str, password: str) -> bool:
            return counted(hash_, password)

    monkeypatch.setattr(passwords, "HASHER", Counting())

    def check(_n: int) -> bool:
        with app.test_request_context("/auth/login", method="POST"):
            return passwords.verify(stored, PASSWORD)

    with ThreadPoolExecutor(6) as pool:
        assert all(pool.map(check, range(6)))
    assert most[0] == app.config["PASSWORD_HASH_CONCURRENCY"] == 1


def test_a_login_kept_waiting_for_a_slot_answers_503_with_retry_after(
    app: Flask, make, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    make.user("enterprise")
    monkeypatch.setattr(passwords, "SLOT_WAIT_SECONDS", 0.05)
    held, release = threading.Event(), threading.Event()

    def hold_the_slot() -> None:
        with app.test_request_context("/"), passwords.hashing_slot():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    try:
        held.wait(5)
        response = app.test_client().post(
            "/auth/login", data={"email": "nobody@example.com", "password": PASSWORD}
        )
    finally:
        release.set()
        holder.join()
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "5")
    assert "登录的人很多" in response.get_data(as_text=True)


def test_a_login_waiting_for_a_slot_holds_no_database_connection(
    app: Flask, make, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """At saturation on PostgreSQL, logins queued for a slot each held a pooled connection (the
    request's first read kept it checked out) and page views waited 10-20 s for one."""
    user = make.user("enterprise")
    with app.app_context():
        engine = db.engine
        email = db.session.get_one(User, user).email
    checked_out = [0]

    def out(*_: object) -> None:
        checked_out[0] += 1

    def back(*_: object) -> None:
        checked_out[0] -= 1

    event.listen(engine, "checkout", out)
    event.listen(engine, "checkin", back)
    real_slot, waiting = passwords.hashing_slot, threading.Event()

    @contextmanager
    def announced() -> Iterator[None]:
        waiting.set()
        with real_slot():
            yield

    monkeypatch.setattr(passwords, "hashing_slot", announced)
    held, release = threading.Event(), threading.Event()

    def hold_the_slot() -> None:
        with app.test_request_context("/"), real_slot():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    responses: list[int] = []
    login = threading.Thread(
        target=lambda: responses.append(
            app.test_client().post("/auth/login", data={"email": email, "password": PASSWORD}).status_code
        )
    )
    try:
        held.wait(5)
        login.start()
        assert waiting.wait(5)
        time.sleep(0.2)  # the login is now blocked on the slot
        during_the_wait = checked_out[0]
    finally:
        release.set()
        holder.join()
        login.join(10)
        event.remove(engine, "checkout", out)
        event.remove(engine, "checkin", back)
    assert during_the_wait == 0
    assert responses == [302]
