"""The scan: flag lapsed claims and write the reminders they owe to the outbox, for each claim's
reviewers (or the configured recipients) on each channel."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.orm import Session

from ledger.config import ReminderSettings
from ledger.services import journal
from ledger.services.channels import address_of, display
from ledger.store.dialect import insert_ignore
from ledger.store.engine import Ledger
from ledger.store.models import Claim, Reviewer
from ledger.store.models.reminders import ClaimReviewer, Reminder, ReminderSchedule
from ledger.store.types import utcnow

NEEDS_REMINDER = ("due", "disputed")
SCHEDULER = "claims scheduler"
CHUNK = 500  # ids per IN list: well inside SQLite's bound-parameter limit


@dataclass
class ScanReport:
    as_of: date
    flagged: list[int] = field(default_factory=list)
    reminders: int = 0  # outbox rows written


def scan(ledger: Ledger, settings: ReminderSettings, as_of: date, actor: str = SCHEDULER) -> ScanReport:
    """Flag lapsed claims and write the reminders they owe, in one transaction."""
    report = ScanReport(as_of)
    with ledger.write() as session:
        # Scanners queue here on PostgreSQL, as SQLite's BEGIN IMMEDIATE queues them; the
        # conditional updates below would keep a flag or reminder single even without it.
        journal.lock_journal(session)
        report.flagged = _flag(session, report.as_of, actor)
        report.reminders = _issue(session, settings, report.as_of)
    return report


def flag_lapsed(ledger: Ledger, as_of: date, settings: ReminderSettings | None = None) -> list[int]:
    """For the demo and cron: flag what lapsed by ``as_of`` and queue its reminders; the ids flagged."""
    return scan(ledger, settings or ReminderSettings(), as_of).flagged


def _flag(session: Session, as_of: date, actor: str) -> list[int]:
    flagged = list(
        session.scalars(
            update(Claim)
            .where(Claim.status == "open", Claim.deadline < as_of, Claim.withdrawn_at.is_(None))
            .values(status="due", version=Claim.version + 1)  # as the ORM's version_id_col would
            .returning(Claim.id)
            .execution_options(synchronize_session=False)
        )
    )
    flagged.sort()
    # One append for all: each record() locks the journal and reads its tail again.
    rows = [row for chunk in _chunks(flagged) for row in session.scalars(select(Claim).where(Claim.id.in_(chunk)).order_by(Claim.id))]
    journal.record_many(session, actor=actor, changes=[("claim.flagged", "claim", row) for row in rows])
    return flagged


def _issue(session: Session, settings: ReminderSettings, as_of: date) -> int:
    """Advance every lapsed claim's schedule that is due today and write its outbox rows."""
    # A withdrawn claim is reminded of no more (withdrawing it emptied its schedule).
    lapsed = select(Claim.id).where(Claim.status.in_(NEEDS_REMINDER), Claim.deadline < as_of, Claim.withdrawn_at.is_(None))
    # Resolved claims leave the schedule, so it holds only what may still need a reminder.
    session.execute(
        delete(ReminderSchedule)
        .where(ReminderSchedule.next_on <= as_of)
        .where(~select(Claim.id).where(Claim.id == ReminderSchedule.claim_id, Claim.status.in_(NEEDS_REMINDER)).exists())
        .execution_options(synchronize_session=False)
    )
    # Claims flagged now, or disputed again, get a schedule: the next reminder today, numbered on
    # from any they had before so the outbox's unique key does not swallow it.
    earlier = select(func.max(Reminder.number)).where(Reminder.claim_id == Claim.id).scalar_subquery()
    session.execute(
        insert_ignore(session, ReminderSchedule).from_select(
            ["claim_id", "flagged_on", "number", "next_on"],
            select(Claim.id, literal(as_of), func.coalesce(earlier, 0), literal(as_of))
            .where(Claim.id.in_(lapsed))
            .where(~select(ReminderSchedule.claim_id).where(ReminderSchedule.claim_id == Claim.id).exists()),
        )
    )
    issued = session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.next_on <= as_of, ReminderSchedule.claim_id.in_(lapsed))
        .values(number=ReminderSchedule.number + 1, next_on=as_of + timedelta(days=settings.every_days))
        .returning(ReminderSchedule.claim_id, ReminderSchedule.number)
        .execution_options(synchronize_session=False)
    ).all()
    if not issued:
        return 0
    reviewers = _reviewers_of(session, [claim_id for claim_id, _ in issued])
    now = utcnow()  # one instant for all, so a recipient's reminders become due, and go, together
    rows = [
        {"claim_id": claim_id, "recipient": recipient, "channel": channel.name, "number": number,
         "due_on": as_of, "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
        for claim_id, number in issued
        for channel in settings.channels
        for recipient in recipients(channel, reviewers.get(claim_id, []), settings)
    ]
    if not rows:
        return 0
    # Counted from what was written: a row the unique key refused is not a new reminder.
    return len(session.execute(insert_ignore(session, Reminder).returning(Reminder.id), rows).all())


def recipients(channel, reviewers: list[tuple[str, str | None]], settings: ReminderSettings) -> list[str]:
    """Who hears about a claim on a channel: its reviewers who can be reached there, else the defaults."""
    if channel.type == "smtp":
        assigned = [display(name, email) for name, email in reviewers if email]
        return assigned or list(channel.options.get("to") or [r for r in settings.recipients if address_of(r)])
    return [name for name, _ in reviewers] or list(settings.recipients) or ["reviewers"]


def _reviewers_of(session: Session, claim_ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    found: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for chunk in _chunks(sorted(set(claim_ids))):
        query = (
            select(ClaimReviewer.claim_id, Reviewer.name, Reviewer.email)
            .join(Reviewer, Reviewer.id == ClaimReviewer.reviewer_id)
            .where(ClaimReviewer.claim_id.in_(chunk))
            .order_by(ClaimReviewer.claim_id, Reviewer.name_key)
        )
        for claim_id, name, email in session.execute(query):
            found[claim_id].append((name, email))
    return found


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
