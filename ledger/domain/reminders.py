"""What a reminder says, without the ledger: a lapsed claim as the due list and a digest show it,
and the text of the digest a recipient reads (docs/reminders.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NotRequired, TypedDict


class DueClaim(TypedDict):
    """A lapsed, unresolved claim: one entry of `claims due` and of a digest."""

    id: int
    speaker: str
    text: str
    quote: str | None
    deadline: str
    deadline_text: str
    days_overdue: int
    status: str
    source: str | None
    resolve: str  # the command that closes it
    reminder: NotRequired[int]  # in a digest: which reminder about the claim this is


class CalendarClaim(DueClaim):
    """An unresolved claim as a calendar event needs it."""

    version: int
    logged_at: datetime


def resolve_command(claim_id: int) -> str:
    return f"claims resolve {claim_id} --outcome true|false|partial|ambiguous --evidence URL"


def due_claim(
    claim_id: int, speaker: str, text: str, quote: str | None, deadline: date, deadline_text: str, status: str,
    source: str | None, as_of: date,
) -> DueClaim:
    """A claim whose deadline has passed, with its days overdue on ``as_of``."""
    return {
        "id": claim_id,
        "speaker": speaker,
        "text": text,
        "quote": quote,
        "deadline": deadline.isoformat(),
        "deadline_text": deadline_text,
        "days_overdue": (as_of - deadline).days,
        "status": status,
        "source": source,
        "resolve": resolve_command(claim_id),
    }


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def digest_subject(count: int) -> str:
    return f"claims: {count} lapsed prediction{_plural(count, '', 's')} awaiting a verdict"


def digest_text(claims: Sequence[DueClaim], as_of: date, every_days: int) -> str:
    """The digest a recipient reads: each claim, how late it is, and the command that closes it."""
    n = len(claims)
    if not n:  # only a preview can be empty; a digest is sent for claims
        return f"No lapsed claim awaits a verdict (as of {as_of.isoformat()})."
    lines = [
        f"{n} claim{_plural(n, ' has', 's have')} passed {_plural(n, 'its', 'their')} deadline "
        f"and await{_plural(n, 's', '')} your verdict (as of {as_of.isoformat()}).",
        "",
    ]
    for c in claims:
        days = c["days_overdue"]
        number = f", reminder {c['reminder']}" if c.get("reminder") else ""
        lines.append(f"#{c['id']} {c['speaker']}: {c['text']}")
        if c["quote"]:
            lines.append(f"  \u201c{c['quote']}\u201d")
        lines.append(f"  Deadline {c['deadline']} ({c['deadline_text']}), {days} day{_plural(days, '', 's')} overdue{number}")
        if c["source"]:
            lines.append(f"  Source: {c['source']}")
        lines.append(f"  Close it: {c['resolve']}")
        lines.append("")
    lines.append(f"You will be reminded again every {every_days} days until each claim is resolved.")
    return "\n".join(lines)
