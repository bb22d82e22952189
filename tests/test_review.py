"""Reviewers record outcomes with evidence, as a user would from the command line, on SQLite and
PostgreSQL: verdicts, lateness, amendments that keep history, quorum and disputes, independence."""

from __future__ import annotations

import getpass
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from ledger.errors import ExitStatus
from ledger.store.models import Claim, JournalEntry, Resolution

TODAY = date(2026, 1, 1)  # the day the tests' direct service calls run on

EVIDENCE = "https://example.org/fsd-still-level-2"


@pytest.fixture
def claim(musk):
    """The WAIC 2023 claim: said 2023-07-06, deadline 2023-12-31, logged by Logger."""
    added = musk(
        "add", "Tesla reaches level 4 or 5 full self-driving", "--speaker", "Musk", "--said", "2023-07-06",
        "--deadline", "2023-12-31", "--source", "https://example.org/waic-2023", "--logged-by", "Logger", "--json",
    )
    assert added.status == 0, added.err
    return added.json["id"]


def config(tmp_path, body: str) -> str:
    path = tmp_path / "claims.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def counts(ledger) -> tuple[int, int]:
    with ledger.read() as s:
        return s.scalar(select(func.count()).select_from(Resolution)), s.scalar(select(func.count()).select_from(JournalEntry))


def refused(cli, status: ExitStatus, *args, mentions: str):
    result = cli(*args)
    assert result.status == status, (result.status, result.err)
    assert mentions.lower() in result.err.lower(), result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err, result.err
    return result


def test_a_false_outcome_with_evidence_and_note(musk, claim, ledger):
    result = musk("resolve", claim, "--outcome", "false", "--reviewer", "Ada Reviewer", "--evidence", EVIDENCE,
                  "--evidence", "https://example.org/second", "--note", "FSD was still level 2 in January 2024", "--json")
    assert result.status == 0, result.err
    view = result.json
    assert view["claim"]["status"] == "resolved" and view["claim"]["outcome"] == "false"
    assert view["claim"]["occurred"] is None and view["claim"]["late"] is False
    assert view["resolution"]["reviewer"] == "Ada Reviewer"
    assert view["resolution"]["evidence"] == [EVIDENCE, "https://example.org/second"]
    assert view["resolution"]["note"] == "FSD was still level 2 in January 2024"
    assert [c["id"] for c in musk("list", "--status", "resolved", "--json").json] == [claim]
    # The verdict sits on the claim row, where reports read it.
    with ledger.read() as s:
        row = s.get(Claim, claim)
        assert (row.status, row.outcome, row.occurred) == ("resolved", "false", None)
        assert row.resolved_at is not None
    text_out = musk("resolve", claim, "--outcome", "false", "--reviewer", "Ada Reviewer")
    assert text_out.status == ExitStatus.CONFLICT


def test_true_after_the_deadline_is_late_and_on_time_is_not(musk, claim, cli):
    late = musk("resolve", claim, "--outcome", "true", "--occurred", "2024-03-01", "--reviewer", "Ada", "--json").json
    assert late["claim"]["outcome"] == "true" and late["claim"]["occurred"] == "2024-03-01"
    assert late["claim"]["late"] is True  # 2024-03-01 is after the 2023-12-31 deadline
    assert "late" in musk("history", claim).out
    other = musk("add", "Another", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "2023-12-31", "--json").json["id"]
    on_time = musk("resolve", other, "--outcome", "partial", "--occurred", "2023-12-31", "--reviewer", "Ada", "--json").json
    assert on_time["claim"]["late"] is False and on_time["claim"]["outcome"] == "partial"


def test_ambiguous_is_a_verdict(musk, claim):
    view = musk("resolve", claim, "--outcome", "ambiguous", "--reviewer", "Ada", "--note", "level 4 was never defined", "--json").json
    assert (view["claim"]["status"], view["claim"]["outcome"]) == ("resolved", "ambiguous")


