"""The read commands run on Core: a process running `claims list`, `show` or `due` never imports
the ORM or the models, which cost about as much again as the rest of their start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Runs the CLI's main in a fresh process, then says which of the heavy modules it imported.
PROBE = """
import json, sys
from ledger.cli.app import run
status = run(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.startswith(("sqlalchemy.orm", "ledger.store.models")))
print("\\n" + json.dumps({"status": int(status), "heavy": heavy}))
"""


def in_a_process(url: str, *args: str) -> tuple[str, dict]:
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", url, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    output, _, report = done.stdout.rpartition("\n\n")
    return output, json.loads(report)


@pytest.fixture
def reviewed(musk):
    """A claim with a verdict, evidence and an edit; a second claim that restates it, lapsed."""
    cli = musk
    assert cli("add", "Tesla reaches level 4 or 5", "--speaker", "Musk", "--source", "https://example.org/waic-2023",
               "--deadline", "later this year", "--tag", "Tesla").status == 0
    assert cli("resolve", "1", "--outcome", "false", "--reviewer", "Rita", "--evidence", "https://example.org/no").status == 0
    assert cli("edit", "1", "--quote", "level 4 or 5 later this year", "--reason", "the quote as said").status == 0
    assert cli("add", "Tesla reaches level 5", "--speaker", "Elon Musk", "--said", "2024-01-02",
               "--deadline", "2024-12-31", "--restates", "1").status == 0
    return cli


@pytest.mark.parametrize("args", [
    ("list",), ("list", "--json", "--speaker", "Musk", "--tag", "tesla", "--status", "resolved"),
    ("list", "--limit", "50", "--source", "https://example.org/waic-2023", "--sort", "deadline", "--all"),
    ("show", "1"), ("show", "1", "--json"), ("show", "2", "--json"), ("due",), ("due", "--json"),
])
def test_a_read_command_imports_neither_the_orm_nor_the_models(reviewed, args):
    output, report = in_a_process(reviewed.url, *args)
    assert report == {"status": 0, "heavy": []}
    # What the process printed is what the command prints (the in-process run imports the ORM).
    assert output == reviewed(*args).out.rstrip("\n")
    assert "Tesla" in output


def test_an_unknown_speaker_or_claim_is_the_same_error_without_the_orm(reviewed):
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", reviewed.url, "list", "--speaker", "Elon Muks"], capture_output=True, text=True, timeout=120)
    assert done.stderr == reviewed("list", "--speaker", "Elon Muks").err
    assert "did you mean 'Elon Musk'?" in done.stderr
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", reviewed.url, "show", "99"], capture_output=True, text=True, timeout=120)
    assert done.stderr == reviewed("show", "99").err
    assert json.loads(done.stdout.strip())["heavy"] == []
