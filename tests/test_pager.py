"""Long output goes through a pager on a terminal only, as git's does: $PAGER is respected, and
--no-pager, an empty PAGER or a pipe turn it off."""

from __future__ import annotations

import io
import shlex
import sys

import pytest

from ledger.cli.app import run
from ledger.cli.environment import Environment


@pytest.fixture
def claims(musk):
    for n in range(8):
        assert musk("add", f"Claim number {n}", "--speaker", "Musk", "--said", "2023-01-01", "--deadline", "2030-12-31").status == 0
    return musk


def _list(db_url, tmp_path, *root, tty=True, lines=5, pager: str | None = "write"):
    paged = tmp_path / "paged.txt"
    environ = {}
    if pager == "write":  # a pager that keeps what it was given
        script = tmp_path / "pager.py"
        script.write_text(f"import sys\nopen({str(paged)!r}, 'w').write(sys.stdin.read())\n")
        environ["PAGER"] = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    elif pager is not None:
        environ["PAGER"] = pager
    out = io.StringIO()
    status = run(["--db", db_url, *root, "list"], env=Environment(stdout=out, stdout_isatty=tty, environ=environ, lines=lines))
    assert status == 0
    return out.getvalue(), paged.read_text() if paged.exists() else None


def test_long_output_on_a_terminal_goes_through_the_pager(claims, db_url, tmp_path):
    out, paged = _list(db_url, tmp_path)
    assert out == "" and "Claim number 7" in paged and "ID" in paged.splitlines()[0]


def test_no_pager_when_it_fits_when_piped_with_no_pager_or_an_empty_pager(claims, db_url, tmp_path):
    for root, tty, lines, pager in [((), True, 50, "write"), ((), False, 5, "write"), (("--no-pager",), True, 5, "write"), ((), True, 5, "")]:
        out, paged = _list(db_url, tmp_path, *root, tty=tty, lines=lines, pager=pager)
        assert "Claim number 7" in out and paged is None, (root, tty, lines, pager)
