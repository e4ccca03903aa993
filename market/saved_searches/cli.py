"""`market searches alert`: the daily alerts of saved searches (docs/search.md, Saved searches and alerts)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from market.db import commit
from market.saved_searches import alerts


@click.group("searches")
def searches_group() -> None:
    """Saved searches."""


@searches_group.command("alert")
@click.option(
    "--now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    default=None,
    help="the moment to run as (UTC; default: now)",
)
@with_appcontext
def alert_command(now: datetime | None) -> None:
    """Tell each person about new postings among their saved searches' first results (once a day per
    search; safe to run as often as you like)."""
    summary = alerts.run(now.replace(tzinfo=UTC) if now else None)
    commit()
    click.echo(
        f"{summary.searches} saved searches: {summary.alerted} alerted ({summary.postings} postings), "
        f"{summary.skipped_today} already alerted today, {summary.failed} not checked (index unavailable)"
    )
