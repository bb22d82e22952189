"""`claims db ...`: schema migrations with Alembic (imported only here)."""

from __future__ import annotations

import click

from ledger.cli.app import App, cli, pass_app


def _unchecked(app: App):
    return app.open_ledger(check_schema=False)


@cli.group()
def db() -> None:
    """The ledger's schema: upgrade, downgrade, current revision."""


@db.command()
@click.argument("revision", default="head")
@pass_app
def upgrade(app: App, revision: str) -> None:
    """Bring the schema up to REVISION [default: head]."""
    from ledger.store import schema

    ledger = _unchecked(app)
    schema.upgrade(ledger, revision)
    app.echo(f"Schema at {ledger.current_revision()} ({ledger.describe()})")


@db.command()
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Delete what the older schema cannot hold (without it, say what and stop).")
@pass_app
def downgrade(app: App, revision: str, yes: bool) -> None:
    """Take the schema back to REVISION ('base' removes every table).

    What the older schema cannot hold (its tables' rows, its columns' values) is deleted only with
    --yes; without it the command lists how many of what it would delete and changes nothing."""
    from ledger.store import schema

    ledger = _unchecked(app)
    lost = schema.downgrade(ledger, revision, allow_loss=yes)
    app.echo(f"Schema at {ledger.current_revision() or 'base'} ({ledger.describe()})")
    if lost:
        app.echo(f"Deleted {schema.describe(lost)}.")


@db.command()
@pass_app
def current(app: App) -> None:
    """Print the schema revision of the ledger and the one this claims expects."""
    from ledger.store.schema_revision import SCHEMA_REVISION

    ledger = _unchecked(app)
    rev = ledger.current_revision()
    state = "up to date" if rev == SCHEMA_REVISION else "run `claims db upgrade`" if rev else "empty"
    app.echo(f"{rev or 'none'} (this claims expects {SCHEMA_REVISION}: {state})")


@db.command()
@pass_app
def history(app: App) -> None:
    """List the schema revisions, oldest first."""
    from ledger.store import schema

    for rev, down, doc in schema.history():
        app.echo(f"{rev}  {(doc or '').splitlines()[0] if doc else ''}")
