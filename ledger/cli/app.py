"""The root `claims` group, the per-invocation state, and the one place that turns errors into
exit codes: a user's mistake is one line on stderr, a traceback only with --debug."""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import logging
import sys
import traceback
from functools import cached_property
from collections.abc import Iterable, Iterator
from typing import Any

import click

from ledger import __version__
from ledger.cli.environment import Environment
from ledger.cli.options import PathType
from ledger.errors import ExitStatus, LedgerError
from ledger.escape import Terminal, json_text, styled, terminal

_NOTHING = object()


class App:
    """What every command needs, opened on first use: config, ledger, output settings."""

    def __init__(self, db: str | None, config_path: str | None, debug: bool, env: Environment, pager: bool = True):
        self.pager = pager
        self.db_option = db
        self.config_path = config_path
        self.debug = debug
        self.env = env
        self.color = env.color
        self.today = env.today

    @cached_property
    def config(self):
        from ledger import config

        return config.load(self.config_path, self.env.environ)

    def open_ledger(self, **options):
        """The ledger named by --db, else the config's [database] url, else $CLAIMS_DB or the default."""
        from ledger.store.engine import open_ledger

        db = self.db_option if self.db_option is not None else self.config.database
        return open_ledger(db, environ=self.env.environ, **options)

    @cached_property
    def ledger(self):
        return self.open_ledger()

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
        click.echo(json_text(value, indent=2), file=self.env.stdout)

    def echo(self, text: str = "", **style) -> None:
        text = styled(text, **style) if self.color else terminal(text)
        click.echo(text, file=self.env.stdout, color=self.color)

    def emit(self, document: str) -> None:
        """A document its renderer has already escaped for its own format (a calendar, a CSV, a
        report), written as it is: escaping it again for the terminal would corrupt it."""
        click.echo(document, nl=False, file=self.env.stdout, color=self.color)

    def json_array(self, items: Iterable[Any]) -> None:
        """``json`` of a list, written an item at a time (the same bytes), so a long list is never
        held whole; nothing is written until the first item is read, so an error stays the only output."""
        items = iter(items)
        first = next(items, _NOTHING)
        if first is _NOTHING:
            return self.json([])
        out = self.env.stdout
        out.write("[\n")
        for n, item in enumerate(itertools.chain([first], items)):
            out.write((",\n  " if n else "  ") + json_text(item, indent=2).replace("\n", "\n  "))
        click.echo("\n]", file=out)

    def page(self, text: str | Iterable[str]) -> None:
        """Output longer than the terminal goes through $PAGER (default ``less``), as git does; not
        when stdout is not a terminal, with --no-pager, or with PAGER set empty. ``text`` may be
        lines, read one at a time: only as many as the terminal is tall are held to decide."""
        lines = iter([Terminal(line) for line in terminal(text).split("\n")] if isinstance(text, str) else text)
        command = self.env.environ.get("PAGER", "less")
        if not (self.pager and self.env.stdout_isatty and command.strip()):
            return self._echo_lines(lines)
        first = list(itertools.islice(lines, self.env.height))
        if len(first) < self.env.height:
            return self._echo_lines(iter(first))
        import os
        import subprocess

        # less shows colour (-R), quits when it all fits (-F) and leaves it on the screen (-X),
        # unless the user's LESS says otherwise.
        environ = {**os.environ, **self.env.environ, "LESS": self.env.environ.get("LESS", "FRX")}
        try:
            pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, text=True, env=environ)
        except OSError:  # no such pager: the output still reaches the user
            return self._echo_lines(itertools.chain(first, lines))
        with contextlib.suppress(BrokenPipeError):  # the user quit the pager early
            with pager.stdin:
                for line in itertools.chain(first, lines):
                    pager.stdin.write(terminal(line) + "\n")
        pager.wait()

    def _echo_lines(self, lines: Iterator[str], chunk: int = 1000) -> None:
        while block := list(itertools.islice(lines, chunk)):
            click.echo("\n".join(terminal(line) for line in block), file=self.env.stdout, color=self.color)

    def note(self, text: str) -> None:
        """Narration and hints go to stderr, so stdout stays clean for pipes."""
        click.echo(terminal(text), file=self.env.stderr, color=False)


def pass_app(command):
    """Hand the command its App, with the config loaded first: a broken config file stops every
    command it is given to, not only the ones that read a setting from it."""

    @functools.wraps(command)
    def with_app(*args, **kwargs):
        app = click.get_current_context().find_object(App)
        app.config  # noqa: B018  (loading is validating)
        return command(app, *args, **kwargs)

    return with_app