def test_bad_resolutions_are_refused_in_one_line_and_write_nothing(musk, claim, ledger):
    before = counts(ledger)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "true", "--occurred", "2023-07-05", "--reviewer", "Ada", mentions="before the claim was said")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "true", "--occurred", tomorrow, "--reviewer", "Ada", mentions="future")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--occurred", "2023-08-01", "--reviewer", "Ada", mentions="true or partial")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--evidence", "not a url", "--reviewer", "Ada", mentions="web address")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--evidence", "ftp://x.example/a", "--reviewer", "Ada", mentions="web address")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "maybe", "--reviewer", "Ada", mentions="maybe")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--reason", "why", "--reviewer", "Ada", mentions="--amend")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--amend", "--reviewer", "Ada", mentions="reason")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--amend", "--reason", "x", "--reviewer", "Ada", mentions="without --amend")
    refused(musk, ExitStatus.USAGE, "resolve", claim, "--outcome", "false", "--occurred", "2023-02-30", "--reviewer", "Ada", mentions="not a real date")
    refused(musk, ExitStatus.NOT_FOUND, "resolve", 999, "--outcome", "false", "--reviewer", "Ada", mentions="no claim #999")
    refused(musk, ExitStatus.NOT_FOUND, "history", 999, mentions="no claim #999")
    assert counts(ledger) == before
    shown = musk("show", claim, "--json").json
    assert shown["outcome"] is None and shown["version"] == 1  # unresolved and untouched


def test_amending_supersedes_and_history_keeps_everything(musk, claim, db_url, ledger):
    first = musk("resolve", claim, "--outcome", "false", "--reviewer", "Ada", "--evidence", EVIDENCE, "--json").json["resolution"]
    again = refused(musk, ExitStatus.CONFLICT, "resolve", claim, "--outcome", "true", "--occurred", "2024-02-01", "--reviewer", "Bob",
                    mentions="already resolved")
    assert f"claims history {claim}" in again.err and "--amend" in again.err
    amended = musk("resolve", claim, "--amend", "--outcome", "true", "--occurred", "2024-02-01", "--reason", "delivered late",
                   "--reviewer", "Bob", "--evidence", "https://example.org/delivered", "--json")
    assert amended.status == 0, amended.err
    second = amended.json["resolution"]
    assert second["supersedes"] == first["id"] and second["reason"] == "delivered late"
    assert amended.json["claim"]["outcome"] == "true" and amended.json["claim"]["late"] is True

    # Append-only: the first resolution is still there, exactly as recorded.
    with ledger.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, outcome, reviewer, evidence, supersedes_id FROM resolutions ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        (first["id"], "false", "Ada", json.dumps([EVIDENCE]), None),
        (second["id"], "true", "Bob", json.dumps(["https://example.org/delivered"]), first["id"]),
    ]

    hist = musk("history", claim, "--json").json
    actions = [e["action"] for e in hist["events"]]
    assert actions == ["claim.added", "resolution.recorded", "claim.resolved", "resolution.amended", "claim.resolved"]
    recorded = [e["resolution"] for e in hist["events"] if "resolution" in e]
    assert [(r["reviewer"], r["outcome"], r["evidence"], r["reason"]) for r in recorded] == [
        ("Ada", "false", [EVIDENCE], None), ("Bob", "true", ["https://example.org/delivered"], "delivered late"),
    ]
    assert hist["events"][-1]["changes"]["outcome"] == {"from": "false", "to": "true"}
    assert [e["seq"] for e in hist["events"]] == sorted(e["seq"] for e in hist["events"])
    plain = musk("history", claim)
    assert plain.status == 0
    for words in ("Ada", "Bob", "delivered late", EVIDENCE, "supersedes", "resolution.amended"):
        assert words in plain.out


def test_history_shows_claim_edits(musk, claim, ledger):
    # A claim change made through the service layer (as `claims edit` or the scanner would) shows up.
    from ledger.services import journal

    with ledger.write() as s:
        row = s.get(Claim, claim)
        row.status = "due"
        journal.record(s, actor="scanner", action="claim.flagged", row=row)
    events = musk("history", claim, "--json").json["events"]
    assert events[-1]["action"] == "claim.flagged" and events[-1]["actor"] == "scanner"
    assert events[-1]["changes"] == {"status": {"from": "open", "to": "due"}}
    resolved = musk("resolve", claim, "--outcome", "false", "--reviewer", "Ada", "--json").json
    assert resolved["claim"]["status"] == "resolved"  # a due claim resolves like an open one


def test_every_resolution_journals_the_resolution_and_the_claim(musk, claim, ledger):
    _, journal_before = counts(ledger)
    musk("resolve", claim, "--outcome", "false", "--reviewer", "Ada")
    with ledger.read() as s:
        entries = s.execute(select(JournalEntry.entity, JournalEntry.action, JournalEntry.actor).where(JournalEntry.seq > journal_before).order_by(JournalEntry.seq)).all()
    assert [tuple(e) for e in entries] == [("resolution", "resolution.recorded", "Ada"), ("claim", "claim.resolved", "Ada")]


