"""One brute-force budget for every password check (market/auth/throttle.py), shared by processes.

Addresses are set per request (REMOTE_ADDR), as a proxy-less server sees them. Tests that watch
delays freeze the throttle's clock instead of sleeping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from market.auth import throttle
from market.auth.models import User
from market.db import db
from market.extensions import limiter
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
LIMIT_KEYS = (
    "LOGIN_RATE_LIMIT",
    "LOGIN_ACCOUNT_LIMIT",
    "LOGIN_ACCOUNT_MAX_DELAY",
    "API_TOKEN_RATE_LIMIT",
    "RATELIMIT_STORAGE_URI",
)

SetLimits = Callable[..., None]


@pytest.fixture
def limits(app: Flask) -> Iterator[SetLimits]:
    """Lower the limits for one test (they are read from the config on every request)."""
    old = {key: app.config.get(key) for key in LIMIT_KEYS}

    def set_limits(**values: Any) -> None:
        app.config.update(values)

    yield set_limits
    app.config.update(old)


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))  # whole seconds: sums of them stay exact

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(throttle, "_now", frozen)
    return frozen


def unique_address() -> str:
    """An IPv6 address in a /64 no other test (or xdist worker) uses: Redis is shared by all of them."""
    tail = uuid.uuid4().int
    return f"2001:db8:{tail & 0xFFF | 0x1000:x}:{tail >> 12 & 0xFFF | 0x1000:x}::1"  # as Python writes it


def form_login(client: FlaskClient, email: str, password: str, address: str) -> TestResponse:
    return client.post(
        "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def api_login(client: FlaskClient, email: str, password: str, address: str) -> TestResponse:
    return client.post(
        "/api/v1/tokens", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def email_of(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def retry_after(response: TestResponse) -> int:
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    return int(response.headers["Retry-After"])


def test_login_form_and_token_exchange_share_one_budget(app: Flask, make: Any, limits: SetLimits) -> None:
    limits(LOGIN_RATE_LIMIT="6 per minute")
    email = email_of(app, make.user())
    client = app.test_client()
    address = "203.0.113.7"
    assert [form_login(client, email, "Wrong-pass-1", address).status_code for _ in range(3)] == [200] * 3
    assert [api_login(client, email, "Wrong-pass-1", address).status_code for _ in range(3)] == [401] * 3
    # Over budget, even the right password is not checked: that is what stops guessing.
    assert form_login(client, email, PASSWORD, address).status_code == 429
    assert api_login(client, email, PASSWORD, address).status_code == 429
    # Another address has its own budget.
    assert form_login(client, email, PASSWORD, "203.0.113.8").status_code == 302


def test_the_429_page_and_json_say_when_to_retry(app: Flask, limits: SetLimits) -> None:
    limits(LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    address = "203.0.113.9"
    for _ in range(2):
        form_login(client, "nobody@example.com", "Wrong-pass-1", address)

    page = form_login(client, "nobody@example.com", "Wrong-pass-1", address)
    seconds = retry_after(page)
    assert 1 <= seconds <= 60
    assert f"{seconds} 秒后再试" in page.get_data(as_text=True)
    assert page.mimetype == "text/html"

    answer = api_login(client, "nobody@example.com", "Wrong-pass-1", address)
    body = answer.get_json()
    assert body["status"] == 429
    assert body["retry_after"] == retry_after(answer)
    assert f"{body['retry_after']} 秒后再试" in body["error"]


def test_retry_after_is_when_the_oldest_failure_leaves_the_window(
    app: Flask, limits: SetLimits, clock: Clock
) -> None:
    limits(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    address = "203.0.113.10"
    for _ in range(3):
        assert form_login(client, "a@example.com", "Wrong-pass-1", address).status_code == 200
        clock.advance(10)
    # At t=30 the first failure (t=0) is 30 s from leaving the minute.
    assert retry_after(form_login(client, "a@example.com", "Wrong-pass-1", address)) == 30
    clock.advance(30)
    assert form_login(client, "a@example.com", "Wrong-pass-1", address).status_code == 200
    assert retry_after(form_login(client, "a@example.com", "Wrong-pass-1", address)) == 10


def test_successful_logins_do_not_use_up_the_budget(app: Flask, make: Any, limits: SetLimits) -> None:
    limits(LOGIN_RATE_LIMIT="3 per minute")
    email = email_of(app, make.user())
    statuses = [form_login(app.test_client(), email, PASSWORD, "203.0.113.11").status_code for _ in range(8)]
    assert statuses == [302] * 8


def test_an_ipv6_client_is_counted_by_its_64(app: Flask, limits: SetLimits) -> None:
    limits(LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    form_login(client, "b@example.com", "Wrong-pass-1", "2001:db8:1:2::1")
    form_login(client, "b@example.com", "Wrong-pass-1", "2001:db8:1:2::ffff")
    assert form_login(client, "b@example.com", "Wrong-pass-1", "2001:db8:1:2:abcd::9").status_code == 429
    assert form_login(client, "b@example.com", "Wrong-pass-1", "2001:db8:1:3::1").status_code == 200


def test_an_attacker_on_other_addresses_slows_down_but_does_not_lock_out_the_owner(
    app: Flask, make: Any, limits: SetLimits, clock: Clock
) -> None:
    limits(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_LIMIT="3 per hour", LOGIN_ACCOUNT_MAX_DELAY=300)
    email = email_of(app, make.user())
    client = app.test_client()
    second_tries = []
    for n in range(1, 11):
        attacker = f"198.51.100.{n}"
        form_login(client, email, f"Guess-{n}-a", attacker)
        second_tries.append(form_login(client, email, f"Guess-{n}-b", attacker))
    refused = [r for r in second_tries if r.status_code == 429]
    assert len(refused) >= 8  # once the account has 3 failures, an address that failed must wait
    waits = [retry_after(r) for r in refused]
    assert waits == sorted(waits) and waits[-1] > waits[0]  # the wait grows with the failures

    # The owner, on an address that has not failed, logs straight in.
    assert form_login(app.test_client(), email, PASSWORD, "192.0.2.44").status_code == 302
    # A typo from the owner's address costs a short wait, never a lock-out.
    owner = "192.0.2.45"
    assert form_login(client, email, "Typo-pass-1", owner).status_code == 200
    wait = retry_after(form_login(client, email, PASSWORD, owner))
    assert wait <= 300
    clock.advance(wait)
    assert form_login(client, email, PASSWORD, owner).status_code == 302


def test_the_per_account_delay_doubles_up_to_its_cap(
    app: Flask, make: Any, limits: SetLimits, clock: Clock
) -> None:
    limits(LOGIN_ACCOUNT_LIMIT="2 per hour", LOGIN_ACCOUNT_MAX_DELAY=8)
    email = email_of(app, make.user())
    client = app.test_client()
    address = "203.0.113.12"
    assert [form_login(client, email, "Wrong-pass-1", address).status_code for _ in range(2)] == [200, 200]
    waits = []
    for _ in range(5):
        wait = retry_after(form_login(client, email, "Wrong-pass-1", address))
        waits.append(wait)
        clock.advance(wait)
        assert form_login(client, email, "Wrong-pass-1", address).status_code == 200
    assert waits == [1, 2, 4, 8, 8]


def test_a_successful_login_forgives_that_addresses_failures(
    app: Flask, make: Any, limits: SetLimits, clock: Clock
) -> None:
    limits(LOGIN_ACCOUNT_LIMIT="2 per hour")
    email = email_of(app, make.user())
    client = app.test_client()
    address = "203.0.113.13"
    for _ in range(2):
        form_login(client, email, "Wrong-pass-1", address)
    clock.advance(retry_after(form_login(client, email, PASSWORD, address)))
    assert form_login(client, email, PASSWORD, address).status_code == 302
    assert form_login(app.test_client(), email, "Typo-pass-1", address).status_code == 200  # no wait now


def test_new_api_tokens_per_address_are_capped_and_the_429_says_when(
    app: Flask, make: Any, limits: SetLimits
) -> None:
    limits(API_TOKEN_RATE_LIMIT="2 per hour")
    email = email_of(app, make.user())
    client = app.test_client()
    limiter.reset()
    try:
        assert api_login(client, email, "Wrong-pass-1", "203.0.113.14").status_code == 401  # not a new token
        created = [api_login(client, email, PASSWORD, "203.0.113.14").status_code for _ in range(2)]
        assert created == [201, 201]
        refused = api_login(client, email, PASSWORD, "203.0.113.14")
        assert 3000 < retry_after(refused) <= 3600
        assert refused.get_json()["retry_after"] == retry_after(refused)
    finally:
        limiter.reset()


# What another process does: its own app on the same database (and the same Redis, when configured).
OTHER_PROCESS = """
import json, sys
from market import create_app

