"""One brute-force budget for every password check (login form and API token exchange).

Every check is counted *before* the password is verified and forgiven when it succeeds, so checks
running at the same time in other workers see each other and the budget cannot be overrun by
parallel requests. Two limits apply:

* per client address (`LOGIN_RATE_LIMIT`): failed checks from one address (an IPv6 /64), for any
  account; over it every check from that address is refused with 429 and Retry-After;
* per account (`LOGIN_ACCOUNT_LIMIT`): once an account has that many failures, an address that has
  itself failed on the account waits a delay that doubles with each further failure (up to
  `LOGIN_ACCOUNT_MAX_DELAY`) before its next try on that account. An address that has not failed on
  the account is never delayed, so attackers elsewhere slow the guessing but cannot lock the owner out.

The counts live where every worker sees them: Redis when `RATELIMIT_STORAGE_URI` is `redis://…`
(all hosts), else a table in the application's database (all workers of a host on SQLite, all hosts
on PostgreSQL). They are written on connections of their own and committed at once: a failed check
ends in a 401 or a re-shown form, and the request's own transaction may be rolled back.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from flask import current_app, request
from limits import parse
from sqlalchemy import Float, Index, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from market.db import db
from market.errors import TooManyRequests, Unavailable
from market.i18n import gettext as _
from market.security import events as security

REDIS_SCHEMES = ("redis://", "rediss://")
REDIS_PREFIX = "kc:pw:"
STORE_DOWN_RETRY = 30  # seconds: a restarted Redis is usually back by then
log = logging.getLogger(__name__)
MAX_DOUBLINGS = 30  # 2**30 s is far beyond any sensible LOGIN_ACCOUNT_MAX_DELAY


class PasswordAttempt(db.Model):
    """A password check that failed, or is still running (deleted again when it succeeds)."""

    __tablename__ = "password_attempts"
    __table_args__ = (
        Index("ix_password_attempts_address_at", "address", "at"),
        Index("ix_password_attempts_account_at", "account", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised e-mail, not the address
    at: Mapped[float] = mapped_column(Float, index=True)  # Unix time, as Redis scores are


@dataclass(frozen=True)
class Attempt:
    key: str
    address: str
    account: str
    at: float


@dataclass(frozen=True)
class Policy:
    address_limit: int
    address_window: float
    account_limit: int
    account_window: float
    max_delay: float

    @property
    def longest_window(self) -> float:
        return max(self.address_window, self.account_window)


class Store(Protocol):
    def add(self, attempt: Attempt, policy: Policy) -> Attempt: ...

    def remove(self, attempt: Attempt) -> None: ...

    def failures_from(self, attempt: Attempt, since: float) -> list[float]:
        """Times of the other counted checks from the attempt's address."""
        ...

    def failure_count_on(self, attempt: Attempt, since: float) -> int:
        """How many other counted checks there were on the attempt's account."""
        ...

    def last_failure_of_pair(self, attempt: Attempt, since: float) -> float | None:
        """When this address last failed on this account (not counting the attempt itself)."""
        ...

    def forget_pair(self, attempt: Attempt) -> None:
        """Drop the attempt and the earlier failures of its address on its account."""
        ...


def _now() -> float:
    return time.time()


def policy() -> Policy:
    config = current_app.config
    per_address = parse(str(config["LOGIN_RATE_LIMIT"]))
    per_account = parse(str(config["LOGIN_ACCOUNT_LIMIT"]))
    return Policy(
        address_limit=per_address.amount,
        address_window=per_address.get_expiry(),
        account_limit=per_account.amount,
        account_window=per_account.get_expiry(),
        max_delay=float(config["LOGIN_ACCOUNT_MAX_DELAY"]),
    )


def client_address() -> str:
    """The client's address; IPv6 clients by their /64, which one subscriber usually holds whole."""
    raw = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_key(normalised_email: str) -> str:
    return hashlib.sha256(normalised_email.encode()).hexdigest()


def begin(normalised_email: str) -> Attempt | None:
    """Count a password check before it runs; raises TooManyRequests (429) when it must not run.

    Returns the attempt to pass to `succeeded` when the password was right (None when limits are off).
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    rules = policy()
    with _store_reachable():
        store = _store()
        attempt = store.add(
            Attempt(key="", address=client_address(), account=account_key(normalised_email), at=_now()),
            rules,
        )
        refusal = _refusal(store, attempt, rules)
        if refusal:
            store.remove(attempt)  # refused checks do not count: waiting out the window always works
    if refusal:
        scope, seconds = refusal
        security.record(
            security.LOGIN_FAILED, account=normalised_email, reason=security.THROTTLED, scope=scope
        )
        refuse(scope, seconds)
    return attempt


def succeeded(attempt: Attempt | None) -> None:
    """The password was right: the check and this address's earlier failures on the account are forgiven."""
    if attempt is not None:
        with _store_reachable():
            _store().forget_pair(attempt)


@contextmanager
def _store_reachable() -> Iterator[None]:
    """Redis down: the check is refused with 503 and Retry-After. Letting it through would leave
    guessing unlimited for as long as an attacker can keep Redis busy; a 500 would say nothing."""
    try:
        yield
    except redis.RedisError as error:
        log.warning("password-check budget store unreachable: %s", error)
        raise Unavailable(
            _("登录服务暂时不可用，请 {seconds} 秒后再试。", seconds=STORE_DOWN_RETRY),
            retry_after=STORE_DOWN_RETRY,
        ) from error


def refuse(scope: str, seconds: float) -> None:
    """The one place a password check is refused for being over budget ("address" or "account")."""
    retry_after = max(1, math.ceil(seconds))
    raise TooManyRequests(
        _("登录尝试过于频繁，请 {seconds} 秒后再试。", seconds=retry_after), retry_after=retry_after
    )


