"""`market mail send | worker | digest` (docs/mail.md)."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from market.db import db
from market.mail import digest, sender

log = logging.getLogger(__name__)


@click.group("mail")
def mail_group() -> None:
    """Send the e-mail outbox."""


def _require_smtp() -> None:
    if not sender.configured():
        raise click.ClickException("SMTP_URL is not set: mail stays in the outbox (see /admin/mail)")


@mail_group.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="send at most this many")
@with_appcontext
def send_command(limit: int | None) -> None:
    """Send every mail that is due, once (for cron)."""
    _require_smtp()
    result = sender.send_pending(limit)
    click.echo(f"sent {result.sent}, failed {result.failed} (will retry), dead {result.dead}")


@mail_group.command("worker")
@click.option("--interval", type=click.FloatRange(min=0.1), default=15.0, show_default=True, help="seconds")
@click.option("--passes", type=click.IntRange(min=1), default=None, help="stop after this many passes")
@with_appcontext
def worker_command(interval: float, passes: int | None) -> None:
    """Send due mail every INTERVAL seconds until stopped (several workers may run at once)."""
    _require_smtp()
    target = sender.server().describe()
    click.echo(f"mail worker sending to {target} every {interval:g} s")
    stopping = threading.Event()
    # SIGTERM (systemd, docker stop) ends the loop after the pass in progress.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stopping.set()) if main else None
    done = 0
    try:
        while not stopping.is_set() and (passes is None or done < passes):
            try:
                result = sender.send_pending()
            except Exception:  # the database went away for a moment: the rows stay queued, try again
                log.exception("mail pass failed")
                db.session.rollback()
            else:
                if result.sent or result.failed or result.dead:
                    click.echo(f"sent {result.sent}, failed {result.failed}, dead {result.dead}")
            db.session.remove()
            done += 1
            if passes is None or done < passes:
                stopping.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    click.echo("mail worker stopped")


@mail_group.command("digest")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="default: today (UTC)")
@with_appcontext
def digest_command(day: datetime | None) -> None:
    """Gather each person's waiting mail into one digest for the day (once a day per person)."""
    made = digest.build_digests(day.date() if day else None)
    click.echo(f"{made} digests queued")
    if not current_app.config.get("SMTP_URL"):
        click.echo("SMTP_URL is not set: the digests stay in the outbox (see /admin/mail)")
