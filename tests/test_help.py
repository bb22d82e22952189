"""Every command explains itself: `claims X --help` works and says something."""

from __future__ import annotations

import click
import pytest

from ledger.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in ((n, group.get_command(None, n)) for n in group.list_commands(None)):  # every family loaded
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path, command", list(_commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help(path, command, capsys):
    assert (command.help or "").strip(), f"`claims {' '.join(path)}` has no help text"
    from ledger.cli.app import run

    assert run([*path, "--help"]) == 0
    assert "Usage: claims " + " ".join(path) in capsys.readouterr().out
