"""`market suggest rebuild`: compute the suggestion vocabulary from the database's public postings."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from market.suggest import services


@click.group("suggest")
def suggest_group() -> None:
    """Suggestions as you type (docs/search.md, "Suggestions")."""


@suggest_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Rebuild the vocabulary of every list (after a bulk load that skipped the after-commit hook)."""
    for kind in services.KINDS:
        click.echo(f"{kind}: {services.build(kind)} entries")
