"""Claiming an organisation (认领单位): organisations written by an import have no account, so nobody
receives what is sent to them. A broker of the organisation's region (or an admin) mails a contact a
single-use link, valid CLAIM_LIFETIME; the contact registers through it and becomes a member.

Tokens work like account links (market.auth.accounts): random, only their SHA-256 stored, used once.
The mail is an outbox row for a bare address (the contact has no account yet), kind ACCOUNT (always
sent at once), read in Chinese (no account, no language chosen yet).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from market import scope
from market.auth import services as auth
from market.auth.models import Organisation, OrgKind, Role, User
from market.broker.models import OrganisationClaim
from market.db import db, utcnow
from market.errors import Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.mail import models as mail_models
from market.mail import preferences as mail_preferences
from market.mail.models import EmailOutbox
from market.messages import build

CLAIM_LIFETIME = timedelta(days=7)
EMAIL_MAX = 254


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def organisation_to_claim(actor: Any, organisation_id: int) -> Organisation:
    """The organisation if the actor may invite for it: a broker of its region or an admin (403), and it
    has no account yet (409-like refusal as a message: its members invite colleagues themselves)."""
    scope.require_broker(actor)
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(_("单位不存在。"))
    if not scope.covers(actor, org.province):
        raise Forbidden(_("该单位不在你负责的地区。"))
    return org


def has_members(org: Organisation) -> bool:
    return bool(db.session.scalar(select(User.id).where(User.organisation_id == org.id).limit(1)))


def pending_invitations(org: Organisation) -> list[OrganisationClaim]:
    now = utcnow()
    rows = db.session.scalars(
        select(OrganisationClaim)
        .where(OrganisationClaim.organisation_id == org.id, OrganisationClaim.used_at.is_(None))
        .order_by(OrganisationClaim.id)
    )
    return [row for row in rows if _aware(row.expires_at) > now]


def _valid_email(email: str) -> str:
    address = auth.normalise_email(email or "")
    local, _at, domain = address.partition("@")
    if not local or "." not in domain or len(address) > EMAIL_MAX or any(c.isspace() for c in address):
        message = _("请填写有效的邮箱地址。")
        raise ValidationFailed(message, field_errors={"email": [message]})
    if auth.email_taken(address):
        message = _("该邮箱已有账号：请让管理员把该账号加入单位，或换一个邮箱。")
        raise ValidationFailed(message, field_errors={"email": [message]})
    return address


def invite(actor: User, organisation_id: int, email: str) -> OrganisationClaim:
    """Mail a contact a link to claim the organisation; earlier unused links to the same address stop."""
    org = organisation_to_claim(actor, organisation_id)
    if has_members(org):
        raise ValidationFailed(_("该单位已有账号，由其成员自行邀请同事。"))
    address = _valid_email(email)
    now = utcnow()
    db.session.execute(
        update(OrganisationClaim)
        .where(
            OrganisationClaim.organisation_id == org.id,
            OrganisationClaim.email == address,
            OrganisationClaim.used_at.is_(None),
        )
        .values(used_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    token = secrets.token_urlsafe(32)
    claim = OrganisationClaim(
        organisation_id=org.id,
        email=address,
        invited_by_id=actor.id,
        token_hash=_sha256(token),
        created_at=now,
        expires_at=now + CLAIM_LIFETIME,
    )
    db.session.add(claim)
    queue_to_address(address, build("org.claim_invite", organisation=org.name, token=token))
    db.session.flush()
    return claim


def queue_to_address(address: str, message: Any) -> EmailOutbox:
    """An outbox row for an address with no account (market.mail.outbox.queue needs a User): account
    mail, so it is sent at once and has no unsubscribe link."""
    row = EmailOutbox(
        to=address,
        user_id=None,
        message_key=message.key,
        message_params=message.params,
        kind=mail_preferences.ACCOUNT,
        state=mail_models.QUEUED,
    )
    db.session.add(row)
    return row


def _bad_link() -> ValidationFailed:
    return ValidationFailed(_("认领链接无效或已过期（只能使用一次，有效期 7 天），请联系经纪人重新邀请。"))


def claim_record(token: str) -> OrganisationClaim:
    """The live invitation of a link, or 422 for one unknown, used or expired."""
    if not token or len(token) > 100:
        raise _bad_link()
    record = db.session.scalar(
        select(OrganisationClaim).where(OrganisationClaim.token_hash == _sha256(token)).with_for_update()
    )
    if record is None or record.used_at is not None or _aware(record.expires_at) <= utcnow():
        raise _bad_link()
    return record


def accept(token: str, name: str, password: str) -> User:
    """Register the invited address as a member of the organisation (its address counts as verified:
    the link came to it). Enterprise organisations get an enterprise account, others a provider one."""
    record = claim_record(token)
    name = (name or "").strip()
    if not name:
        message = _("请填写姓名。")
        raise ValidationFailed(message, field_errors={"name": [message]})
    org = record.organisation
    role = Role.ENTERPRISE if org.kind == OrgKind.ENTERPRISE else Role.PROVIDER
    user = auth.create_user(
        email=record.email, name=name[:60], password=password, role=role, organisation=org
    )
    user.email_verified = True
    record.used_at = utcnow()
    record.used_by_id = user.id
    db.session.flush()
    return user