def _refusal(store: Store, attempt: Attempt, rules: Policy) -> tuple[str, float] | None:
    now = attempt.at
    others = sorted(store.failures_from(attempt, since=now - rules.address_window))
    if len(others) >= rules.address_limit:
        # The budget frees up when enough of the earliest failures have left the window.
        frees_at = others[len(others) - rules.address_limit] + rules.address_window
        return "address", frees_at - now
    failures = store.failure_count_on(attempt, since=now - rules.account_window)
    if failures < rules.account_limit:
        return None
    last = store.last_failure_of_pair(attempt, since=now - rules.account_window)
    if last is None:
        return None  # this address has not failed on the account: the owner on a new device gets in
    delay = min(rules.max_delay, 2.0 ** min(failures - rules.account_limit, MAX_DOUBLINGS))
    if last + delay > now:
        return "account", last + delay - now
    return None


def _store() -> Store:
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI", ""))
    if uri.startswith(REDIS_SCHEMES):
        return RedisStore(_redis_client(uri))
    return DatabaseStore()


class DatabaseStore:
    """Rows of `password_attempts`, each written and committed on a connection of its own."""

    table = PasswordAttempt.__table__

    def add(self, attempt: Attempt, policy: Policy) -> Attempt:
        with db.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.at < attempt.at - policy.longest_window))
            result = conn.execute(
                insert(self.table).values(address=attempt.address, account=attempt.account, at=attempt.at)
            )
        row_id = result.inserted_primary_key[0]  # type: ignore[index]  # one row was inserted
        return Attempt(str(row_id), attempt.address, attempt.account, attempt.at)

    def remove(self, attempt: Attempt) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.id == int(attempt.key)))

    def failures_from(self, attempt: Attempt, since: float) -> list[float]:
        c = self.table.c
        query = select(c.at).where(c.address == attempt.address, c.at > since, c.id != int(attempt.key))
        with db.engine.connect() as conn:
            return list(conn.scalars(query))

    def failure_count_on(self, attempt: Attempt, since: float) -> int:
        c = self.table.c
        query = select(func.count()).where(
            c.account == attempt.account, c.at > since, c.id != int(attempt.key)
        )
        with db.engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    def last_failure_of_pair(self, attempt: Attempt, since: float) -> float | None:
        c = self.table.c
        query = select(func.max(c.at)).where(
            c.account == attempt.account, c.address == attempt.address, c.at > since, c.id != int(attempt.key)
        )
        with db.engine.connect() as conn:
            return conn.scalar(query)

    def forget_pair(self, attempt: Attempt) -> None:
        c = self.table.c
        with db.engine.begin() as conn:
            conn.execute(delete(self.table).where(c.account == attempt.account, c.address == attempt.address))


_redis_clients: dict[str, redis.Redis] = {}


def _redis_client(uri: str) -> redis.Redis:
    if uri not in _redis_clients:
        _redis_clients[uri] = redis.Redis.from_url(uri)
    return _redis_clients[uri]


def _scored(entries: Any) -> list[tuple[str, float]]:
    """A sorted set's (member, score) pairs as redis-py returns them with withscores=True."""
    return [(member.decode(), float(score)) for member, score in entries]


class RedisStore:
    """Three sorted sets of attempt ids scored by time: per address, per account, per both."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @staticmethod
    def _keys(attempt: Attempt) -> tuple[str, str, str]:
        return (
            f"{REDIS_PREFIX}address:{attempt.address}",
            f"{REDIS_PREFIX}account:{attempt.account}",
            f"{REDIS_PREFIX}pair:{attempt.account}:{attempt.address}",
        )

    def add(self, attempt: Attempt, policy: Policy) -> Attempt:
        counted = Attempt(uuid.uuid4().hex, attempt.address, attempt.account, attempt.at)
        pipe = self.client.pipeline()
        for key, window in zip(
            self._keys(counted),
            (policy.address_window, policy.account_window, policy.account_window),
            strict=True,
        ):
            pipe.zremrangebyscore(key, "-inf", counted.at - window)
            pipe.zadd(key, {counted.key: counted.at})
            pipe.expire(key, math.ceil(window))
        pipe.execute()
        return counted

    def remove(self, attempt: Attempt) -> None:
        pipe = self.client.pipeline()
        for key in self._keys(attempt):
            pipe.zrem(key, attempt.key)
        pipe.execute()

    def failures_from(self, attempt: Attempt, since: float) -> list[float]:
        address_key = self._keys(attempt)[0]
        entries = self.client.zrangebyscore(address_key, f"({since!r}", "+inf", withscores=True)
        return [score for member, score in _scored(entries) if member != attempt.key]

    def failure_count_on(self, attempt: Attempt, since: float) -> int:
        account_key_ = self._keys(attempt)[1]
        counted = int(self.client.zcount(account_key_, f"({since!r}", "+inf"))
        return max(0, counted - 1)  # less the attempt itself

    def last_failure_of_pair(self, attempt: Attempt, since: float) -> float | None:
        pair_key = self._keys(attempt)[2]
        newest = self.client.zrevrangebyscore(
            pair_key, "+inf", f"({since!r}", start=0, num=2, withscores=True
        )
        return next((score for member, score in _scored(newest) if member != attempt.key), None)

    def forget_pair(self, attempt: Attempt) -> None:
        address_key, account_key_, pair_key = self._keys(attempt)
        members = self.client.zrange(pair_key, 0, -1)
        pipe = self.client.pipeline()
        if members:
            pipe.zrem(address_key, *members)
            pipe.zrem(account_key_, *members)
        pipe.delete(pair_key)
        pipe.execute()
