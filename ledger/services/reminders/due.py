"""The due list: every lapsed, unresolved claim, and the unresolved claims a calendar shows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ledger.domain.reminders import CalendarClaim, DueClaim, due_claim
from ledger.store.engine import Ledger
from ledger.store.models import Claim, JournalEntry, Source, Speaker

UNRESOLVED = ("open", "due", "disputed")  # a disputed verdict still needs a reviewer


def _lapsed(as_of: date, withdrawn: bool = False):
    """Lapsed and unresolved (and not withdrawn, unless asked): the (status, deadline) index
    answers it, one range per status."""
    lapsed = and_(Claim.status.in_(UNRESOLVED), Claim.deadline < as_of)
    return lapsed if withdrawn else and_(lapsed, Claim.withdrawn_at.is_(None))


def due_query(as_of: date, withdrawn: bool = False):
    """One statement for the whole due list: no ORM object per claim, so it scales with the index."""
    return (
        select(
            Claim.id, Speaker.name, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text,
            Claim.status, Source.url,
        )
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(_lapsed(as_of, withdrawn))
        .order_by(Claim.deadline, Claim.id)
    )


def due_claims(ledger: Ledger, as_of: date, withdrawn: bool = False) -> list[DueClaim]:
    """Every lapsed, unresolved claim, oldest deadline first, with its days overdue (README keys)."""
    with ledger.read() as session:
        return [due_view(row, as_of) for row in session.execute(due_query(as_of, withdrawn))]


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
