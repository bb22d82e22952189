"""A small run of the benchmark program, so it cannot rot: it must build its ledgers, take every
measurement with its baseline, and agree with the baselines on what `claims due` lists and what
hit rates `claims report` gives. Speed itself is judged by the full run (BENCHMARKS.md), not here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WHAT = [
    "claims import",
    "peak memory of claims import",
    "claims due (10 lapsed)",
    "claims verify",
    "claims scheduler run --once",
    "peak memory of claims scheduler run --once",
    "claims report --format json",
    "claims report --format json --detail",
    "claims report --leaderboard",
    "claims report --speaker S --format json (#1: ",
    "claims report --speaker S --format json (#2: ",
    "start-up: claims list --limit 1",
    "peak memory of claims report --format json",
    "claims publish",
    "claims publish again, ledger unchanged",
    "peak memory of claims publish",
    "claims search fusion --limit 20",
    "claims edit (against claims add)",
    "claims withdraw (against claims add)",
    "claims list (every claim, to a pipe)",
    "peak memory of claims list",
    "start-up: claims list --limit 50",
    "start-up: claims show ID",
]


def test_a_small_benchmark_run(backend, tmp_path, request):
    args = [sys.executable, "-m", "benchmarks", "--claims", "1000", "--quick", "--runs", "1", "--backend", backend,
            "--out", str(tmp_path / "BENCHMARKS.md"), "--workdir", str(tmp_path / "work")]
    if backend == "postgresql":  # the rows that need no ledger are the SQLite run's to check
        args += ["--ledger-rows-only", "--postgres-url", request.getfixturevalue("pg_server").base.render_as_string(hide_password=False)]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr

    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines() if line.startswith(f"| {backend} ")]
    assert [r[2].strip()[:len(w)] for r, w in zip(rows, WHAT)] == WHAT and len(rows) == len(WHAT)  # speakers: and their claims
    for row in rows:
        measured, result_cell = row[3].strip(), row[7].strip()
        assert measured.endswith((" s", " ms", " MB")), row
        assert result_cell in ("pass", "MISSED", "(for information)"), row  # no failed cross-check with the baselines
    extract = [line.split("|")[3].strip() for line in result.stdout.splitlines() if "| claims extract" in line]
    version = [line for line in result.stdout.splitlines() if "| start-up: claims --version |" in line]
    if backend == "sqlite":
        assert [e.split(" (")[0] for e in extract] == ["claims extract, rules mode", "claims extract, parser mode"]
        assert len(version) == 1 and version[0].split("|")[6].strip().endswith("x"), version
    else:
        assert extract == [] and version == []
    timed = [r for r in rows if not r[2].strip().startswith("peak memory")]
    assert all(r[5].strip().endswith("x") for r in timed), timed  # every time has its baseline ratio

    written = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "## Machine" in written and "- Python: " in written and "- SQLite: " in written
    assert f"| {backend} | 1,000 | claims import |" in written
    # The benchmark cleans up after itself: no ledger left behind.
    assert not list((tmp_path / "work").glob("*.db"))


def test_quick_means_small_ledgers(monkeypatch):
    """`--quick` is the smoke run the README promises in minutes: never the 1M-claim ledgers."""
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.__main__ import parser, plan

    def planned(*argv):
        return plan(parser().parse_args(list(argv)))

    assert planned("--quick", "--postgres-url", "") == ([1_000, 5_000], ["sqlite"])
    assert planned("--quick", "--postgres-url", "postgresql://h/db")[1] == ["sqlite", "postgresql"]
    assert planned("--postgres-url", "")[0] == [100_000, 1_000_000]
    with pytest.raises(SystemExit, match="at most 20,000 claims, not 1,000,000"):
        planned("--quick", "--claims", "1000000")
