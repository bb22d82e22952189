"""Reviewers racing on the same claims, as real processes on one ledger: per claim version exactly
one wins, the others get a one-line conflict (exit 4) pointing to `claims history`, and no vote is
lost or doubled. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger.store.models import Claim, JournalEntry, Resolution

WORKERS = 3
OUTCOMES = ["true", "false", "partial"]

# One reviewer process per worker, kept for every round: warm up, then for each round say it is
# ready, wait for that round's start line, resolve each claim, and write down what happened.
WORKER = r"""
import contextlib, io, json, os, sys, time
from ledger.cli.app import run
import ledger.services.review, ledger.services.integrity  # imported before the start, not during the race

db, me, folder, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
for n, (phase, cfg, claims, version) in enumerate(rounds):
    open(os.path.join(folder, f"ready-{n}-{me}"), "w").close()
    while not os.path.exists(os.path.join(folder, f"go-{n}")):
        time.sleep(0.001)
    results = []
    for claim in claims:
        args = ["--db", db, "--config", cfg, "resolve", str(claim), "--reviewer", f"Reviewer {me}"]
        if phase == "first":
            args += ["--outcome", OUTCOMES[me]]
        elif phase == "amend":
            args += ["--outcome", OUTCOMES[me], "--amend", "--reason", f"reviewer {me} amends", "--expect-version", str(version)]
        else:
            args += ["--outcome", "false"]
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = run(args)
        results.append({"claim": claim, "worker": me, "status": int(status), "err": err.getvalue()})
    with open(os.path.join(folder, f"results-{n}-{me}.json"), "w") as out:
        json.dump(results, out)
    os.rename(os.path.join(folder, f"results-{n}-{me}.json"), os.path.join(folder, f"done-{n}-{me}.json"))
""".replace("OUTCOMES[me]", f"{OUTCOMES!r}[me]")


def wait_for_files(folder: Path, pattern: str, count: int, procs) -> None:
    deadline = time.monotonic() + 300
    while len(list(folder.glob(pattern))) < count:
        for p in procs:
            assert p.poll() in (None, 0), p.communicate()  # a reviewer that crashed writes nothing more
        assert time.monotonic() < deadline, f"timed out waiting for {count} {pattern}"
        time.sleep(0.01)


class Reviewers:
    """WORKERS processes that race through the rounds they are given, released together each time."""

    def __init__(self, db_url: str, folder: Path, rounds: list[tuple[str, Path, list[int], int]]):
        self.folder = folder
        folder.mkdir()
        self.claims = [claims for _, _, claims, _ in rounds]
        plan = json.dumps([[phase, str(cfg), claims, version] for phase, cfg, claims, version in rounds])
        self.procs = [
            subprocess.Popen([sys.executable, "-c", WORKER, db_url, str(w), str(folder), plan],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for w in range(WORKERS)
        ]
        self.round = 0

    def next_round(self) -> dict[int, list[dict]]:
        """Release everyone into the next round and return each claim's results."""
        n, self.round = self.round, self.round + 1
        wait_for_files(self.folder, f"ready-{n}-*", WORKERS, self.procs)
        (self.folder / f"go-{n}").touch()
        wait_for_files(self.folder, f"done-{n}-*.json", WORKERS, self.procs)
        results: dict[int, list[dict]] = {c: [] for c in self.claims[n]}
        for w in range(WORKERS):
            for r in json.loads((self.folder / f"done-{n}-{w}.json").read_text()):
                results[r["claim"]].append(r)
        return results

    def finish(self) -> None:
        for p in self.procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
            assert out == "" and err == "", err

    def kill(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.communicate()


@pytest.fixture
def reviewers(db_url, tmp_path):
    """Starts the reviewer processes; any still waiting when the test ends (it failed) are killed."""
    started: list[Reviewers] = []

    def start(rounds) -> Reviewers:
        started.append(Reviewers(db_url, tmp_path / "race", rounds))
        return started[-1]

    yield start
    for r in started:
        r.kill()


def assert_losers_told(result: dict, claim: int) -> None:
    assert result["status"] == 4, result
    err = result["err"].strip()
    assert len(err.splitlines()) == 1 and err.startswith("claims: error: claim #"), err
    assert f"claims history {claim}" in err, err
    assert "locked" not in err and "Traceback" not in err


def test_racing_reviewers_one_winner_per_claim_version(cli, ledger, tmp_path, reviewers):
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
    race = reviewers([("first", one, single, 0), ("amend", one, single, 2), ("quorum", two, pair, 0)])
    first = race.next_round()
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
    amends = race.next_round()
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
    votes = race.next_round()
    race.finish()
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
