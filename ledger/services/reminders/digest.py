"""Digests: what a recipient reads about the lapsed claims reminded to them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ledger.config import ReminderSettings
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


def render_digest(recipient: str, claims: list[dict], as_of: date, every_days: int = 7) -> Digest:
    """The digest a recipient reads: each claim, how late it is, and the command that closes it."""
    n = len(claims)
    subject = f"claims: {n} lapsed prediction{'s' if n != 1 else ''} awaiting a verdict"
    if not n:  # only a preview can be empty; a digest is sent for claims
        return Digest(recipient, subject, f"No lapsed claim awaits a verdict (as of {as_of.isoformat()}).", [], as_of.isoformat())
    lines = [
        f"{n} claim{'s have' if n != 1 else ' has'} passed {'their' if n != 1 else 'its'} deadline "
        f"and await{'' if n != 1 else 's'} your verdict (as of {as_of.isoformat()}).",
        "",
    ]
    for c in claims:
        days = c["days_overdue"]
        number = f", reminder {c['reminder']}" if c.get("reminder") else ""
        lines.append(f"#{c['id']} {c['speaker']}: {c['text']}")
        if c["quote"]:
            lines.append(f"  \u201c{c['quote']}\u201d")
        lines.append(f"  Deadline {c['deadline']} ({c['deadline_text']}), {days} day{'s' if days != 1 else ''} overdue{number}")
        if c["source"]:
            lines.append(f"  Source: {c['source']}")
        lines.append(f"  Close it: {c['resolve']}")
        lines.append("")
    lines.append(f"You will be reminded again every {every_days} days until each claim is resolved.")
    return Digest(recipient=recipient, subject=subject, text="\n".join(lines), claims=claims, as_of=as_of.isoformat())


def preview_digest(
    ledger: Ledger, as_of: date | None = None, recipient: str = "reviewers", settings: ReminderSettings | None = None
) -> str:
    """The text of the reminder a recipient would get for everything lapsed by ``as_of`` (for the demo)."""
    as_of = as_of or date.today()
    digest = render_digest(recipient, due_claims(ledger, as_of), as_of, (settings or ReminderSettings()).every_days)
    return f"Subject: {digest.subject}\n\n{digest.text}"
