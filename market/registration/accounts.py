"""The account flows that mail a link: password reset, address verification and address change.

The rules (tokens, expiry, what a link does) are market.auth.accounts; this module, above market.mail,
queues the mail of the ACCOUNT kind (never switched off) that carries the link. Each mail is a stored
message (market.messages, "account.*"), written out in the recipient's language when sent.
"""

from __future__ import annotations

from market.auth import accounts
from market.auth.models import User
from market.mail import outbox
from market.messages import build


def forgot_password(email: str) -> None:
    """Mail a reset link when the address belongs to an active account; nothing otherwise. The caller
    answers the same either way, so the page does not tell which addresses have accounts."""
    found = accounts.start_password_reset(email)
    if found is not None:
        user, token = found
        outbox.queue(user, build("account.password_reset", token=token), outbox.ACCOUNT)


def send_verification(user: User) -> str | None:
    """Mail a link that proves the address waiting to be verified; returns that address (None: nothing
    to verify)."""
    started = accounts.start_verification(user)
    if started is None:
        return None
    token, address = started
    outbox.queue(user, build("account.verify_email", email=address, token=token), outbox.ACCOUNT, to=address)
    return address


def change_email(actor: User, new_email: str, current_password: str) -> str:
    """Ask to move the account to a new address: the link goes to the new address, which replaces the
    old one only when it is opened."""
    accounts.request_email_change(actor, new_email, current_password)
    address = send_verification(actor)
    assert address is not None
    return address


def registered(user: User) -> None:
    """A self-registered account starts unverified and is sent its first link."""
    user.email_verified = False
    send_verification(user)
