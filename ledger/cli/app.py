"""The root `claims` group, the per-invocation environment, and the one place that turns errors
into exit codes: a user's mistake is one line on stderr, a traceback only with --debug."""

from __future__ import annotations

import os
import sys
import traceback
from functools import cached_property
from typing import Any

import click

from ledger import __version__
from ledger.errors import ExitStatus, LedgerError
from ledger.escape import json_text, styled, terminal


class App:
    """What every command needs, opened on first use: config, ledger, output settings."""

    def __init__(self, db: str | None, config_path: str | None, debug: bool):
        self.db_option = db
        self.config_path = config_path
        self.debug = debug
        self.color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    @cached_property
    def config(self):
        from ledger import config

        return config.load(self.config_path)

    @cached_property
    def ledger(self):
        from ledger.store.engine import open_ledger

        return open_ledger(self.db_option or self.config.database)

    def actor(self, explicit: str | None = None) -> str:
        from ledger.config import identity

        return identity(explicit, self.config)

    def close(self) -> None:
        if "ledger" in self.__dict__:
            self.ledger.dispose()

    # Output -----------------------------------------------------------------------------------
    # Stored text may hold terminal commands: everything printed goes through escape.terminal,
    # and only then gets the tool's own colour.
    def json(self, value: Any) -> None:
        click.echo(json_text(value, indent=2))

    def echo(self, text: str = "", **style) -> None:
        click.echo(styled(text, **style) if self.color else terminal(text))

    def note(self, text: str) -> None:
        """Narration and hints go to stderr, so stdout stays clean for pipes."""
        click.echo(terminal(text), err=True)


pass_app = click.make_pass_decorator(App)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="URL", help="Ledger: a file path or SQLAlchemy URL [env CLAIMS_DB; default: the per-user SQLite file].")
@click.option("--config", "config_path", metavar="PATH", type=click.Path(dir_okay=False), help="Config file [default: $XDG_CONFIG_HOME/claims/config.toml].")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(__version__, "--version", prog_name="claims")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None, debug: bool) -> None:
    """Track dated predictions by public figures, flag lapsed deadlines, record outcomes, and
    report who gets it right."""
    ctx.obj = App(db, config_path, debug)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or bool(os.environ.get("CLAIMS_DEBUG"))
    sys.exit(run(args, debug))


def run(args: list[str], debug: bool = False) -> int:
    """Run the CLI and return its exit status; every error mapping lives here."""
    try:
        cli.main(args=args, prog_name="claims", standalone_mode=False)
        return ExitStatus.OK
    except LedgerError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"claims: error: {terminal(exc)}", err=True)
        return exc.exit_status
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return ExitStatus.USAGE if isinstance(exc, click.UsageError) else ExitStatus.ERROR
    except click.Abort:
        click.echo("claims: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("claims: interrupted", err=True)
        return 130
    except BrokenPipeError:
        # `claims list | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return ExitStatus.OK
    except Exception as exc:  # a bug, not a user mistake
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"claims: internal error: {type(exc).__name__}: {terminal(exc)} (rerun with --debug for details)", err=True)
        return ExitStatus.ERROR
