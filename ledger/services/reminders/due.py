"""The due list: every lapsed, unresolved claim, and the unresolved claims a calendar shows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ledger.domain.reminders import CalendarClaim, DueClaim, due_claim
from ledger.store.dialect import snapshot
from ledger.store.engine import Ledger
from ledger.store.models import Claim, JournalEntry, Source, Speaker

UNRESOLVED = ("open", "due", "disputed")  # a disputed verdict still needs a reviewer


def _lapsed(as_of: date, withdrawn: bool = False):
    """Lapsed and unresolved (and not withdrawn, unless asked): the (status, deadline) index
    answers it, one range per status."""
    lapsed = and_(Claim.status.in_(UNRESOLVED), Claim.deadline < as_of)
    return lapsed if withdrawn else and_(lapsed, Claim.withdrawn_at.is_(None))


def due_query(as_of: date, withdrawn: bool = False):
    """The lapsed claims alone, through the (status, deadline) index, with no ORM object per claim.

    Their speakers' names and sources' URLs are read after, by id: joined in one statement,
    PostgreSQL's planner (which takes status and deadline for independent) expects a large share
    of the table to be lapsed and hash-joins a full scan of sources to the few that are."""
    return (
        select(
            Claim.id, Claim.speaker_id, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text,
            Claim.status, Claim.source_id,
        )
        .where(_lapsed(as_of, withdrawn))
        .order_by(Claim.deadline, Claim.id)
    )


BY_ID_CHUNK = 10_000  # ids per IN list: well under SQLite's and PostgreSQL's limits on parameters


def _names(session: Session, id_column, value_column, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    wanted = sorted(i for i in ids if i is not None)
    for start in range(0, len(wanted), BY_ID_CHUNK):
        chunk = wanted[start:start + BY_ID_CHUNK]
        found.update(session.execute(select(id_column, value_column).where(id_column.in_(chunk))).all())
    return found


def due_claims(ledger: Ledger, as_of: date, withdrawn: bool = False) -> list[DueClaim]:
    """Every lapsed, unresolved claim, oldest deadline first, with its days overdue (README keys)."""
    with snapshot(ledger) as session:  # the names read after belong to the claims read
        rows = session.execute(due_query(as_of, withdrawn)).all()
        speakers = _names(session, Speaker.id, Speaker.name, {r.speaker_id for r in rows})
        sources = _names(session, Source.id, Source.url, {r.source_id for r in rows})
        return [
            due_view((r.id, speakers[r.speaker_id], r.text, r.quote, r.deadline, r.deadline_text, r.status,
                      sources.get(r.source_id)), as_of)
            for r in rows
        ]


def due_view(row, as_of: date) -> DueClaim:
    """A row of ``due_query`` as the due list shows it."""
    claim_id, speaker, text, quote, deadline, deadline_text, status, url = row
    return due_claim(claim_id, speaker, text, quote, deadline, deadline_text, status, url, as_of)


def ledger_identity(session: Session) -> str:
    """A name for this ledger that survives moves and copies: the start of its first journal hash."""
    first = session.scalar(select(JournalEntry.hash).where(JournalEntry.seq == 1))
    return f"ledger-{(first or '0' * 64)[:16]}.claims"


def calendar_claims(ledger: Ledger, today: date, withdrawn: bool = False) -> tuple[str, list[CalendarClaim]]:
    """Every unresolved claim (not withdrawn, unless asked) with what a calendar event needs, and
    the ledger's identity; overdue days are counted to ``today``."""
    query = (
        select(
            Claim.id, Speaker.name, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text,
            Claim.status, Source.url, Claim.version, Claim.logged_at,
        )
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(Claim.status.in_(UNRESOLVED), *([] if withdrawn else [Claim.withdrawn_at.is_(None)]))
        .order_by(Claim.deadline, Claim.id)
    )
    with ledger.read() as session:
        identity = ledger_identity(session)
        claims = [
            CalendarClaim(**due_view(row[:8], today), version=row[8], logged_at=row[9]) for row in session.execute(query)
        ]
    return identity, claims