plan = json.loads(sys.argv[1])
client = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}).test_client()
answers = []
for kind, path, body in plan["requests"]:
    sent = {"data": body} if kind == "form" else {"json": body}
    response = client.post(path, environ_base={"REMOTE_ADDR": plan["address"]}, **sent)
    answers.append([response.status_code, response.headers.get("Retry-After")])
print("RESULT " + json.dumps(answers))
"""


def run_other_process(
    app: Flask, tmp_path: Path, address: str, requests: list[list[Any]], env: dict[str, str]
) -> list[list[Any]]:
    environment = {
        **os.environ,
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "KECHUANG_INSTANCE": str(tmp_path / "instance"),
        "INDEX_DIR": str(tmp_path / "index"),
        "INDEX_SYNC": "0",
        "HF_HUB_OFFLINE": "1",
        "LOGIN_ACCOUNT_LIMIT": "10000 per minute",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, json.dumps({"address": address, "requests": requests})],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert result, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(result[-1].removeprefix("RESULT "))  # type: ignore[no-any-return]


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # the Redis server the README names must be running, as PostgreSQL must
    yield client
    client.close()


def _forget_redis_keys(client: redis.Redis, *fragments: str) -> None:
    for fragment in fragments:
        for key in client.scan_iter(match=f"*{fragment}*"):
            client.delete(key)


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["database", "redis"])
def test_failures_in_another_process_count_against_the_same_budget(
    app: Flask, make: Any, limits: SetLimits, tmp_path: Path, storage: str, request: pytest.FixtureRequest
) -> None:
    """Two gunicorn workers (or hosts) are two processes: their failures must add up to one budget."""
    address = unique_address()
    email = email_of(app, make.user())
    env = {"LOGIN_RATE_LIMIT": "10 per minute"}
    if storage == "redis":
        store: redis.Redis = request.getfixturevalue("redis_client")
        env |= {"RATELIMIT_STORAGE_URI": REDIS_URL, "REGISTER_RATE_LIMIT": "1 per minute"}
        limits(RATELIMIT_STORAGE_URI=REDIS_URL)
        request.addfinalizer(lambda: _forget_redis_keys(store, address.rsplit("::", 1)[0], address))
    limits(LOGIN_RATE_LIMIT="10 per minute")

    wrong = {"email": email, "password": "Wrong-pass-1"}
    requests: list[list[Any]] = [["form", "/auth/login", wrong]] * 3 + [["api", "/api/v1/tokens", wrong]] * 3
    if storage == "redis":  # flask-limiter itself boots and counts on Redis (it crashed at boot before)
        requests += [["form", "/auth/register", {"email": "x"}]] * 2
    answers = run_other_process(app, tmp_path, address, requests, env)
    assert [status for status, _ in answers[:6]] == [200, 200, 200, 401, 401, 401]

    client = app.test_client()
    assert [form_login(client, email, "Wrong-pass-1", address).status_code for _ in range(4)] == [200] * 4
    assert retry_after(form_login(client, email, PASSWORD, address)) > 0
    assert retry_after(api_login(client, email, PASSWORD, address)) > 0

    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(throttle.PasswordAttempt))
    if storage == "redis":
        assert answers[6][0] == 200 and answers[7][0] == 429 and int(answers[7][1]) > 0
        assert rows == 0  # the counts went to Redis, not to the database
    else:
        assert rows == 10


def test_a_down_redis_refuses_password_checks_with_503_not_500(
    app: Flask, make: Any, limits: SetLimits
) -> None:
    # Nothing listens on port 1: every Redis command fails as it would with Redis stopped.
    limits(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    email = email_of(app, make.user("enterprise"))
    page = form_login(app.test_client(), email, PASSWORD, unique_address())
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "30" in page.get_data(as_text=True)
    api = api_login(app.test_client(), email, PASSWORD, unique_address())
    assert api.status_code == 503 and api.get_json()["retry_after"] == 30
