"""`market import needs|providers FILE`: the same parsing, validation and all-or-nothing commit as the web."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from market.auth.models import Role, User
from market.db import commit, db, utcnow
from market.imports import batches
from market.imports.columns import KINDS
from market.imports.models import BatchStatus, ImportBatch
from market.imports.reading import FileRejected, read_table
from market.imports.validate import records_from_rows
from market.security import events as security

SHOWN_ERRORS = 50


def _actor(email: str | None) -> User:
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no user with email {email}")
    else:
        user = db.session.scalar(
            select(User).where(User.role == Role.ADMIN.value, User.active.is_(True)).order_by(User.id)
        )
        if user is None:
            raise click.ClickException("no active admin to import as; pass --as EMAIL")
    if not batches.can_import(user):
        raise click.ClickException(f"{user.email} is not a broker or admin and cannot import")
    return user


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate and report only; write nothing")
@click.option("--as", "email", default=None, help="import as this broker or admin (default: the first admin)")
@click.option("--pending", is_flag=True, help="imported postings wait for review instead of being public")
@with_appcontext
def import_command(kind: str, path: Path, dry_run: bool, email: str | None, pending: bool) -> None:
    """Import needs or providers from a CSV (UTF-8 or GBK) or .xlsx file, all rows or none."""
    actor = _actor(email)
    try:
        table = read_table(path.read_bytes(), kind, path.name)
    except FileRejected as error:
        raise click.ClickException(error.message) from error
    records = records_from_rows(kind, table.rows)
    with click.progressbar(length=len(records), label="validating") as bar:
        valid, errors = batches.validate_records(kind, actor, records, progress=bar.update)
    if errors:
        for error in errors[:SHOWN_ERRORS]:
            click.echo(str(error), err=True)
        more = f" (first {SHOWN_ERRORS} shown)" if len(errors) > SHOWN_ERRORS else ""
        raise click.ClickException(f"{len(errors)} errors in {path.name}{more}; nothing was imported")
    if dry_run:
        security.record(security.IMPORT_DRY_RUN, user=actor, kind=kind, file=path.name, rows=len(records))
        click.echo(f"{path.name}: {len(records)} rows valid ({table.file_format}); dry run, nothing written")
        return
    _write(kind, actor, path, table.file_format, valid, not pending)


def _write(
    kind: str, actor: User, path: Path, file_format: str, valid: list[batches.Validated], publish: bool
) -> None:
    current_app.config["INDEX_SYNC"] = False  # one `market index sync` afterwards, not one update per row
    with click.progressbar(length=len(valid), label="writing") as bar:
        result = batches.write(kind, actor, valid, publish, progress=bar.update)
    db.session.add(
        ImportBatch(
            kind=kind,
            actor_id=actor.id,
            source="cli",
            filename=path.name[:200],
            file_format=file_format,
            publish=publish,
            status=BatchStatus.COMMITTED.value,
            total_rows=len(valid),
            processed_rows=len(valid),
            committed_at=utcnow(),
            summary={"written": result.as_dict()},
        )
    )
    commit()
    written = ", ".join(f"{n} {name}" for name, n in result.as_dict().items())
    click.echo(f"imported {path.name}: {written}")
    click.echo("run `market index sync` to make the new postings searchable")
