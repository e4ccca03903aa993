"""`market suggest rebuild`: compute the suggestion vocabulary from the database's public postings."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from indexer.processes import optional_pool
from market.cli_options import processes_option
from market.suggest import services


@click.group("suggest")
def suggest_group() -> None:
    """Suggestions as you type (docs/search.md, "Suggestions")."""


@suggest_group.command("rebuild")
@processes_option("N > 1: the entries' words (jieba) in N processes while this one reads the database")
@with_appcontext
def rebuild_command(processes: int) -> None:
    """Rebuild the vocabulary of every list (after a bulk load that skipped the after-commit hook)."""
    with optional_pool(processes) as pool:
        for kind in services.KINDS:
            click.echo(f"{kind}: {services.build(kind, pool)} entries")
