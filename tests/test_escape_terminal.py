"""Stored text on a terminal: every command that prints it shows its control characters as
``\\x1b``-style escapes, and the only escape sequences on the screen are the tool's own bold."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, update

import hostile
from ledger.store.engine import open_ledger
from ledger.store.models import Claim
from ledger.store.models.reminders import Reminder

CLAIMS = Path(sys.executable).with_name("claims")
TOOL_STYLE = re.compile(r"\x1b\[1m|\x1b\[0m")  # click.style(bold=True): all the colour the tool adds
# What may reach the terminal raw: printable text and the line ends the pty itself writes.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Many commands in one process (the CLI's own entry point, each with its own arguments), so the
# test does not pay a Python start-up per command; each ends with a line of its own to split on.
BATCH = """
import json, sys
from ledger.cli.app import run
for args in json.loads(sys.argv[1]):
    run(args)
    print("\\n--- end of command ---", flush=True)
"""


def on_a_terminal(program: list[str]) -> str:
    """Run a program under a pseudo-terminal, as a user at a shell would, and return what reached
    the screen, decoded (stdout and stderr both; the pty's CRLF line ends as LF)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CLAIMS_DEBUG")} | {"TERM": "xterm", "COLUMNS": "200", "PAGER": "cat"}  # long output is paged: through cat, to the screen
    process = subprocess.Popen(program, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the program exited and closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) in (0, 1, 2, 3, 4, 5), program
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def commands_on_a_terminal(db_url: str, commands: list[list[str]]) -> list[str]:
    args = json.dumps([["--db", db_url, *command] for command in commands])
    screens = on_a_terminal([sys.executable, "-c", BATCH, args]).split("\n--- end of command ---\n")
    assert len(screens) == len(commands) + 1
    return screens[:-1]


@pytest.fixture
def hostile_ledger(cli, db_url, tmp_path):
    ids = hostile.fill(cli, db_url, tmp_path, resolve=True)
    ledger = open_ledger(db_url)
    with ledger.write() as s:  # a third disputed, a third overdue, a third resolved
        s.execute(update(Claim).where(Claim.id.in_(ids[0::3])).values(status="disputed", outcome=None))
        s.execute(update(Claim).where(Claim.id.in_(ids[1::3])).values(status="due", outcome=None))
        for claim_id, text in zip(ids, hostile.TEXTS):
            s.execute(insert(Reminder).values(claim_id=claim_id, recipient=text, channel="log", number=1,
                                              due_on=date(2021, 7, 1), status="failed", attempts=1, last_error=text))
    ledger.dispose()
    return ids


def test_no_command_sends_stored_control_characters_to_the_terminal(hostile_ledger, db_url):
    first, due, resolved = hostile_ledger[0], hostile_ledger[1], hostile_ledger[2]
    commands = [
        ["list"], ["show", str(first)], ["show", str(due)], ["due"], ["history", str(first)], ["history", str(resolved)],
        ["reminders", "list"], ["reminders", "list", "--failed"], ["disputes"], ["speaker", "list"], ["reviewer", "list"],
        ["report"], ["report", "--speaker", hostile.TERMINAL[0]], ["report", "--leaderboard", "--min-resolved", "0"],
        ["list", "--json"], ["show", str(first), "--json"], ["report", "--format", "json"], ["show", "999"],
    ]
    for command, screen in zip(commands, commands_on_a_terminal(db_url, commands)):
        assert "Traceback" not in screen and "internal error" not in screen, (command, screen)
        text = TOOL_STYLE.sub("", screen)
        found = RAW_CONTROL.search(text)
        assert found is None, (command, repr(text[max(0, found.start() - 40): found.end() + 40]))


def test_the_claims_command_shows_stored_escapes_visibly_and_only_its_own_bold(hostile_ledger, db_url):
    listing = on_a_terminal([str(CLAIMS), "--db", db_url, "list"])
    assert RAW_CONTROL.search(TOOL_STYLE.sub("", listing)) is None
    # What was stored is still there to read, made visible.
    assert "\\x1b]0;pwned\\x07" in listing and "\\x9b2J" in listing and "\\u202etxt.exe" in listing
    assert "\\x1b[31mred" in listing  # a colour in stored text is shown, not obeyed
    assert listing.startswith("\x1b[1mID")  # the header is the tool's own bold


def test_the_log_channel_prints_a_digest_with_its_control_characters_visible():
    import io

    from ledger.config import Channel
    from ledger.services.channels import Digest, LogSender

    stream = io.StringIO()
    text = "\n".join(hostile.TERMINAL)
    LogSender(Channel("log", "log", {}), stream).send(Digest(recipient=hostile.TERMINAL[0], subject="Due", text=text))
    printed = stream.getvalue()
    assert RAW_CONTROL.search(printed) is None and "\\x1b]0;pwned\\x07" in printed


def test_every_character_the_terminal_escapes_is_unprintable():
    """``terminal`` lets printable text through without its regex; a printable character added to
    the escaped set would then go out raw."""
    from ledger.escape import _CONTROLS, terminal

    escaped = [chr(c) for c in range(0x110000) if _CONTROLS.match(chr(c))]
    assert escaped and not [c for c in escaped if c.isprintable()]
    assert all(terminal(f"a{c}b") != f"a{c}b" for c in escaped)