# Which module adds each command: a command's module is imported when it is run, not every
# module on every start-up. A command missing here is still found (every module is then imported).
FAMILIES = {
    "claims": ["add", "deadline", "edit", "list", "restore", "search", "show", "withdraw"],
    "reminders": ["assign", "calendar", "due", "reminders", "reviewer", "scheduler"],
    "restatements": ["chain", "link", "unlink"], "db": ["db"], "seeds": ["demo", "seed"],
    "review": ["disputes", "history", "resolve", "verify"], "transfer": ["export", "import"],
    "extract": ["extract"], "publish": ["publish"], "report": ["report"], "people": ["source", "speaker"],
}
_MODULE_OF = {command: module for module, commands in FAMILIES.items() for command in commands}


class _Commands(click.Group):
    """The root group, whose commands are added by the modules of ledger.cli as they are imported."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _MODULE_OF:
            importlib.import_module(f"ledger.cli.{_MODULE_OF[cmd_name]}")
        if cmd_name not in self.commands:
            _import_every_family()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _import_every_family()
        return super().list_commands(ctx)


def _import_every_family() -> None:
    for module in FAMILIES:
        importlib.import_module(f"ledger.cli.{module}")


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="URL", help="Ledger: a file path or SQLAlchemy URL [env CLAIMS_DB; default: the per-user SQLite file].")
@click.option("--config", "config_path", metavar="PATH", type=PathType(dir_okay=False), help="Config file [default: $XDG_CONFIG_HOME/claims/config.toml].")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option("--no-pager", "no_pager", is_flag=True, help="Never page long output (it is paged only on a terminal, through $PAGER).")
@click.version_option(__version__, "--version", prog_name="claims")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None, debug: bool, no_pager: bool) -> None:
    """Track dated predictions by public figures, flag lapsed deadlines, record outcomes, and
    report who gets it right."""
    env = ctx.obj if isinstance(ctx.obj, Environment) else Environment()  # given by run()
    ctx.obj = App(db, config_path, debug, env, pager=not no_pager)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    env = env or Environment()
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or bool(env.environ.get("CLAIMS_DEBUG"))
    if not debug:
        # SQLAlchemy logs what it could not clean up after an interrupt ("Error closing cursor",
        # with a traceback) through Python's last-resort handler; the user sees our one line.
        logging.getLogger("sqlalchemy").addHandler(logging.NullHandler())
        logging.getLogger("sqlalchemy").propagate = False
    sys.exit(run(args, debug, env))


def run(args: list[str], debug: bool = False, env: Environment | None = None) -> int:
    """Run the CLI in ``env`` (by default the process's own) and return its exit status; every
    error mapping lives here."""
    env = env or Environment()
    err = env.stderr
    unreadable = next((arg for arg in args if not _is_text(arg)), None)
    if unreadable is not None:
        click.echo(f"claims: error: the argument {unreadable!r} is not valid text (a byte that is not UTF-8, "
                   "e.g. from a file name or a terminal set to another encoding)", file=err)
        return ExitStatus.USAGE
    try:
        # click prints help, --version and its own messages to sys.stdout/stderr.
        with contextlib.redirect_stdout(env.stdout), contextlib.redirect_stderr(err):
            cli.main(args=args, prog_name="claims", standalone_mode=False, obj=env, color=env.color)
        return ExitStatus.OK
    except LedgerError as exc:
        if debug:
            traceback.print_exc(file=err)
        click.echo(f"claims: error: {terminal(exc)}", file=err)
        return exc.exit_status
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"claims: error: {_one_line(exc)}", file=err)
        return ExitStatus.USAGE if isinstance(exc, click.UsageError) else ExitStatus.ERROR
    except click.Abort:
        click.echo("claims: aborted", file=err)
        return 130
    except KeyboardInterrupt:
        click.echo("claims: interrupted", file=err)
        return 130
    except BrokenPipeError:
        # `claims list | head`: the reader left; not an error worth a traceback.
        err.close()
        return ExitStatus.OK
    except Exception as exc:  # a bug, not a user mistake
        if debug:
            traceback.print_exc(file=err)
        else:
            click.echo(f"claims: internal error: {type(exc).__name__}: {terminal(exc)} (rerun with --debug for details)", file=err)
        return ExitStatus.ERROR


def _one_line(exc: click.ClickException) -> str:
    """click's message, on one line like every other error, pointing at the command's help."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message


def _is_text(arg: str) -> bool:
    """Python hands bytes of argv that are not UTF-8 over as lone surrogates, which nothing can
    store or print; they are refused here, once for every option."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
