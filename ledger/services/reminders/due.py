"""The due list: every lapsed, unresolved claim, and the unresolved claims a calendar shows. On
the Core tables, so `claims due` starts without the ORM; ``db`` is a connection or a session."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select

from ledger.domain.reminders import CalendarClaim, DueClaim, due_claim
from ledger.store.engine import Ledger
from ledger.store.tables import CLAIMS, JOURNAL, SOURCES, SPEAKERS

UNRESOLVED = ("open", "due", "disputed")  # a disputed verdict still needs a reviewer


def _lapsed(as_of: date, withdrawn: bool = False):
    """Lapsed and unresolved (and not withdrawn, unless asked): the (status, deadline) index
    answers it, one range per status."""
    lapsed = and_(CLAIMS.c.status.in_(UNRESOLVED), CLAIMS.c.deadline < as_of)
    return lapsed if withdrawn else and_(lapsed, CLAIMS.c.withdrawn_at.is_(None))


def due_query(as_of: date, withdrawn: bool = False):
    """The lapsed claims alone, through the (status, deadline) index, with no ORM object per claim.

    Their speakers' names and sources' URLs are read after, by id: joined in one statement,
    PostgreSQL's planner (which takes status and deadline for independent) expects a large share
    of the table to be lapsed and hash-joins a full scan of sources to the few that are."""
    return (
        select(
            CLAIMS.c.id, CLAIMS.c.speaker_id, CLAIMS.c.text, CLAIMS.c.quote, CLAIMS.c.deadline, CLAIMS.c.deadline_text,
            CLAIMS.c.status, CLAIMS.c.source_id,
        )
        .where(_lapsed(as_of, withdrawn))
        .order_by(CLAIMS.c.deadline, CLAIMS.c.id)
    )


BY_ID_CHUNK = 10_000  # ids per IN list: well under SQLite's and PostgreSQL's limits on parameters


def _names(db, id_column, value_column, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    wanted = sorted(i for i in ids if i is not None)
    for start in range(0, len(wanted), BY_ID_CHUNK):
        chunk = wanted[start:start + BY_ID_CHUNK]
        found.update(db.execute(select(id_column, value_column).where(id_column.in_(chunk))).all())
    return found


def due_claims(ledger: Ledger, as_of: date, withdrawn: bool = False) -> list[DueClaim]:
    """Every lapsed, unresolved claim, oldest deadline first, with its days overdue (README keys)."""
    with ledger.reading(snapshot=True) as conn:  # the names read after belong to the claims read
        rows = conn.execute(due_query(as_of, withdrawn)).all()
        speakers = _names(conn, SPEAKERS.c.id, SPEAKERS.c.name, {r.speaker_id for r in rows})
        sources = _names(conn, SOURCES.c.id, SOURCES.c.url, {r.source_id for r in rows})
        return [
            due_view((r.id, speakers[r.speaker_id], r.text, r.quote, r.deadline, r.deadline_text, r.status,
                      sources.get(r.source_id)), as_of)
            for r in rows
        ]


def due_view(row, as_of: date) -> DueClaim:
    """A row of ``due_query`` as the due list shows it."""
    claim_id, speaker, text, quote, deadline, deadline_text, status, url = row
    return due_claim(claim_id, speaker, text, quote, deadline, deadline_text, status, url, as_of)


def ledger_identity(db) -> str:
    """A name for this ledger that survives moves and copies: the start of its first journal hash."""
    first = db.execute(select(JOURNAL.c.hash).where(JOURNAL.c.seq == 1)).scalar()
    return f"ledger-{(first or '0' * 64)[:16]}.claims"


def calendar_claims(ledger: Ledger, today: date, withdrawn: bool = False) -> tuple[str, list[CalendarClaim]]:
    """Every unresolved claim (not withdrawn, unless asked) with what a calendar event needs, and
    the ledger's identity; overdue days are counted to ``today``."""
    query = (
        select(
            CLAIMS.c.id, SPEAKERS.c.name, CLAIMS.c.text, CLAIMS.c.quote, CLAIMS.c.deadline, CLAIMS.c.deadline_text,
            CLAIMS.c.status, SOURCES.c.url, CLAIMS.c.version, CLAIMS.c.logged_at,
        )
        .join_from(CLAIMS, SPEAKERS, SPEAKERS.c.id == CLAIMS.c.speaker_id)
        .outerjoin(SOURCES, SOURCES.c.id == CLAIMS.c.source_id)
        .where(CLAIMS.c.status.in_(UNRESOLVED), *([] if withdrawn else [CLAIMS.c.withdrawn_at.is_(None)]))
        .order_by(CLAIMS.c.deadline, CLAIMS.c.id)
    )
    with ledger.reading() as conn:
        identity = ledger_identity(conn)
        claims = [
            CalendarClaim(**due_view(row[:8], today), version=row[8], logged_at=row[9]) for row in conn.execute(query)
        ]
    return identity, claims
