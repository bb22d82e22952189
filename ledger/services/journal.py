"""Appending to the hash-chained journal, inside the caller's transaction.

Appends are serialised so the chain never forks (``dialect.serialise_writers``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.domain.chain import GENESIS, canonical_json, entry_hash
from ledger.store.dialect import insert_rows, serialise_writers
from ledger.store.models import JournalEntry
from ledger.store.snapshots import SNAPSHOTS, entity_of
from ledger.store.types import utcnow

# Any fixed 64-bit number, so every claims process takes the same lock.
JOURNAL_LOCK = 0x636C61696D73


def lock_journal(session: Session) -> None:
    """Wait for any other writer of the journal to finish; held until this transaction ends."""
    serialise_writers(session, JOURNAL_LOCK)


def _tail(session: Session) -> tuple[int, str]:
    """Lock the journal and return its last entry's (seq, hash): (0, GENESIS) when empty."""
    lock_journal(session)
    last = session.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def record(session: Session, *, actor: str, action: str, row: Any) -> None:
    """Journal ``row`` as it now is. Call after the change, in the same transaction."""
    record_many(session, actor=actor, changes=[(action, entity_of(row), row)])


def record_many(
    session: Session, *, actor: str, changes: Iterable[tuple[str, str, Any]], documents: dict[int, str] | None = None,
) -> int:
    """Journal many changes under one lock: each ``(action, entity, row)`` becomes exactly the entry
    record() would append for it, in turn, at this instant. ``row`` may be any object with the
    attributes the entity's snapshot reads, so bulk writers need not build ORM rows. Returns the
    number of entries appended. ``documents`` are search documents of claims among the changes,
    built from the rows in hand (see search.refresh)."""
    changes = list(changes)
    session.flush()
    seq, prev = _tail(session)
    at = utcnow()
    stamp = at.isoformat()
    entries = []
    for action, entity, row in changes:
        seq += 1
        payload = canonical_json(SNAPSHOTS[entity][1](row))
        digest = entry_hash(
            prev_hash=prev, seq=seq, at=stamp, actor=actor, action=action, entity=entity, entity_id=row.id, payload=payload
        )
        entries.append({
            "seq": seq, "at": at, "actor": actor, "action": action, "entity": entity, "entity_id": row.id,
            "payload": payload, "prev_hash": prev, "hash": digest,
        })
        prev = digest
    if entries:
        insert_rows(session, JournalEntry.__table__, entries)
        # What a claim is found by changes with it, in this same transaction (see services.search).
        from ledger.services.search import refresh

        refresh(session, changes, documents)
    return len(entries)
