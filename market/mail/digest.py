"""The daily digest: one mail a day per person with everything that waited for it (`market mail digest`).

Rows in state `digest` are gathered into one new outbox row of kind `digest` for the day (its
`digest_day`); they become `digested` and point at it. The digest row is sent like any other mail.
A person gets at most one digest a day: the (user_id, digest_day) pair is unique, so running the
command again on the same day, on any host, adds nothing (what arrived since waits for the next day).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market.db import commit, db, utcnow
from market.mail import models, preferences
from market.mail.models import EmailOutbox


def build_digests(day: date | None = None) -> int:
    """Make the digests of `day` (today, UTC, by default); returns how many were made."""
    day = day or utcnow().date()
    user_ids = list(
        db.session.scalars(
            select(EmailOutbox.user_id)
            .where(EmailOutbox.state == models.DIGEST, EmailOutbox.user_id.is_not(None))
            .distinct()
        )
    )
    made = 0
    for user_id in sorted(uid for uid in user_ids if uid is not None):
        if _digest_for(user_id, day):
            made += 1
        commit()
    return made


def _digest_for(user_id: int, day: date) -> bool:
    exists = db.session.scalar(
        select(EmailOutbox.id).where(EmailOutbox.user_id == user_id, EmailOutbox.digest_day == day)
    )
    if exists is not None:
        return False
    waiting = list(
        db.session.scalars(
            select(EmailOutbox)
            .where(EmailOutbox.user_id == user_id, EmailOutbox.state == models.DIGEST)
            .order_by(EmailOutbox.id)
        )
    )
    modes = preferences.modes_of(user_id)
    carried = []
    for row in waiting:
        if modes.get(row.kind) == preferences.OFF:  # switched off since: never sent
            row.state = models.CANCELLED
        else:
            carried.append(row)
    if not carried or carried[0].user is None:
        return False
    try:
        with db.session.begin_nested():
            digest = EmailOutbox(
                to=carried[0].user.email,
                user_id=user_id,
                kind=models.DIGEST_KIND,
                state=models.QUEUED,
                digest_day=day,
            )
            db.session.add(digest)
            db.session.flush()
            for row in carried:
                row.state = models.DIGESTED
                row.digest_id = digest.id
            db.session.flush()
    except IntegrityError:  # another run made this person's digest of the day a moment ago
        return False
    return True
