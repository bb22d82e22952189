"""Reviewers racing on the same claims, as real processes on one ledger: per claim version exactly
one wins, the others get a one-line conflict (exit 4) pointing to `claims history`, and no vote is
lost or doubled. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from ledger.store.models import Claim, JournalEntry, Resolution

WORKERS = 3
OUTCOMES = ["true", "false", "partial"]

# One reviewer process: warm up, say it is ready, wait for the start line, then resolve each claim.
WORKER = r"""
import contextlib, io, json, os, sys, time
from ledger.cli.app import run
import ledger.services.review, ledger.services.integrity  # imported before the start, not during the race

db, cfg, me, phase, folder, claims, version = sys.argv[1:8]
me = int(me)
open(os.path.join(folder, f"ready-{me}"), "w").close()
while not os.path.exists(os.path.join(folder, "go")):
    time.sleep(0.001)
for claim in claims.split(","):
    args = ["--db", db, "--config", cfg, "resolve", claim, "--reviewer", f"Reviewer {me}"]
    if phase == "first":
        args += ["--outcome", OUTCOMES[me]]
    elif phase == "amend":
        args += ["--outcome", OUTCOMES[me], "--amend", "--reason", f"reviewer {me} amends", "--expect-version", version]
    else:
        args += ["--outcome", "false"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = run(args)
    print(json.dumps({"claim": int(claim), "worker": me, "status": int(status), "err": err.getvalue()}), flush=True)
""".replace("OUTCOMES[me]", f"{OUTCOMES!r}[me]")


def race(db_url: str, cfg: Path, folder: Path, phase: str, claims: list[int], version: int = 0) -> dict[int, list[dict]]:
    """Start WORKERS processes, release them together, and return each claim's results."""
    folder.mkdir()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, str(cfg), str(w), phase, str(folder), ",".join(map(str, claims)), str(version)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(WORKERS)
    ]
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready-*"))) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.01)
    (folder / "go").touch()
    results: dict[int, list[dict]] = {c: [] for c in claims}
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert err == "", err
        for line in out.splitlines():
            r = json.loads(line)
            results[r["claim"]].append(r)
    return results


def assert_losers_told(result: dict, claim: int) -> None:
    assert result["status"] == 4, result
    err = result["err"].strip()
    assert len(err.splitlines()) == 1 and err.startswith("claims: error: claim #"), err
    assert f"claims history {claim}" in err, err
    assert "locked" not in err and "Traceback" not in err


def test_racing_reviewers_one_winner_per_claim_version(cli, db_url, ledger, tmp_path):
    assert cli("speaker", "add", "Elon Musk").status == 0
    ids = [
        cli("add", f"Prediction {i}", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "2023-12-31", "--json").json["id"]
        for i in range(12)
    ]
    single, pair = ids[:6], ids[6:]
    one = tmp_path / "quorum1.toml"
    one.write_text("[review]\nquorum = 1\n")
    two = tmp_path / "quorum2.toml"
    two.write_text("[review]\nquorum = 2\n")

    # Round 1: everyone resolves each open claim at once; one verdict per claim.
    first = race(db_url, one, tmp_path / "first", "first", single)
    winners = {}
    for claim, results in first.items():
        assert sorted(r["status"] for r in results) == [0, 4, 4], results
        winners[claim] = next(r["worker"] for r in results if r["status"] == 0)
        for r in results:
            if r["status"]:
                assert_losers_told(r, claim)
    with ledger.read() as s:
        for claim in single:
            rows = s.scalars(select(Resolution).where(Resolution.claim_id == claim)).all()
            assert [r.reviewer for r in rows] == [f"Reviewer {winners[claim]}"]
            row = s.get(Claim, claim)
            assert (row.status, row.outcome, row.version) == ("resolved", OUTCOMES[winners[claim]], 2)

    # Round 2: everyone amends the verdict they all read (version 2); only one amendment lands.
    amends = race(db_url, one, tmp_path / "amend", "amend", single, version=2)
    for claim, results in amends.items():
        assert sorted(r["status"] for r in results) == [0, 4, 4], results
        winner = next(r["worker"] for r in results if r["status"] == 0)
        for r in results:
            if r["status"]:
                assert_losers_told(r, claim)
                assert "changed since version 2" in r["err"]
        with ledger.read() as s:
            rows = s.scalars(select(Resolution).where(Resolution.claim_id == claim).order_by(Resolution.id)).all()
            assert [r.reviewer for r in rows] == [f"Reviewer {winners[claim]}", f"Reviewer {winner}"]
            assert rows[1].supersedes_id == rows[0].id
            row = s.get(Claim, claim)
            assert (row.outcome, row.version) == (OUTCOMES[winner], 3)

    # Quorum 2: all agree at once; the first two votes resolve it, the third finds it resolved.
    votes = race(db_url, two, tmp_path / "pair", "quorum", pair)
    for claim, results in votes.items():
        assert sorted(r["status"] for r in results) == [0, 0, 4], results
        loser = next(r for r in results if r["status"])
        assert_losers_told(loser, claim)
        assert "already resolved" in loser["err"]
        with ledger.read() as s:
            rows = s.scalars(select(Resolution).where(Resolution.claim_id == claim)).all()
            assert sorted(r.reviewer for r in rows) == sorted(f"Reviewer {r['worker']}" for r in results if r["status"] == 0)
            row = s.get(Claim, claim)
            assert (row.status, row.outcome, row.version) == ("resolved", "false", 3)

    # One unforked chain, every row as journaled.
    with ledger.read() as s:
        seqs = list(s.scalars(select(JournalEntry.seq).order_by(JournalEntry.seq)))
    assert seqs == list(range(1, len(seqs) + 1))
    assert cli("verify").status == 0
