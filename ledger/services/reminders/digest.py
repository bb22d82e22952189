"""Digests: what a recipient reads about the lapsed claims reminded to them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ledger.config import ReminderSettings
from ledger.domain.reminders import DueClaim, digest_subject, digest_text
from ledger.services.channels import Digest
from ledger.services.reminders.due import due_claims, due_view
from ledger.store.engine import Ledger
from ledger.store.models import Claim, Source, Speaker
from ledger.store.models.reminders import Reminder


def digest_for(ledger: Ledger, ids: list[int], recipient: str, today: date, every_days: int) -> Digest:
    query = (
        select(
            Claim.id, Speaker.name, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text,
            Claim.status, Source.url, func.max(Reminder.number),
        )
        .join(Reminder, Reminder.claim_id == Claim.id)
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(Reminder.id.in_(ids))
        .group_by(Claim.id, Speaker.name, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text, Claim.status, Source.url)
        .order_by(Claim.deadline, Claim.id)
    )
    with ledger.read() as session:
        rows = session.execute(query).all()
    claims = []
    for row in rows:
        view = due_view(row[:8], today)
        view["reminder"] = row[8]
        claims.append(view)
    return render_digest(recipient, claims, today, every_days)


def render_digest(recipient: str, claims: list[DueClaim], as_of: date, every_days: int = 7) -> Digest:
    """The digest a recipient reads (its text: ``ledger.domain.reminders.digest_text``)."""
    return Digest(
        recipient=recipient, subject=digest_subject(len(claims)), text=digest_text(claims, as_of, every_days),
        claims=list(claims), as_of=as_of.isoformat(),
    )


def preview_digest(
    ledger: Ledger, as_of: date, recipient: str = "reviewers", settings: ReminderSettings | None = None
) -> str:
    """The text of the reminder a recipient would get for everything lapsed by ``as_of`` (for the demo)."""
    digest = render_digest(recipient, due_claims(ledger, as_of), as_of, (settings or ReminderSettings()).every_days)
    return f"Subject: {digest.subject}\n\n{digest.text}"
