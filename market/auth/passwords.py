"""Password hashing (argon2id) and the list of common passwords nobody may choose.

Hashes written before argon2id (werkzeug's `scrypt:32768:8:1` and `pbkdf2:…`) still verify; the
login that proves the password replaces them (auth.services.authenticate).
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

# OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2_PREFIX = "$argon2"
COMMON_LIST = "common-passwords.txt"
# Crackers try every listed word with digits and symbols appended first ("dragon2026!"), so those count too.
_GUESSABLE_SUFFIX = string.digits + string.punctuation + " "


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored: str, password: str) -> bool:
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
