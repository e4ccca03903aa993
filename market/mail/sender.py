"""The mailer: sends the outbox through SMTP (docs/mail.md).

A pass (`send_pending`, `market mail send`) claims due rows in the database, sends them over one SMTP
connection and records each outcome in its own commit:

* claiming writes a fresh `claim_token` and `claimed_at` with `UPDATE … WHERE <still due and unclaimed>`;
  on PostgreSQL the candidates are read with `SELECT … FOR UPDATE SKIP LOCKED`, so workers on several
  hosts take disjoint rows; SQLite has one writer at a time, and the conditional UPDATE lets only one
  of two racing workers claim a row. A claim older than CLAIM_LEASE (a worker that died) is taken over.
* success: state `sent`, `sent_at`; a failure counts an attempt, keeps the error and waits
  MAIL_RETRY_SECONDS × 2^(attempts-1) (at most a day) before the next; after MAIL_MAX_ATTEMPTS
  failures, or when the server refuses the address for good (5xx), the row is `dead`.

With SMTP_URL unset nothing is sent: mail stays queued and /admin/mail shows it.

Right after a commit that queued mail (`install`), the new rows are sent in a background thread, so the
request neither waits for nor fails with the SMTP server; whatever that thread cannot send stays
queued for `market mail send` / `market mail worker`.

Tests and other helpers send what is due with `send_pending()` inside an app context, and wait for the
background sends with `wait_for_background()` (tests/smtp.py has the SMTP server to read them from).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session, UOWTransaction

from market.db import commit, db, on_commit, utcnow
from market.mail import compose, models, preferences, smtp
from market.mail.models import EmailOutbox

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
BATCH = 50
MAX_DELAY = timedelta(days=1)
KEY = "mail_queued"


@dataclass
class Result:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0  # switched off or moved to the digest since it was queued

    def __add__(self, other: Result) -> Result:
        return Result(
            self.sent + other.sent,
            self.failed + other.failed,
            self.dead + other.dead,
            self.skipped + other.skipped,
        )


def configured() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


def server() -> smtp.Server:
    return smtp.parse(str(current_app.config["SMTP_URL"]), float(current_app.config.get("SMTP_TIMEOUT", 20)))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: MAIL_RETRY_SECONDS, doubling each time, at most a day."""
    base = int(current_app.config.get("MAIL_RETRY_SECONDS", 300))
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def _due(now: datetime) -> Any:
    return and_(
        EmailOutbox.state == models.QUEUED,
        or_(EmailOutbox.next_attempt_at.is_(None), EmailOutbox.next_attempt_at <= now),
        or_(EmailOutbox.claimed_at.is_(None), EmailOutbox.claimed_at < now - CLAIM_LEASE),
    )


