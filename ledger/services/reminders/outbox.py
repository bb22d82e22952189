"""The reminder outbox: delivery under a lease, one digest per recipient and channel, retries with
backoff, and the outbox as `claims reminders list` shows it."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from ledger.config import ReminderSettings
from ledger.services.channels import Sender
from ledger.services.reminders.digest import digest_for
from ledger.store.engine import Ledger
from ledger.store.models import Claim
from ledger.store.models.reminders import Reminder
from ledger.store.types import utcnow
from ledger.views import ReminderView

UNDELIVERED = ("pending", "failed")  # what delivery still tries
FAILED = ("failed", "parked")  # parked: failed settings.max_attempts times, no longer tried


@dataclass(frozen=True)
class Failure:
    """One digest that could not be delivered, for the scheduler's log."""

    channel: str
    recipient: str
    attempts: int  # tries so far, this one included
    error: str
    retry_at: datetime | None  # None: parked after the last attempt allowed


@dataclass
class DeliveryReport:
    sent: int = 0  # reminders (outbox rows) delivered
    digests: int = 0
    failed: int = 0  # reminders, retried later or parked
    parked: int = 0
    cancelled: int = 0
    failures: list[Failure] = field(default_factory=list)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def deliver(
    ledger: Ledger,
    settings: ReminderSettings,
    senders: dict[str, Sender],
    *,
    worker: str | None = None,
    stop: threading.Event | None = None,
    today: date,
) -> DeliveryReport:
    """Send every reminder whose attempt is due, one digest per recipient and channel.

    ``stop`` is checked between digests, so a shutdown finishes the digest in flight and leaves the
    rest pending for the next run.
    """
    worker = worker or worker_id()
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
        digest = digest_for(ledger, ids, recipient, today, settings.every_days)
        try:
            senders[channel].send(digest)
        except Exception as exc:  # noqa: BLE001  any failure is kept on the rows and retried
            message = " ".join(str(exc).split()) or type(exc).__name__
            failure = _failed(ledger, settings, worker, ids, channel, recipient, message)
            report.failed += len(ids)
            report.parked += len(ids) if failure.retry_at is None else 0
            report.failures.append(failure)
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


def _failed(
    ledger: Ledger, settings: ReminderSettings, worker: str, ids: list[int], channel: str, recipient: str, error: str
) -> Failure:
    """Keep the error on the rows; retry them after the backoff, or park them after the last attempt."""
    with ledger.write() as session:
        mine = and_(Reminder.id.in_(ids), Reminder.claimed_by == worker)
        attempts = session.scalar(select(func.max(Reminder.attempts)).where(mine)) or 1
        retry_at = utcnow() + timedelta(seconds=backoff(settings, attempts)) if attempts < settings.max_attempts else None
        # One retry time for the whole digest keeps its reminders together on the next try.
        session.execute(
            update(Reminder)
            .where(mine)
            .values(
                status="failed" if retry_at else "parked", last_error=error[:2000], claimed_by=None, claimed_at=None,
                **({"next_attempt_at": retry_at} if retry_at else {}),
            )
            .execution_options(synchronize_session=False)
        )
    return Failure(channel, recipient, attempts, error, retry_at)


def backoff(settings: ReminderSettings, attempts: int) -> int:
    """Seconds before the next try: doubling from the base, capped."""
    return min(settings.retry_base_seconds * 2 ** max(attempts - 1, 0), settings.retry_max_seconds)


def reminder_view(row: Reminder) -> ReminderView:
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {
        "id": row.id, "claim_id": row.claim_id, "recipient": row.recipient, "channel": row.channel,
        "number": row.number, "due_on": iso(row.due_on), "status": row.status, "attempts": row.attempts,
        "last_error": row.last_error, "next_attempt_at": iso(row.next_attempt_at) if row.status in UNDELIVERED else None,
        "sent_at": iso(row.sent_at),
    }


def list_reminders(ledger: Ledger, *, failed: bool = False) -> list[ReminderView]:
    """The outbox, oldest first; ``failed``: only what failed, still retried or parked."""
    query = select(Reminder).order_by(Reminder.id)
    if failed:
        query = query.where(Reminder.status.in_(FAILED))
    with ledger.read() as session:
        return [reminder_view(r) for r in session.scalars(query)]
