"""Contact details (phone, e-mail, WeChat): each user keeps their own and chooses which ones the other
party of an order sees once the order is accepted (接单 or later, while it is engaged); on the order page
and nowhere else. Brokers are no party: they see none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from market.auth import accounts
from market.auth.models import User
from market.conversations.terms import ContactTerms
from market.orders.models import Order
from market.orders.parties import enterprise_users, is_enterprise_side, is_provider_side, provider_users


@dataclass(frozen=True)
class Contact:
    """What one person of the other party shares; only the shared fields are filled."""

    name: str
    email: str = ""
    phone: str = ""
    wechat: str = ""


def update_contact(actor: User, terms: ContactTerms) -> User:
    """The actor's own details and sharing choices (nobody edits another user's)."""
    accounts.set_contact_details(
        actor,
        phone=terms.phone,
        wechat=terms.wechat,
        share_email=terms.share_email,
        share_phone=terms.share_phone,
        share_wechat=terms.share_wechat,
    )
    return actor


def shared_by(user: User) -> Contact | None:
    """A user's details as the other party sees them: the shared, non-empty fields; None if none."""
    contact = Contact(
        name=user.name,
        email=user.email if user.share_email else "",
        phone=user.phone if user.share_phone else "",
        wechat=user.wechat if user.share_wechat else "",
    )
    return contact if contact.email or contact.phone or contact.wechat else None


def other_party(actor: Any, order: Order) -> list[User]:
    """The people on the other side of an accepted order; nobody before 接单 or for non-parties."""
    if not order.engaged:
        return []
    enterprise, provider = is_enterprise_side(actor, order), is_provider_side(actor, order)
    if enterprise == provider:  # a broker, an outsider, or (never in practice) both sides at once
        return []
    return provider_users(order.provider) if enterprise else enterprise_users(order.organisation_id)


def shared_contacts(actor: Any, order: Order) -> list[Contact]:
    """What the actor may see of the other party's contact details on this order."""
    found = (shared_by(user) for user in other_party(actor, order))
    return [contact for contact in found if contact is not None]
