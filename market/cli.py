"""The `market` command line: database, users, demo data, serving."""

from __future__ import annotations

import os
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from indexer.passage_store import EncodingStats
from market.auth import services as auth
from market.auth.models import Organisation, OrgKind, Role
from market.cli_options import processes_option
from market.db import commit, db


def _create_app() -> Flask:
    from market import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """科创对接 command line."""


def upgrade_database() -> None:
    from flask_migrate import upgrade

    from market.reference.services import seed_reference_data

    upgrade()
    seed_reference_data()
    commit()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the schema (Alembic) and seed fields and regions."""
    upgrade_database()
    click.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value)
@click.option("--regions", default="", help="broker regions: comma-separated province codes, e.g. 32,33")
@click.option("--organisation", default="", help="organisation name (brokers: their 科协 office)")
@with_appcontext
def create_user_command(
    email: str, name: str, password: str, role: str, regions: str, organisation: str
) -> None:
    """Create a user of any role (brokers and admins cannot self-register)."""
    org = None
    if organisation:
        org = Organisation(name=organisation, kind=OrgKind.BROKER_OFFICE.value)
        db.session.add(org)
    try:
        user = auth.create_user(email=email, name=name, password=password, role=Role(role), organisation=org)
    except Exception as error:  # a clear message instead of a traceback on the console
        raise click.ClickException(getattr(error, "message", str(error))) from error
    if regions:
        auth.set_broker_regions(user, [code.strip() for code in regions.split(",") if code.strip()])
    commit()
    click.echo(f"created {role} {user.email}")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="管理员")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.pass_context
def create_admin_command(ctx: click.Context, email: str, name: str, password: str) -> None:
    """Create an administrator."""
    ctx.invoke(
        create_user_command,
        email=email,
        name=name,
        password=password,
        role="admin",
        regions="",
        organisation="",
    )


@click.command("load-demo")
@click.option("--seed", default=7, show_default=True)
@click.option("--providers", "n_providers", default=320, show_default=True)
@click.option("--needs", "n_needs", default=160, show_default=True)
@click.option("--if-empty", is_flag=True, help="do nothing when the database already has users")
@with_appcontext
def load_demo_command(seed: int, n_providers: int, n_needs: int, if_empty: bool) -> None:
    """Load the generated Chinese demo data set with demo logins (docs/demo.md)."""
    from market.demo.load import database_is_empty, load_demo

    if if_empty and not database_is_empty():
        click.echo("database already has data; demo not loaded")
        return
    # Bulk loads skip per-commit indexing; `market reindex` builds the index in one pass afterwards.
    current_app.config["INDEX_SYNC"] = False
    summary = load_demo(seed=seed, n_providers=n_providers, n_needs=n_needs)
    commit()
    click.echo(summary)


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve_command(bind: str, workers: int) -> None:
    """Run the app under gunicorn (production server)."""
    args = [
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--config",
        "python:market.gunicorn_conf",
        "market.wsgi:app",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


@click.command("reindex")
@click.option("--kind", type=click.Choice(["all", "providers", "needs"]), default="all", show_default=True)
@click.option(
    "--if-stale", is_flag=True, help="only when the index is empty, out of step or built by another model"
)
@processes_option(
    "1: one encoder using every core; N: N encoding processes of one thread each, and the word"
    " analysis (jieba) in N more (docs/scale-out.md)"
)
@with_appcontext
def reindex_command(kind: str, if_stale: bool, processes: int) -> None:
    """Rebuild the search index from the database, encoding only new or changed texts.

    Vectors are kept by text in $INDEX_DIR/passages-<kind>.sqlite as they are encoded: a second run
    encodes nothing that did not change, and a run stopped half-way resumes where it stopped.
    Progress (postings, texts encoded and reused, rate, time left) is printed every 10 seconds."""
    from market.matching import indexing

    for name in indexing.kinds(kind):
        if if_stale and not indexing.is_stale(name):
            click.echo(f"{name}: up to date ({indexing.count(name)} documents)")
        else:
            report = ReindexProgress(name, indexing.public_count(name))
            stats = indexing.rebuild(name, progress=report, processes=processes)
            report.finish(stats)
            click.echo(f"{name}: {indexing.count(name)} documents indexed")
        _prepare_queries(name)


class ReindexProgress:
    """One line every `every` seconds (and at the end): it reads well in a terminal and in a log."""

    def __init__(self, kind: str, total: int, every: float = 10.0) -> None:
        self.kind, self.total, self.every = kind, total, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def __call__(self, batch: int, stats: EncodingStats) -> None:
        self.done += batch
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            click.echo(self.line(stats, now))

    def line(self, stats: EncodingStats, now: float) -> str:
        elapsed = now - self.started
        left = (self.total - self.done) * elapsed / self.done if self.done else 0.0
        return (
            f"{self.kind}: {self.done:,}/{self.total:,} postings, {stats.encoded:,} texts encoded "
            f"({stats.texts_per_second:.1f}/s), {stats.reused:,} reused, "
            f"{_duration(elapsed)} so far, about {_duration(left)} left"
        )

    def finish(self, stats: EncodingStats) -> None:
        now = time.monotonic()
        click.echo(
            f"{self.kind}: {stats.encoded:,} texts encoded ({stats.texts_per_second:.1f}/s), "
            f"{stats.reused:,} reused, in {_duration(now - self.started)}"
        )


def _duration(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours} h {minute:02d} min" if hours else f"{minute} min {second:02d} s"


def _prepare_queries(kind: str) -> None:
    from market.matching import indexing

    click.echo(f"{kind}: {indexing.prepare_queries(kind)} query vectors encoded for match pages")


@click.command("eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--method",
    "method",
    type=click.Choice(["bm25", "dense", "hybrid", "all"]),
    default="all",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="print the metrics as JSON")
@with_appcontext
def eval_command(dataset_dir: str, method: str, as_json: bool) -> None:
    """Score ranking methods on a BEIR-layout dataset (nDCG@10, Recall@10/50, MRR@10)."""
    import json

    from indexer.encoders import load_encoder
    from indexer.evaluate import evaluate_dataset, format_report

    try:
        result = evaluate_dataset(
            dataset_dir, methods=method, encoder=load_encoder(str(current_app.config["ENCODER"]))
        )
    except (FileNotFoundError, ValueError, KeyError) as error:
        raise click.ClickException(f"cannot evaluate {dataset_dir}: {error}") from error
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_report(result))


@click.group("index")
def index_group() -> None:
    """Search index maintenance."""


@index_group.command("sync")
@with_appcontext
def index_sync_command() -> None:
    """Reconcile the search index with the database: add what is missing, drop what is gone."""
    from market.matching import indexing

    for name in indexing.kinds("all"):
        added, removed = indexing.reconcile(name)
        click.echo(f"{name}: {added} added or refreshed, {removed} removed, {indexing.count(name)} indexed")
        _prepare_queries(name)


def register_commands(app: Flask) -> None:
    from market.backup_cli import backup_command, restore_command

    for command in (backup_command, restore_command):
        app.cli.add_command(command)
    from market.imports.cli import import_command
    from market.mail.cli import mail_group
    from market.orders.expiry import orders_group
    from market.saved_searches.cli import searches_group
    from market.suggest.cli import suggest_group

    for command in (
        init_db_command,
        create_user_command,
        create_admin_command,
        load_demo_command,
        reindex_command,
        eval_command,
        index_group,
        orders_group,
        import_command,
        mail_group,
        suggest_group,
        searches_group,
    ):
        app.cli.add_command(command)


main.add_command(serve_command)
