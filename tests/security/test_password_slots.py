"""Password hashes take turns (PASSWORD_HASH_CONCURRENCY per worker), so a burst of logins leaves
CPU for page views; a check that waits too long answers 503 with Retry-After (issue 19, point 4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from market.auth import passwords
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
