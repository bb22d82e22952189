"""Write scopes: one service may call another inside its transaction, and what fails is undone."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ledger.errors import Conflict
from ledger.services.people import add_speaker, list_speakers
from ledger.services.reminders import add_reviewer, list_reviewers
from ledger.store.models import JournalEntry, Speaker


def names(ledger) -> list[str]:
    return sorted(v["name"] for v in list_speakers(ledger))


def test_a_service_inside_a_write_joins_its_transaction_instead_of_waiting_for_the_lock(ledger):
    started = time.monotonic()
    with ledger.write() as session:
        add_speaker(ledger, "Elon Musk", (), "ada")
        add_reviewer(ledger, "Ada Reviewer", "ada@example.org", "ada")
        # The outer scope sees the inner writes before anything is committed.
        assert session.scalar(select(func.count()).select_from(Speaker)) == 1
    assert time.monotonic() - started < 5  # the busy timeout is 30 s: nobody waited on a lock
    assert names(ledger) == ["Elon Musk"]
    assert [r["name"] for r in list_reviewers(ledger)] == ["Ada Reviewer"]


def test_nothing_commits_before_the_outer_scope_and_its_failure_undoes_the_inner_writes(ledger):
    with pytest.raises(RuntimeError, match="the outer step failed"):
        with ledger.write():
            add_speaker(ledger, "Elon Musk", (), "ada")
            raise RuntimeError("the outer step failed")
    assert names(ledger) == []
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_a_failed_inner_scope_is_undone_alone_and_the_outer_one_goes_on(ledger):
    add_speaker(ledger, "Elon Musk", (), "ada")
    with ledger.write():
        add_speaker(ledger, "Sam Altman", (), "ada")
        with pytest.raises(Conflict):
            add_speaker(ledger, "Bill Gates", ("Musk", "Elon Musk"), "ada")  # a taken alias: refused
        add_speaker(ledger, "Bill Gates", (), "ada")
    assert names(ledger) == ["Bill Gates", "Elon Musk", "Sam Altman"]
    with ledger.read() as session:  # one journal entry per speaker that exists, none for the refusal
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 3


def test_a_failed_rollback_does_not_hide_the_error_that_caused_it(ledger, monkeypatch):
    def broken_rollback(self):
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    with pytest.raises(ValueError, match="the real problem") as caught:
        with ledger.write():
            add_speaker(ledger, "Elon Musk", (), "ada")
            monkeypatch.setattr(Session, "rollback", broken_rollback)
            raise ValueError("the real problem")
    assert any("rolling back also failed" in note for note in caught.value.__notes__)
    monkeypatch.undo()
    assert names(ledger) == []  # the transaction never committed


def test_a_core_read_inside_a_write_sees_the_writers_pending_rows(ledger):
    # The read commands' queries run on a Core connection, which never autoflushes: inside a
    # write, `reading()` must flush the writer's session first or a reader would miss its rows.
    from ledger.store.tables import SPEAKERS

    with ledger.write() as session:
        session.add(Speaker(name="Ada Lovelace", name_key="ada lovelace", slug="ada-lovelace"))
        with ledger.reading() as conn:
            assert conn.scalar(select(func.count()).select_from(SPEAKERS)) == 1
