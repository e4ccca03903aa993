"""`market backup FILE` and `market restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from market import backup as backups
from market.db import commit, db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write every table, read in one snapshot, to a gzip'd JSON-lines file (SQLite and PostgreSQL)."""
    counts = backups.backup(path)
    click.echo(f"backup written to {path}: {sum(counts.values())} rows in {len(counts)} tables")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Load a backup into a freshly initialised, empty database (all or nothing)."""
    try:
        counts = backups.restore(path)
        commit()
    except backups.BackupError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {sum(counts.values())} rows; now run `market reindex` to rebuild the search index")
