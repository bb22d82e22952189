"""Appending to the hash-chained journal, inside the caller's transaction.

Appends are serialised so the chain never forks: SQLite write transactions already hold the write
lock (BEGIN IMMEDIATE); on PostgreSQL a transaction-scoped advisory lock orders the writers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledger.domain.chain import GENESIS, canonical_json, entry_hash
from ledger.store.models import JournalEntry
from ledger.store.snapshots import entity_of, snapshot
from ledger.store.types import utcnow

# Any fixed 64-bit number, so every claims process takes the same lock.
JOURNAL_LOCK = 0x636C61696D73


def lock_journal(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": JOURNAL_LOCK})


def record(session: Session, *, actor: str, action: str, row: Any) -> JournalEntry:
    """Journal ``row`` as it now is. Call after the change, in the same transaction."""
    session.flush()
    lock_journal(session)
    last = session.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = JournalEntry(
        seq=seq,
        at=utcnow(),
        actor=actor,
        action=action,
        entity=entity_of(row),
        entity_id=row.id,
        payload=canonical_json(snapshot(row)),
        prev_hash=prev,
    )
    entry.hash = entry_hash(
        prev_hash=prev,
        seq=seq,
        at=entry.at.isoformat(),
        actor=actor,
        action=action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        payload=entry.payload,
    )
    session.add(entry)
    session.flush()
    return entry
