"""Lapsed deadlines: the due list (``due``), flagging and issuing reminders (``scan``), the reminder
outbox and its delivery (``outbox``, ``digest``), and reviewers (``reviewers``).

The scan is set-based and idempotent: one conditional UPDATE flags every open claim whose deadline
has passed, and in the same transaction the reminders it owes are written to the outbox. Delivery
then takes outbox rows under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN
IMMEDIATE`` and conditional updates on SQLite), sends one digest per recipient and channel, and
marks the rows sent only after the channel accepted the digest. So a crash loses nothing; the one
window for a duplicate is a crash after the channel accepted a digest and before the rows were
marked, when the lease runs out and the digest is sent again.
"""

from ledger.domain.reminders import resolve_command
from ledger.services.reminders.digest import preview_digest, render_digest
from ledger.services.reminders.due import UNRESOLVED, calendar_claims, due_claims, due_query, due_view, ledger_identity
from ledger.services.reminders.outbox import (
    UNDELIVERED, DeliveryReport, backoff, deliver, list_reminders, reminder_view, worker_id,
)
from ledger.services.reminders.reviewers import add_reviewer, assign, list_reviewers, remove_reviewer, reviewer_view
from ledger.services.reminders.scan import NEEDS_REMINDER, SCHEDULER, ScanReport, flag_lapsed, recipients, scan

__all__ = [
    "NEEDS_REMINDER", "SCHEDULER", "UNDELIVERED", "UNRESOLVED", "DeliveryReport", "ScanReport", "add_reviewer",
    "assign", "backoff", "calendar_claims", "deliver", "due_claims", "due_query", "due_view", "flag_lapsed", "remove_reviewer",
    "ledger_identity", "list_reminders", "list_reviewers", "preview_digest", "recipients", "reminder_view",
    "render_digest", "resolve_command", "reviewer_view", "scan", "worker_id",
]
