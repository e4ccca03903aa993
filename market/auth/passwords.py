"""Password hashing (argon2id) and the list of common passwords nobody may choose.

Hashes written before argon2id (werkzeug's `scrypt:32768:8:1` and `pbkdf2:…`) still verify; the
login that proves the password replaces them (auth.services.authenticate).
"""

from __future__ import annotations

import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash

from market.errors import Unavailable
from market.i18n import N_
from market.i18n import gettext as _

# OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2_PREFIX = "$argon2"
COMMON_LIST = "common-passwords.txt"
# Crackers try every listed word with digits and symbols appended first ("dragon2026!"), so those count too.
_GUESSABLE_SUFFIX = string.digits + string.punctuation + " "


# A password check waits this long for a hashing slot, then answers 503 with Retry-After.
SLOT_WAIT_SECONDS = 10
RETRY_AFTER_SECONDS = 5
BUSY = N_("登录的人很多，请稍后重试。")
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()
_holding = threading.local()  # slots this thread holds: taking one again inside is free


@contextmanager
def hashing_slot() -> Iterator[None]:
    """One of PASSWORD_HASH_CONCURRENCY slots of this process.

    argon2 releases the GIL, so 50 logins at once were 50 hashes of 19 MiB sharing two cores: each
    login took a median 1.6 s and every page view waited behind them (issue 19). Queued here, the
    hashes take turns on one core per worker and page views keep the rest. Outside a request
    (imports, the CLI, module set-up) there is nothing to share with: no slot is taken."""
    if not has_app_context() or getattr(_holding, "held", False):
        yield
        return
    size = int(current_app.config.get("PASSWORD_HASH_CONCURRENCY", 1))
    with _slots_lock:
        slots = _slots.setdefault(size, threading.BoundedSemaphore(size))
    if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise Unavailable(_(BUSY), retry_after=RETRY_AFTER_SECONDS)
    _holding.held = True
    try:
        yield
    finally:
        _holding.held = False
        slots.release()


def hash_password(password: str) -> str:
    with hashing_slot():
        return HASHER.hash(password)


def verify(stored: str, password: str) -> bool:
    with hashing_slot():
        return _verify(stored, password)


def _verify(stored: str, password: str) -> bool:
    if stored.startswith(ARGON2_PREFIX):
        try:
            return HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:  # not a hash werkzeug knows: nothing can match it
        return False


def needs_rehash(stored: str) -> bool:
    """True for every hash not made with the current argon2id parameters."""
    if not stored.startswith(ARGON2_PREFIX):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("market.auth").joinpath(COMMON_LIST).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    """The password, ignoring case, or it with trailing digits and symbols removed, is on the list."""
    lowered = password.lower()
    words = common_passwords()
    return lowered in words or lowered.rstrip(_GUESSABLE_SUFFIX) in words
