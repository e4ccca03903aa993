"""Users, organisations and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db import Timestamped, db, utcnow

# Account text lengths: the columns below, the forms (market.auth.forms) and the API's token schema.
EMAIL_MAX = 254  # the longest address SMTP allows
NAME_MAX = 60
PASSWORD_MAX = 200  # argon2 takes any length; this bounds the work one login form can ask for
TOKEN_NAME_MAX = 60
USER_AGENT_MAX = 200  # a session's browser, as shown on the sessions page (cut, not refused)
ADDRESS_MAX = 45  # the longest textual IPv6 address
PHONE_MAX = 30
WECHAT_MAX = 60

if TYPE_CHECKING:
    from market.reference.models import Region


class Role(enum.StrEnum):
    ENTERPRISE = "enterprise"
    PROVIDER = "provider"
    BROKER = "broker"
    ADMIN = "admin"


class OrgKind(enum.StrEnum):
    ENTERPRISE = "enterprise"
    SOCIETY = "society"
    TEAM = "team"
    INSTITUTION = "institution"
    BROKER_OFFICE = "broker_office"


broker_regions = Table(
    "broker_regions",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_code", ForeignKey("regions.code"), primary_key=True),
)


class Organisation(Timestamped, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    province: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    city: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    description: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="zh")
    # Old value loaded on change: deactivation is seen even on an expired object (auth.sessions.install).
    active: Mapped[bool] = mapped_column(default=True, active_history=True)
    # Changing it invalidates every session and remember-me cookie of the user (see auth.services).
    session_token: Mapped[str] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Optional contact details; each is shown to the other party of an accepted order only when shared
    # (market.conversations.contacts).
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="", server_default="")
    wechat: Mapped[str] = mapped_column(String(WECHAT_MAX), default="", server_default="")
    share_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    share_phone: Mapped[bool] = mapped_column(default=False, server_default=false())
    share_wechat: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whether the address is proven to be the user's (a mailed link was opened). Accounts made by an admin,
    # the demo loader or the tests count as verified; self-registration starts unverified
    # (market.auth.accounts). An unverified account browses and drafts, but may not submit, order or answer.
    email_verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    # A new address waiting for its link to be opened; `email` changes only then.
    pending_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    regions: Mapped[list[Region]] = relationship(secondary=broker_regions)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def region_codes(self) -> set[str]:
        return {region.code for region in self.regions}


class ApiToken(Timestamped, db.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """One browser login, checked on every request: the cookie holds a random id, this row says
    whether it still counts (see auth.sessions). Only the id's SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_MAX), default="")
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX), default="")


class RememberToken(db.Model):
    """A remember-me cookie `selector.validator`: the selector finds the row, the validator is
    stored only as its SHA-256, so a copy of this table cannot log anyone in."""

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    selector: Mapped[str] = mapped_column(String(32), unique=True)
    validator_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class AccountToken(db.Model):
    """A single-use link mailed to a user: a password reset or an address check (market.auth.accounts).

    Only the token's SHA-256 is stored; `email` is the address the link was sent to (for an address check,
    the address it proves)."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