def test_reviewer_identity_comes_from_the_option_then_config_then_os(musk, claim, tmp_path):
    other = musk("add", "Other", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "2023-12-31", "--json").json["id"]
    named = musk("--config", config(tmp_path, '[user]\nname = "Config Person"\n'), "resolve", claim, "--outcome", "false", "--json")
    assert named.json["resolution"]["reviewer"] == "Config Person"
    anonymous = musk("resolve", other, "--outcome", "false", "--json")
    assert anonymous.json["resolution"]["reviewer"] == getpass.getuser()


def test_quorum_two_agreement_resolves(musk, claim, tmp_path):
    cfg = config(tmp_path, "[review]\nquorum = 2\n")
    first = musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Ada", "--json").json
    assert first["claim"]["status"] == "open" and first["claim"]["outcome"] is None
    assert first["review"]["awaiting"] == 1
    assert "awaiting 1 more" in musk("--config", cfg, "history", claim).out
    # The same reviewer cannot be both votes.
    refused(musk, ExitStatus.CONFLICT, "--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", " ada ", mentions="already reviewed")
    second = musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Bob", "--json").json
    assert (second["claim"]["status"], second["claim"]["outcome"]) == ("resolved", "false")
    assert [v["reviewer"] for v in second["review"]["votes"]] == ["Ada", "Bob"]


def test_quorum_two_disagreement_is_a_dispute_settled_by_a_further_review(musk, claim, tmp_path):
    cfg = config(tmp_path, "[review]\nquorum = 2\n")
    assert musk("--config", cfg, "disputes", "--json").json == []
    musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Ada")
    split = musk("--config", cfg, "resolve", claim, "--outcome", "true", "--occurred", "2024-01-15", "--reviewer", "Bob", "--json").json
    assert split["claim"]["status"] == "disputed" and split["claim"]["outcome"] is None
    listed = musk("--config", cfg, "disputes", "--json").json
    assert [d["id"] for d in listed] == [claim]
    assert [(v["reviewer"], v["outcome"], v["occurred"]) for v in listed[0]["review"]["votes"]] == [
        ("Ada", "false", None), ("Bob", "true", "2024-01-15"),
    ]
    table = musk("--config", cfg, "disputes")
    assert "Ada: false" in table.out and "Bob: true" in table.out
    # A third reviewer sides with Ada: false now has two agreeing reviewers and wins.
    settled = musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Cy", "--json").json
    assert (settled["claim"]["status"], settled["claim"]["outcome"]) == ("resolved", "false")
    assert musk("--config", cfg, "disputes", "--json").json == []


def test_a_reviewer_may_change_their_vote_with_a_reason(musk, claim, tmp_path):
    cfg = config(tmp_path, "[review]\nquorum = 2\n")
    musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Ada")
    musk("--config", cfg, "resolve", claim, "--outcome", "partial", "--occurred", "2023-11-01", "--reviewer", "Bob")
    changed = musk("--config", cfg, "resolve", claim, "--amend", "--reason", "Bob's source was a beta", "--outcome", "false",
                   "--reviewer", "Bob", "--json")
    assert changed.status == 0, changed.err
    assert (changed.json["claim"]["status"], changed.json["claim"]["outcome"]) == ("resolved", "false")
    assert [v["reviewer"] for v in changed.json["review"]["votes"]] == ["Ada", "Bob"]


def test_agreement_includes_the_date_it_happened(musk, claim, tmp_path):
    cfg = config(tmp_path, "[review]\nquorum = 2\n")
    musk("--config", cfg, "resolve", claim, "--outcome", "true", "--occurred", "2023-12-01", "--reviewer", "Ada")
    split = musk("--config", cfg, "resolve", claim, "--outcome", "true", "--occurred", "2024-02-01", "--reviewer", "Bob", "--json").json
    assert split["claim"]["status"] == "disputed"  # on time or late: it matters


