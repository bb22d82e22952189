"""Lapsed deadlines: the due list, flagging, the reminder outbox and its delivery, reviewers.

The scan is set-based and idempotent: one conditional UPDATE flags every open claim whose deadline
has passed, and in the same transaction the reminders it owes are written to the outbox. Delivery
then takes outbox rows under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN
IMMEDIATE`` and conditional updates on SQLite), sends one digest per recipient and channel, and
marks the rows sent only after the channel accepted the digest. So a crash loses nothing; the one
window for a duplicate is a crash after the channel accepted a digest and before the rows were
marked, when the lease runs out and the digest is sent again.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.config import ReminderSettings
from ledger.domain.claims import clean_text, name_key
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.services import journal
from ledger.services.channels import Digest, Sender, address_of, display
from ledger.store.engine import Ledger
from ledger.store.models import Claim, JournalEntry, Reviewer, Source, Speaker
from ledger.store.models.reminders import ClaimReviewer, Reminder, ReminderSchedule
from ledger.store.types import utcnow

UNRESOLVED = ("open", "due", "disputed")  # a disputed verdict still needs a reviewer
NEEDS_REMINDER = ("due", "disputed")
UNDELIVERED = ("pending", "failed")
SCHEDULER = "claims scheduler"
CHUNK = 500  # ids per IN list: well inside SQLite's bound-parameter limit


def resolve_command(claim_id: int) -> str:
    return f"claims resolve {claim_id} --outcome true|false|partial|ambiguous --evidence URL"


# The due list ----------------------------------------------------------------------------------

def _lapsed(as_of: date):
    """Lapsed and unresolved: the (status, deadline) index answers it, one range per status."""
    return and_(Claim.status.in_(UNRESOLVED), Claim.deadline < as_of)


def due_query(as_of: date):
    """One statement for the whole due list: no ORM object per claim, so it scales with the index."""
    return (
        select(
            Claim.id, Speaker.name, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text,
            Claim.status, Source.url,
        )
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(_lapsed(as_of))
        .order_by(Claim.deadline, Claim.id)
    )


def due_claims(ledger: Ledger, as_of: date | None = None) -> list[dict]:
    """Every lapsed, unresolved claim, oldest deadline first, with its days overdue (README keys)."""
    as_of = as_of or date.today()
    with ledger.read() as session:
        return [_due_view(row, as_of) for row in session.execute(due_query(as_of))]


def _due_view(row, as_of: date) -> dict:
    claim_id, speaker, text, quote, deadline, deadline_text, status, url = row
    return {
        "id": claim_id,
        "speaker": speaker,
        "text": text,
        "quote": quote,
        "deadline": deadline.isoformat(),
        "deadline_text": deadline_text,
        "days_overdue": (as_of - deadline).days,
        "status": status,
        "source": url,
        "resolve": resolve_command(claim_id),
    }


# Flagging and issuing reminders ----------------------------------------------------------------

@dataclass
class ScanReport:
    as_of: date
    flagged: list[int] = field(default_factory=list)
    reminders: int = 0  # outbox rows written


def scan(ledger: Ledger, settings: ReminderSettings, as_of: date | None = None, actor: str = SCHEDULER) -> ScanReport:
    """Flag lapsed claims and write the reminders they owe, in one transaction."""
    report = ScanReport(as_of or date.today())
    with ledger.write() as session:
        # Scanners queue here on PostgreSQL, as SQLite's BEGIN IMMEDIATE queues them; the
        # conditional updates below would keep a flag or reminder single even without it.
        journal.lock_journal(session)
        report.flagged = _flag(session, report.as_of, actor)
        report.reminders = _issue(session, settings, report.as_of)
    return report


def flag_lapsed(ledger: Ledger, as_of: date | None = None, settings: ReminderSettings | None = None) -> list[int]:
    """For the demo and cron: flag what lapsed by ``as_of`` and queue its reminders; the ids flagged."""
    return scan(ledger, settings or ReminderSettings(), as_of).flagged


def _flag(session: Session, as_of: date, actor: str) -> list[int]:
    flagged = list(
        session.scalars(
            update(Claim)
            .where(Claim.status == "open", Claim.deadline < as_of)
            .values(status="due", version=Claim.version + 1)  # as the ORM's version_id_col would
            .returning(Claim.id)
            .execution_options(synchronize_session=False)
        )
    )
    flagged.sort()
    for chunk in _chunks(flagged):
        for row in session.scalars(select(Claim).where(Claim.id.in_(chunk)).order_by(Claim.id)):
            journal.record(session, actor=actor, action="claim.flagged", row=row)
    return flagged


def _issue(session: Session, settings: ReminderSettings, as_of: date) -> int:
    """Advance every lapsed claim's schedule that is due today and write its outbox rows."""
    lapsed = select(Claim.id).where(Claim.status.in_(NEEDS_REMINDER), Claim.deadline < as_of)
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
        _insert_ignore(session, ReminderSchedule).from_select(
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
    return len(session.execute(_insert_ignore(session, Reminder).returning(Reminder.id), rows).all())


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


# Delivery ---------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0  # reminders (outbox rows) delivered
    digests: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def deliver(
    ledger: Ledger,
    settings: ReminderSettings,
    senders: dict[str, Sender],
    *,
    worker: str | None = None,
    stop: threading.Event | None = None,
    today: date | None = None,
) -> DeliveryReport:
    """Send every reminder whose attempt is due, one digest per recipient and channel.

    ``stop`` is checked between digests, so a shutdown finishes the digest in flight and leaves the
    rest pending for the next run.
    """
    worker = worker or worker_id()
    today = today or date.today()
    report = DeliveryReport()
    with ledger.write() as session:
        report.cancelled = session.execute(
            update(Reminder)
            .where(Reminder.status.in_(UNDELIVERED))
            .where(select(Claim.id).where(Claim.id == Reminder.claim_id, Claim.status == "resolved").exists())
            .values(status="cancelled", claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        # A channel taken out of the config is the user's decision to stop using it.
        report.cancelled += session.execute(
            update(Reminder)
            .where(Reminder.status.in_(UNDELIVERED), Reminder.channel.not_in(list(senders)))
            .values(status="cancelled", last_error="its channel is no longer in the config", claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    with ledger.read() as session:
        groups = session.execute(
            select(Reminder.channel, Reminder.recipient)
            .where(_deliverable(utcnow(), settings))
            .group_by(Reminder.channel, Reminder.recipient)
            .order_by(Reminder.channel, Reminder.recipient)
        ).all()
    for channel, recipient in groups:
        if stop is not None and stop.is_set():
            break
        ids = _lease(ledger, settings, worker, channel, recipient)
        if not ids:
            continue  # another worker has them
        digest = _digest_for(ledger, ids, recipient, today, settings.every_days)
        try:
            senders[channel].send(digest)
        except Exception as exc:  # noqa: BLE001  any failure is kept on the rows and retried
            message = " ".join(str(exc).split()) or type(exc).__name__
            _failed(ledger, settings, worker, ids, message)
            report.failed += len(ids)
            report.errors.append(message)
            continue
        _sent(ledger, worker, ids)
        report.sent += len(ids)
        report.digests += 1
    return report


def _deliverable(now: datetime, settings: ReminderSettings):
    stale = now - timedelta(seconds=settings.lease_seconds)
    return and_(
        Reminder.status.in_(UNDELIVERED),
        Reminder.next_attempt_at <= now,
        or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < stale),
    )


def _lease(ledger: Ledger, settings: ReminderSettings, worker: str, channel: str, recipient: str) -> list[int]:
    """Take one recipient's deliverable rows for this worker, committed before anything is sent."""
    now = utcnow()
    with ledger.write() as session:
        ids = list(
            session.scalars(
                select(Reminder.id)
                .where(Reminder.channel == channel, Reminder.recipient == recipient, _deliverable(now, settings))
                .order_by(Reminder.id)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite already holds the write lock
            )
        )
        if not ids:
            return []
        taken = session.scalars(
            update(Reminder)
            .where(Reminder.id.in_(ids), _deliverable(now, settings))  # conditional: lost races take nothing
            .values(claimed_by=worker, claimed_at=now, attempts=Reminder.attempts + 1)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(taken)


def _sent(ledger: Ledger, worker: str, ids: list[int]) -> None:
    with ledger.write() as session:
        session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.claimed_by == worker)
            .values(status="sent", sent_at=utcnow(), last_error=None, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )


def _failed(ledger: Ledger, settings: ReminderSettings, worker: str, ids: list[int], error: str) -> None:
    with ledger.write() as session:
        mine = and_(Reminder.id.in_(ids), Reminder.claimed_by == worker)
        attempts = session.scalar(select(func.max(Reminder.attempts)).where(mine)) or 1
        # One retry time for the whole digest keeps its reminders together on the next try.
        session.execute(
            update(Reminder)
            .where(mine)
            .values(
                status="failed", last_error=error[:2000], claimed_by=None, claimed_at=None,
                next_attempt_at=utcnow() + timedelta(seconds=backoff(settings, attempts)),
            )
            .execution_options(synchronize_session=False)
        )


def backoff(settings: ReminderSettings, attempts: int) -> int:
    """Seconds before the next try: doubling from the base, capped."""
    return min(settings.retry_base_seconds * 2 ** max(attempts - 1, 0), settings.retry_max_seconds)


# Digests ----------------------------------------------------------------------------------------

def _digest_for(ledger: Ledger, ids: list[int], recipient: str, today: date, every_days: int) -> Digest:
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
        view = _due_view(row[:8], today)
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


# The outbox, reviewers and assignments ----------------------------------------------------------

def reminder_view(row: Reminder) -> dict:
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {
        "id": row.id, "claim_id": row.claim_id, "recipient": row.recipient, "channel": row.channel,
        "number": row.number, "due_on": iso(row.due_on), "status": row.status, "attempts": row.attempts,
        "last_error": row.last_error, "next_attempt_at": iso(row.next_attempt_at) if row.status in UNDELIVERED else None,
        "sent_at": iso(row.sent_at),
    }


def list_reminders(ledger: Ledger, *, failed: bool = False) -> list[dict]:
    query = select(Reminder).order_by(Reminder.id)
    if failed:
        query = query.where(Reminder.status == "failed")
    with ledger.read() as session:
        return [reminder_view(r) for r in session.scalars(query)]


def reviewer_view(row: Reviewer, claims: int | None = None) -> dict:
    view = {"id": row.id, "name": row.name, "email": row.email}
    if claims is not None:
        view["claims"] = claims
    return view


def add_reviewer(ledger: Ledger, name: str, email: str | None, actor: str) -> dict:
    name = clean_text(name, "reviewer name")
    if email is not None:
        email = email.strip()
        if address_of(email) != email:
            raise InvalidInput(f"{email!r} is not an email address (e.g. ada@example.org)")
    try:
        with ledger.write() as session:
            taken = session.scalar(select(Reviewer).where(Reviewer.name_key == name_key(name)))
            if taken is not None:
                raise Conflict(f"reviewer {taken.name!r} already exists as #{taken.id}")
            row = Reviewer(name=name, name_key=name_key(name), email=email)
            session.add(row)
            journal.record(session, actor=actor, action="reviewer.added", row=row)
            return reviewer_view(row)
    except IntegrityError:
        raise Conflict(f"reviewer {name!r} was added by someone else just now") from None


def list_reviewers(ledger: Ledger) -> list[dict]:
    with ledger.read() as session:
        counts = dict(session.execute(select(ClaimReviewer.reviewer_id, func.count()).group_by(ClaimReviewer.reviewer_id)).all())
        return [reviewer_view(r, counts.get(r.id, 0)) for r in session.scalars(select(Reviewer).order_by(Reviewer.name_key))]


def assign(ledger: Ledger, claim_id: int, reviewer: str, actor: str) -> dict:
    """Make ``reviewer`` the one reminded about ``claim_id`` (with any others already assigned)."""
    try:
        with ledger.write() as session:
            if session.get(Claim, claim_id) is None:
                raise NotFound(f"no claim #{claim_id} (see `claims list`)")
            person = session.scalar(select(Reviewer).where(Reviewer.name_key == name_key(reviewer)))
            if person is None:
                raise NotFound(f"unknown reviewer {reviewer!r} (add them with `claims reviewer add NAME --email ADDRESS`)")
            exists = session.scalar(
                select(ClaimReviewer.id).where(ClaimReviewer.claim_id == claim_id, ClaimReviewer.reviewer_id == person.id)
            )
            if exists is not None:
                raise Conflict(f"{person.name} is already assigned to claim #{claim_id}")
            row = ClaimReviewer(claim_id=claim_id, reviewer_id=person.id, assigned_by=actor)
            session.add(row)
            journal.record(session, actor=actor, action="claim.assigned", row=row)
            return {"claim_id": claim_id, "reviewer": person.name, "email": person.email}
    except IntegrityError:
        raise Conflict(f"{reviewer} was assigned to claim #{claim_id} by someone else just now") from None


def ledger_identity(session: Session) -> str:
    """A name for this ledger that survives moves and copies: the start of its first journal hash."""
    first = session.scalar(select(JournalEntry.hash).where(JournalEntry.seq == 1))
    return f"ledger-{(first or '0' * 64)[:16]}.claims"


def calendar_claims(ledger: Ledger) -> tuple[str, list[dict]]:
    """Every unresolved claim with what a calendar event needs, and the ledger's identity."""
    query = (
        select(
            Claim.id, Speaker.name, Claim.text, Claim.quote, Claim.deadline, Claim.deadline_text,
            Claim.status, Source.url, Claim.version, Claim.logged_at,
        )
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(Claim.status.in_(UNRESOLVED))
        .order_by(Claim.deadline, Claim.id)
    )
    with ledger.read() as session:
        identity = ledger_identity(session)
        claims = []
        for row in session.execute(query):
            view = _due_view(row[:8], date.today())
            view.update(version=row[8], logged_at=row[9])
            claims.append(view)
    return identity, claims


# Portable statements ----------------------------------------------------------------------------

def _insert_ignore(session: Session, model):
    """INSERT ... ON CONFLICT DO NOTHING, which both backends speak."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(model).on_conflict_do_nothing()


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
