"""Exit statuses are part of the interface: scripts depend on them, so they are pinned here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ledger import errors
from ledger.errors import ExitStatus


def test_exit_statuses_are_pinned():
    assert {s.name: int(s) for s in ExitStatus} == {
        "OK": 0, "ERROR": 1, "USAGE": 2, "NOT_FOUND": 3, "CONFLICT": 4, "TAMPERED": 5, "STORAGE": 6, "CONFIG": 7,
    }
    assert errors.LedgerError("x").exit_status == 1
    assert errors.InvalidInput("x").exit_status == 2
    assert errors.InvalidDate("x").exit_status == 2
    assert errors.InvalidDeadline("x").exit_status == 2
    assert errors.NotFound("x").exit_status == 3
    assert errors.Conflict("x").exit_status == 4
    assert errors.Tampered("x").exit_status == 5
    assert errors.StorageError("x").exit_status == 6
    assert errors.SchemaOutOfDate("x").exit_status == 6
    assert errors.ConfigError("x").exit_status == 7


def claims(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--db", "nosuchdriver://x", "list"], ExitStatus.STORAGE, "unknown database driver"),
        (["--db", "postgresql://postgres@127.0.0.1:1/claims", "list"], ExitStatus.STORAGE, "cannot reach the database"),
        (["--db", "/proc/claims/ledger.db", "list"], ExitStatus.STORAGE, "cannot"),
        (["list", "--status", "bogus"], ExitStatus.USAGE, "invalid value"),
        (["no-such-command"], ExitStatus.USAGE, "no such command"),
    ],
)
def test_storage_and_usage_errors_exit_cleanly(args, status, message, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_DB", str(tmp_path / "ledger.db"))
    result = claims(*args)
    assert result.returncode == status, result.stderr
    assert message in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = claims("--debug", "--db", "nosuchdriver://x", "list")
    assert result.returncode == ExitStatus.STORAGE
    assert "Traceback" in result.stderr