def test_amending_a_quorum_verdict_reopens_it_as_a_dispute(musk, claim, tmp_path):
    cfg = config(tmp_path, "[review]\nquorum = 2\n")
    musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Ada")
    musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Bob")
    challenge = musk("--config", cfg, "resolve", claim, "--amend", "--reason", "new footage", "--outcome", "true",
                     "--occurred", "2023-12-20", "--reviewer", "Cy", "--json").json
    assert challenge["claim"]["status"] == "disputed" and challenge["review"]["round"] == 2
    assert [d["id"] for d in musk("--config", cfg, "disputes", "--json").json] == [claim]
    upheld = musk("--config", cfg, "resolve", claim, "--outcome", "true", "--occurred", "2023-12-20", "--reviewer", "Dee", "--json").json
    assert (upheld["claim"]["status"], upheld["claim"]["outcome"], upheld["claim"]["late"]) == ("resolved", "true", False)


def test_independent_review_needs_someone_other_than_the_logger(musk, claim, tmp_path):
    cfg = config(tmp_path, "[review]\nindependent = true\n")
    own = musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "logger", "--json").json
    assert own["claim"]["status"] == "open" and own["review"]["needs_independent"] is True
    assert "other than Logger" in musk("--config", cfg, "history", claim).out
    other = musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Ada", "--json").json
    assert (other["claim"]["status"], other["claim"]["outcome"]) == ("resolved", "false")


def test_a_stale_version_is_refused(musk, claim):
    version = musk("show", claim, "--json").json["version"]
    musk("resolve", claim, "--outcome", "false", "--reviewer", "Ada")
    stale = refused(musk, ExitStatus.CONFLICT, "resolve", claim, "--amend", "--reason", "r", "--outcome", "true",
                    "--occurred", "2024-01-01", "--reviewer", "Bob", "--expect-version", version, mentions="changed since version")
    assert f"claims history {claim}" in stale.err


@pytest.mark.parametrize("body, mentions", [("[review]\nquorum = 0\n", "quorum"), ("[review]\nquorum = 'two'\n", "quorum"), ("[review]\nindependent = 'yes'\n", "independent")])
def test_bad_review_config_is_refused(musk, claim, tmp_path, body, mentions):
    refused(musk, ExitStatus.CONFIG, "--config", config(tmp_path, body), "resolve", claim, "--outcome", "false", mentions=mentions)


def test_seed_outcomes_load_as_the_seed_reviewers_resolutions(cli, ledger):
    import csv

    from conftest import SEEDS

    assert cli("seed", "load").status == 0
    rows = list(csv.DictReader((SEEDS / "claims.csv").open(encoding="utf-8")))
    judged = [r for r in rows if r["outcome"]]
    with ledger.read() as s:
        resolutions = s.scalars(select(Resolution).order_by(Resolution.id)).all()
        assert len(resolutions) == len(judged)
        for res, row in zip(resolutions, judged):
            claim = s.get(Claim, res.claim_id)
            assert claim.text == row["text"]
            assert (res.reviewer, res.outcome, res.note) == ("seed", row["outcome"], row["note"])
            assert res.occurred == (date.fromisoformat(row["occurred"]) if row["occurred"] else None)
            assert json.loads(res.evidence) == [row["source_url"]]
            assert (claim.status, claim.outcome) == ("resolved", row["outcome"])
    before = counts(ledger)
    assert cli("seed", "load").status == 0
    assert counts(ledger) == before  # loading twice adds nothing
    assert cli("verify").status == 0


def test_record_resolution_in_the_callers_transaction(ledger, musk, claim):
    """The service other areas (import) call: one transaction, theirs."""
    from ledger.errors import Conflict
    from ledger.services.review import record_resolution

    with ledger.write() as s:
        row = s.get(Claim, claim)
        row.status = "due"
        res = record_resolution(s, row, outcome="partial", occurred=date(2023, 12, 1), reviewer="Importer", evidence=[EVIDENCE], today=TODAY)
        assert (row.status, row.outcome, row.occurred) == ("resolved", "partial", date(2023, 12, 1))
        assert res.id is not None
        with pytest.raises(Conflict):
            record_resolution(s, row, outcome="false", reviewer="Someone", today=TODAY)
    with pytest.raises(ZeroDivisionError):  # an error later in the caller's transaction undoes it all
        with ledger.write() as s:
            record_resolution(s, s.get(Claim, claim), outcome="false", reviewer="Other", amend=True, reason="r", today=TODAY)
            1 / 0
    with ledger.read() as s:
        assert s.scalar(select(func.count()).select_from(Resolution)) == 1
