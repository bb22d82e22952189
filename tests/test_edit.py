"""Claims have a life: `claims edit`, `withdraw` and `restore`, as a user types them, on SQLite and
PostgreSQL. Each change is journaled with its reason, shown in `show` and `history`, and `claims
verify` still passes after it (and names a change made behind the tool's back)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, text

from ledger.cli.app import run
from ledger.cli.environment import Environment
from ledger.config import ReminderSettings
from ledger.services.reminders import scan
from ledger.store.engine import open_ledger
from old_journal import rewrite_snapshots
from ledger.store.models.reminders import Reminder, ReminderSchedule
from conftest import Result

TODAY = date(2024, 3, 1)


@pytest.fixture
def claims(db_url, capsys):
    """`claims` on a fixed day, with one speaker and one source."""

    def invoke(*args, today: date = TODAY) -> Result:
        capsys.readouterr()
        status = run(["--db", db_url, *map(str, args)], env=Environment(today=today))
        captured = capsys.readouterr()
        return Result(int(status), captured.out, captured.err)

    assert invoke("speaker", "add", "Elon Musk", "--alias", "Musk").status == 0
    assert invoke("source", "add", "https://example.org/waic", "--title", "WAIC", "--published", "2023-07-06").status == 0
    return invoke


def add(claims, text="Robotaxis in Austin", deadline="2024-06-30", said="2023-07-06", *extra) -> int:
    result = claims("add", text, "--speaker", "Musk", "--said", said, "--deadline", deadline, *extra, "--json")
    assert result.status == 0, result.err
    return result.json["id"]


def assert_intact(claims) -> None:
    result = claims("verify")
    assert result.status == 0, result.err


def test_an_edit_is_one_journaled_change_shown_as_a_diff(claims):
    cid = add(claims, "Robotaxis in Austn", "2024-06-30", "2023-07-06", "--tag", "tesla")
    edited = claims("edit", cid, "--text", "Robotaxis in Austin", "--tag", "robotaxi", "--untag", "tesla",
                    "--probability", "70%", "--reason", "typo in the city", "--json")
    assert edited.status == 0, edited.err
    view = edited.json
    assert view["text"] == "Robotaxis in Austin" and view["tags"] == ["robotaxi"] and view["probability"] == 0.7
    assert view["version"] == 2 and view["edited"] is True
    assert view["edits"][0]["reason"] == "typo in the city"
    assert view["edits"][0]["fields"] == ["probability", "tags", "text"]

    shown = claims("show", cid)
    assert "Edited" in shown.out and "typo in the city" in shown.out and re.search(r"^Version +2$", shown.out, re.M)

    history = claims("history", cid, "--json").json
    edit, why = history["events"][-2:]
    assert edit["action"] == "claim.edited"
    assert edit["changes"]["text"] == {"from": "Robotaxis in Austn", "to": "Robotaxis in Austin"}
    assert edit["changes"]["tags"] == {"from": ["tesla"], "to": ["robotaxi"]}
    assert why["change"] == {"action": "edited", "reason": "typo in the city"}
    printed = claims("history", cid).out
    assert "text: Robotaxis in Austn -> Robotaxis in Austin" in printed and "reason: typo in the city" in printed
    assert_intact(claims)


def test_every_check_of_add_applies_to_an_edit_and_nothing_is_written(claims):
    cid = add(claims)
    other = add(claims, "Level 5 this year")
    before = claims("show", cid, "--json").json
    for args, status, words in [
        (("--probability", "150%"), 2, "outside 0..1"),
        (("--said", "2030-01-01"), 2, "in the future"),
        (("--deadline", "2020-01-01"), 2, "before"),
        (("--text", "  "), 2, "empty claim text"),
        (("--deadline", "soon"), 2, "names no date"),
        (("--text", "Level 5 this year"), 4, f"claim #{other} already records this"),
        (("--source", "https://nowhere.example"), 3, "unknown source"),
        (("--restates", cid), 2, "cannot restate itself"),
        (("--untag", "nothing"), 2, "no tag 'nothing'"),
        (("--text", "Robotaxis in Austin"), 2, "nothing to change"),
    ]:
        result = claims("edit", cid, *args, "--reason", "try")
        assert result.status == status, (args, result.err)
        assert words in result.err and result.err.count("\n") == 1, result.err
    assert claims("edit", cid, "--text", "x").status == 2  # a reason is required
    assert claims("edit", 999, "--text", "x", "--reason", "r").status == 3
    assert claims("show", cid, "--json").json == before
    assert_intact(claims)


def test_a_lost_update_is_refused(claims):
    cid = add(claims)
    read = claims("show", cid, "--json").json["version"]
    assert claims("edit", cid, "--quote", "robotaxis next year", "--reason", "the quote", "--if-version", read).status == 0
    late = claims("edit", cid, "--text", "Robotaxis in Texas", "--reason", "mine", "--if-version", read)
    assert late.status == 4 and f"changed since version {read}" in late.err
    assert claims("show", cid, "--json").json["text"] == "Robotaxis in Austin"
    assert claims("edit", cid, "--text", "Robotaxis in Texas", "--reason", "mine", "--if-version", read + 1).status == 0


def _reminders(db_url, cid):
    ledger = open_ledger(db_url)
    with ledger.read() as s:
        found = sorted(s.scalars(select(Reminder.status).where(Reminder.claim_id == cid)))
        scheduled = s.scalar(select(ReminderSchedule.claim_id).where(ReminderSchedule.claim_id == cid)) is not None
    ledger.dispose()
    return found, scheduled


def test_a_deadline_moved_past_today_reopens_the_claim_and_cancels_its_reminders(claims, db_url):
    cid = add(claims, deadline="2024-01-31")
    ledger = open_ledger(db_url)
    assert scan(ledger, ReminderSettings(), TODAY).flagged == [cid]
    ledger.dispose()
    assert _reminders(db_url, cid) == (["pending"], True)
    assert claims("show", cid, "--json").json["status"] == "due"

    moved = claims("edit", cid, "--deadline", "by the end of 2025", "--reason", "misread the year", "--json")
    assert moved.status == 0, moved.err
    assert moved.json["status"] == "open" and moved.json["deadline"] == "2025-12-31"
    assert _reminders(db_url, cid) == (["cancelled"], False)
    assert claims("due", "--json").json == []
    assert_intact(claims)


def test_a_deadline_moved_into_the_past_is_due_at_once_and_flagged_by_the_next_scan(claims, db_url):
    cid = add(claims, deadline="2024-12-31")
    assert claims("list", "--status", "open", "--json").json[0]["id"] == cid
    moved = claims("edit", cid, "--deadline", "2024-02-01", "--reason", "it was February", "--json")
    assert moved.json["status"] == "due"  # what the dates say, before any scan
    assert [c["id"] for c in claims("list", "--status", "due", "--json").json] == [cid]
    assert claims("list", "--status", "open", "--json").json == []
    assert [c["id"] for c in claims("due", "--json").json] == [cid]
    ledger = open_ledger(db_url)
    assert scan(ledger, ReminderSettings(), TODAY).flagged == [cid]
    ledger.dispose()
    assert _reminders(db_url, cid) == (["pending"], True)
    assert_intact(claims)


def test_a_new_date_said_reads_the_deadline_words_again(claims):
    cid = add(claims, deadline="later this year", said="2023-07-06")
    assert claims("show", cid, "--json").json["deadline"] == "2023-12-31"
    moved = claims("edit", cid, "--said", "2022-07-06", "--reason", "said a year earlier", "--json").json
    assert moved["said"] == "2022-07-06" and moved["deadline"] == "2022-12-31"


def test_show_has_the_verdict_and_an_edit_after_it_is_named(claims):
    cid = add(claims, deadline="2024-01-31")
    resolved = claims("resolve", cid, "--outcome", "false", "--evidence", "https://example.org/none", "--note", "no robotaxis",
                      "--reviewer", "Ann")
    assert resolved.status == 0, resolved.err
    shown = claims("show", cid, "--json").json
    assert (shown["outcome"], shown["reviewers"], shown["evidence"], shown["note"]) == (
        "false", ["Ann"], ["https://example.org/none"], "no robotaxis")
    table = claims("show", cid).out
    assert "Outcome" in table and "Ann" in table and "no robotaxis" in table
    listed = claims("list", "--outcome", "false", "--json").json
    assert [c["id"] for c in listed] == [cid] and claims("list", "--outcome", "true", "--json").json == []
    assert "OUTCOME" in claims("list").out.splitlines()[0]

    edited = claims("edit", cid, "--text", "Robotaxis in Austin, unsupervised", "--reason", "the quote says unsupervised", "--json")
    assert edited.status == 0, edited.err
    assert edited.json["edits"][-1]["after_verdict"] is True and edited.json["outcome"] == "false"
    assert "after its verdict" in claims("show", cid).out
    assert_intact(claims)


def test_a_withdrawn_claim_is_kept_but_left_out_until_restored(claims, db_url):
    cid = add(claims, deadline="2024-01-31")
    keep = add(claims, "Level 5 this year", deadline="2024-01-31")
    ledger = open_ledger(db_url)
    scan(ledger, ReminderSettings(), TODAY)
    ledger.dispose()

    assert claims("withdraw", cid).status == 2  # a reason is required
    done = claims("withdraw", cid, "--reason", "logged twice, see #2")
    assert done.status == 0, done.err
    assert claims("withdraw", cid, "--reason", "again").status == 4
    assert [c["id"] for c in claims("list", "--json").json] == [keep]
    assert [c["id"] for c in claims("list", "--all", "--json").json] == [cid, keep]
    assert [c["id"] for c in claims("due", "--json").json] == [keep]
    assert [c["id"] for c in claims("due", "--all", "--json").json] == [cid, keep]
    assert f"claim-{cid}@" not in claims("calendar").out and f"claim-{keep}@" in claims("calendar").out
    assert claims("export", "--format", "jsonl").out.count("\n") == 1
    assert claims("export", "--format", "jsonl", "--all").out.count("\n") == 2
    assert _reminders(db_url, cid) == (["cancelled"], False)
    report = claims("report", "--json").json
    assert report["withdrawn"] == {"count": 1, "included": False}
    track = claims("report", "--claims", "--json").json
    assert track["withdrawn"] == {"count": 1, "included": False}
    assert cid not in [row["id"] for row in track["track_record"]]
    assert "1 withdrawn claim are left out" in claims("report").out or "1 withdrawn claim" in claims("report").out

    shown = claims("show", cid, "--json").json
    assert shown["withdrawn"] is True and shown["withdrawn_reason"] == "logged twice, see #2"
    assert "withdrawn" in claims("show", cid).out
    assert [e["action"] for e in claims("history", cid, "--json").json["events"]][-2:] == ["claim.withdrawn", "change.recorded"]
    ledger = open_ledger(db_url)
    assert scan(ledger, ReminderSettings(), date(2024, 4, 1)).reminders == 1  # only the kept claim's
    ledger.dispose()
    assert_intact(claims)

    assert claims("restore", cid, "--reason", "not a duplicate after all").status == 0
    assert claims("restore", cid, "--reason", "again").status == 4
    assert [c["id"] for c in claims("list", "--json").json] == [cid, keep]
    assert claims("report", "--json").json["withdrawn"]["count"] == 0
    assert_intact(claims)


@pytest.mark.parametrize("sql, names", [
    ("UPDATE claim_changes SET reason = 'nothing to see'", "change #1"),
    ("DELETE FROM claim_changes", "change #1 is missing"),
    ("UPDATE claims SET withdrawn_at = NULL", "withdrawn_at"),
])
def test_a_change_made_behind_the_tools_back_is_named_by_verify(claims, db_url, sql, names):
    cid = add(claims)
    assert claims("withdraw", cid, "--reason", "by mistake").status == 0
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        s.execute(text(sql))
    ledger.dispose()
    result = claims("verify")
    assert result.status == 5 and names in result.err, result.err


def _journal_as_before_withdrawals(db_url) -> None:
    """Rewrite the chain as the release between events and withdrawals wrote it: claim snapshots
    with an event but no withdrawn_at."""

    def older(payload: dict) -> None:
        assert payload.pop("withdrawn_at") is None and "event" in payload

    rewrite_snapshots(db_url, older)


def test_a_claim_journaled_before_withdrawals_verifies_until_withdrawn_behind_its_back(claims, db_url):
    cid = add(claims, "Kemp wins", "2022-11-08", "2022-09-18", "--event", "2022 Georgia governor")
    _journal_as_before_withdrawals(db_url)
    assert claims("verify").status == 0  # an event then and now, no withdrawal then or now: intact
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        s.execute(text("UPDATE claims SET withdrawn_at = '2024-01-01 00:00:00' WHERE id = :id"), {"id": cid})
    ledger.dispose()
    result = claims("verify")
    assert result.status == 5 and f"claim #{cid} differs" in result.err and "withdrawn_at" in result.err, result.err