def claim(
    limit: int = BATCH, ids: Iterable[int] | None = None, now: datetime | None = None
) -> tuple[str, list[int]]:
    """Claim up to `limit` due rows (of `ids` when given) for this worker; commits the claim."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    query = select(EmailOutbox.id).where(_due(now)).order_by(EmailOutbox.id).limit(limit)
    if ids is not None:
        query = query.where(EmailOutbox.id.in_(list(ids)))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = list(db.session.scalars(query))
    if not candidates:
        db.session.rollback()
        return token, []
    db.session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id.in_(candidates), _due(now))
        .values(claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    commit()
    claimed = db.session.scalars(
        select(EmailOutbox.id).where(EmailOutbox.claim_token == token).order_by(EmailOutbox.id)
    )
    return token, list(claimed)


def send_pending(limit: int | None = None, *, ids: Iterable[int] | None = None) -> Result:
    """One pass: send every due mail (at most `limit`; only `ids` when given). Call in an app context.

    Does nothing while SMTP_URL is unset (mail then stays in the outbox, see /admin/mail)."""
    total = Result()
    if not configured():
        return total
    wanted = None if ids is None else list(ids)
    while limit is None or limit > 0:
        size = BATCH if limit is None else min(BATCH, limit)
        token, claimed = claim(size, wanted)
        if not claimed:
            break
        result, reachable = _send_claimed(token, claimed)
        total += result
        if not reachable:  # the server is down: the rest waits for the next pass, not counted as tries
            break
        if limit is not None:
            limit -= len(claimed)
    return total


def _send_claimed(token: str, claimed: list[int]) -> tuple[Result, bool]:
    """Send the rows this worker claimed; also says whether the server could be reached."""
    result = Result()
    target = server()
    envelope_from = parseaddr(str(current_app.config.get("MAIL_FROM") or ""))[1] or "noreply@localhost"
    connection: smtplib.SMTP | None = None
    connect_error: BaseException | None = None
    try:
        for row_id in claimed:
            row = db.session.get(EmailOutbox, row_id)
            if row is None or row.claim_token != token or row.state != models.QUEUED:
                continue
            if _no_longer_wanted(row):
                result.skipped += 1
                commit()
                continue
            try:
                message = compose.as_email(compose.render(row), row.id)
            except Exception as error:  # a row that cannot be put into words: count it, go on
                log.exception("mail %s could not be composed", row.id)
                _record_failure(row, error, result)
                commit()
                continue
            if connection is None and connect_error is None:
                try:
                    connection = smtp.connect(target)
                except (OSError, smtplib.SMTPException) as error:
                    log.warning("SMTP server %s unavailable: %s", target.describe(), error)
                    connect_error = error
            if connect_error is not None:
                _record_failure(row, connect_error, result)
                commit()
                continue
            assert connection is not None
            try:
                connection.send_message(message, from_addr=envelope_from, to_addrs=[row.to])
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(row, error, result, permanent=smtp.permanent(error))
                if not isinstance(error, smtplib.SMTPRecipientsRefused):
                    smtp.close(connection)  # the connection may be broken: a fresh one for the next row
                    connection = None
            else:
                row.state = models.SENT
                row.sent_at = utcnow()
                row.last_error = ""
                row.claim_token = None
                row.claimed_at = None
                result.sent += 1
            commit()
    finally:
        smtp.close(connection)
        db.session.rollback()
    return result, connect_error is None


def _no_longer_wanted(row: EmailOutbox) -> bool:
    """The kind was switched off (cancelled) or moved to the digest since the row was queued."""
    if row.user_id is None or row.kind not in preferences.CHOOSABLE:
        return False
    mode = preferences.mode_of(row.user_id, row.kind)
    if mode == preferences.IMMEDIATE:
        return False
    row.state = models.CANCELLED if mode == preferences.OFF else models.DIGEST
    row.claim_token = None
    row.claimed_at = None
    return True


def _record_failure(
    row: EmailOutbox, error: BaseException, result: Result, *, permanent: bool = False
) -> None:
    now = utcnow()
    row.attempts += 1
    row.last_error = smtp.describe_error(error)[:1000]
    row.claim_token = None
    row.claimed_at = None
    if permanent or row.attempts >= int(current_app.config.get("MAIL_MAX_ATTEMPTS", 8)):
        row.state = models.DEAD
        row.next_attempt_at = None
        result.dead += 1
        log.warning(
            "mail %s to %s given up after %s attempts: %s", row.id, row.to, row.attempts, row.last_error
        )
    else:
        row.next_attempt_at = now + retry_delay(row.attempts)
        result.failed += 1


def requeue(row: EmailOutbox) -> None:
    """Send a dead (or waiting) row again now, with a fresh count of attempts (the admin page)."""
    row.state = models.QUEUED
    row.attempts = 0
    row.next_attempt_at = None
    row.claim_token = None
    row.claimed_at = None
    db.session.info.setdefault(KEY, set()).add(row.id)  # sent right after the commit, like new mail


# --- right after the commit that queued mail --------------------------------------------------------

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _note_queued(session: Session, _context: UOWTransaction) -> None:
    for obj in session.new:
        if isinstance(obj, EmailOutbox) and obj.state == models.QUEUED and obj.id is not None:
            session.info.setdefault(KEY, set()).add(obj.id)


def _forget(session: Session, previous: Any) -> None:
    # A whole rollback drops what it had queued; a savepoint's rollback leaves the rest of the unit
    # (an id that is gone just claims nothing).
    if not getattr(previous, "nested", False):
        session.info.pop(KEY, None)


def install() -> None:
    if not event.contains(Session, "after_flush", _note_queued):
        event.listen(Session, "after_flush", _note_queued)
        event.listen(Session, "after_soft_rollback", _forget)
    on_commit(_send_after_commit)


def _send_after_commit(info: dict[str, Any]) -> None:
    ids = info.get(KEY)
    if not ids or not has_app_context() or not configured():
        return
    if not current_app.config.get("MAIL_SEND_ON_COMMIT", True):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_send_in_background, args=(app, sorted(ids)), name="mail-after-commit")
    with _threads_lock:
        _threads.add(thread)
    thread.start()


def _send_in_background(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            try:
                send_pending(ids=ids)
            except Exception:  # the rows stay queued; the worker sends them
                log.exception("sending mail %s after the commit failed", ids)
            finally:
                db.session.remove()
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


def wait_for_background(timeout: float = 30) -> None:
    """Wait until the background sends started so far have finished (tests, and a clean shutdown)."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)
