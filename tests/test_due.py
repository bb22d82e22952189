"""`claims due` and the flagging scan: which claims are lapsed, how late, flagged exactly once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm.exc import StaleDataError

from ledger.config import ReminderSettings
from ledger.services.reminders import due_claims, due_query, scan
from ledger.store.engine import open_ledger
from ledger.store.models import Claim, JournalEntry
from ledger.store.models.reminders import Reminder

AS_OF = date(2024, 3, 1)  # 2024 is a leap year: 2024-02-28 is two days before


@pytest.fixture
def claims(cli):
    """Five claims around AS_OF; returns their ids by name."""
    assert cli("speaker", "add", "Elon Musk").status == 0
    ids = {}
    for name, deadline in [
        ("robotaxis", "2023-12-31"),   # 61 days overdue on AS_OF
        ("level5", "2024-02-28"),      # 2 days overdue
        ("yesterday", "2024-02-29"),   # 1 day overdue
        ("today", "2024-03-01"),       # not lapsed: the deadline day itself still counts
        ("mars", "2029-12-31"),
    ]:
        r = cli("add", name, "--speaker", "Elon Musk", "--said", "2023-01-10", "--deadline", deadline, "--quote", f"words on {name}", "--json")
        assert r.status == 0, r.err
        ids[name] = r.json["id"]
    return ids


def set_status(db_url, claim_id, status):
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        s.execute(update(Claim).where(Claim.id == claim_id).values(status=status, version=Claim.version + 1))
    ledger.dispose()


def test_due_lists_lapsed_unresolved_claims_oldest_first_with_days_overdue(cli, claims, db_url):
    set_status(db_url, claims["level5"], "disputed")  # a dispute still needs a reviewer
    result = cli("due", "--as-of", "2024-03-01", "--json")
    assert result.status == 0, result.err
    assert [(c["text"], c["days_overdue"], c["status"]) for c in result.json] == [
        ("robotaxis", 61, "open"),
        ("level5", 2, "disputed"),
        ("yesterday", 1, "open"),
    ]
    first = result.json[0]
    assert set(first) == {"id", "speaker", "text", "quote", "deadline", "deadline_text", "days_overdue", "status", "source", "resolve"}
    assert first["speaker"] == "Elon Musk" and first["deadline"] == "2023-12-31" and first["quote"] == "words on robotaxis"
    assert first["resolve"] == f"claims resolve {claims['robotaxis']} --outcome true|false|partial|ambiguous --evidence URL"


def test_resolved_claims_are_not_due(cli, claims, db_url):
    set_status(db_url, claims["robotaxis"], "resolved")
    assert [c["text"] for c in cli("due", "--as-of", "2024-03-01", "--json").json] == ["level5", "yesterday"]


def test_due_as_a_table_and_when_nothing_is_due(cli, claims):
    table = cli("due", "--as-of", "2024-03-01")
    assert table.status == 0
    lines = table.out.splitlines()
    assert lines[0].split()[:4] == ["ID", "DEADLINE", "DAYS", "OVERDUE"]
    assert [line.split()[1:3] for line in lines[1:]] == [["2023-12-31", "61"], ["2024-02-28", "2"], ["2024-02-29", "1"]]
    nothing = cli("due", "--as-of", "2023-01-10")
    assert nothing.status == 0 and nothing.out == "" and "Nothing is overdue" in nothing.err


def test_a_bad_as_of_date_is_one_line(cli, claims):
    result = cli("due", "--as-of", "March")
    assert result.status == 2
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_due_query_reads_the_status_deadline_index(ledger):
    compiled = due_query(AS_OF).compile(ledger.engine, compile_kwargs={"literal_binds": True})
    with ledger.connect() as conn:
        if ledger.backend == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        else:  # an empty table: tell the planner a scan is not an option, to see that the index is
            conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(r[0] for r in conn.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_claims_status_deadline" in plan, plan


def test_scan_flags_each_lapsed_open_claim_once_and_journals_it(cli, claims, db_url):
    ledger = open_ledger(db_url)
    first = scan(ledger, ReminderSettings(), AS_OF)
    assert first.flagged == sorted([claims["robotaxis"], claims["level5"], claims["yesterday"]])
    again = scan(ledger, ReminderSettings(), AS_OF)
    assert again.flagged == [] and again.reminders == 0
    with ledger.read() as s:  # as the scan recorded them; `claims list` reads them on today's date
        statuses = dict(s.execute(select(Claim.text, Claim.status)).all())
    assert statuses == {"robotaxis": "due", "level5": "due", "yesterday": "due", "today": "open", "mars": "open"}
    with ledger.read() as s:
        entries = s.execute(select(JournalEntry.entity_id, JournalEntry.payload).where(JournalEntry.action == "claim.flagged")).all()
        assert sorted(e[0] for e in entries) == first.flagged
        assert all('"status":"due"' in e[1] and '"version":2' in e[1] for e in entries)
    ledger.dispose()
    assert cli("verify").status == 0  # the journal's snapshots match the flagged rows


def test_flagging_keeps_the_orm_version_check(cli, claims, db_url):
    """A writer holding the claim from before the flag loses, as with any concurrent change."""
    ledger = open_ledger(db_url)
    stale_session = ledger._sessions()
    stale = stale_session.get(Claim, claims["robotaxis"])
    assert stale.version == 1
    stale_session.commit()  # end the read, keep the object (as a long-lived editor would)
    scan(ledger, ReminderSettings(), AS_OF)
    stale.confidence = "changed"
    with pytest.raises(StaleDataError):
        stale_session.commit()
    stale_session.rollback()
    stale_session.close()
    with ledger.write() as s:  # a fresh writer sees version 2 and may change it
        fresh = s.get(Claim, claims["robotaxis"])
        assert (fresh.version, fresh.status) == (2, "due")
        fresh.confidence = "changed"
    with ledger.read() as s:
        assert s.get(Claim, claims["robotaxis"]).version == 3
    ledger.dispose()


def test_scanners_at_the_same_time_flag_and_queue_each_claim_once(cli, db_url):
    assert cli("speaker", "add", "Elon Musk").status == 0
    for i in range(40):
        assert cli("add", f"claim {i}", "--speaker", "Elon Musk", "--said", "2020-01-01", "--deadline", f"2021-01-{i % 28 + 1:02d}").status == 0
    ledgers = [open_ledger(db_url) for _ in range(4)]
    reports, errors = [], []
    start = threading.Barrier(len(ledgers))

    def run(ledger):
        try:
            start.wait()
            reports.append(scan(ledger, ReminderSettings(), date(2022, 1, 1)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(lg,)) for lg in ledgers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(len(r.flagged) for r in reports) == [0, 0, 0, 40]
    with ledgers[0].read() as s:
        assert s.scalar(select(func.count()).where(JournalEntry.action == "claim.flagged")) == 40
        assert s.scalar(select(func.count()).select_from(Reminder)) == 40  # one default recipient, one channel
    for lg in ledgers:
        lg.dispose()


def test_due_claims_service_counts_days_from_as_of(cli, claims, ledger):
    assert [c["days_overdue"] for c in due_claims(ledger, date(2024, 12, 31))] == [366, 307, 306, 305]
