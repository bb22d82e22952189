"""Lapsed deadlines: the due list (``due``), flagging and issuing reminders (``scan``), the reminder
outbox and its delivery (``outbox``, ``digest``), and reviewers (``reviewers``).

The scan is set-based and idempotent: one conditional UPDATE flags every open claim whose deadline
has passed, and in the same transaction the reminders it owes are written to the outbox. Delivery
then takes outbox rows under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN
IMMEDIATE`` and conditional updates on SQLite), sends one digest per recipient and channel, and
marks the rows sent only after the channel accepted the digest. So a crash loses nothing; the one
window for a duplicate is a crash after the channel accepted a digest and before the rows were
marked, when the lease runs out and the digest is sent again.

Each name is imported from its module when first asked for, so `claims due` (``due``, on Core)
does not import the ORM that the scan and the outbox write through.
"""

from importlib import import_module

_FROM = {
    "ledger.domain.reminders": ["resolve_command"],
    "ledger.services.reminders.digest": ["preview_digest", "render_digest"],
    "ledger.services.reminders.due": ["UNRESOLVED", "calendar_claims", "due_claims", "due_query", "due_view", "ledger_identity"],
    "ledger.services.reminders.outbox": ["UNDELIVERED", "DeliveryReport", "backoff", "deliver", "list_reminders", "reminder_view", "worker_id"],
    "ledger.services.reminders.reviewers": ["add_reviewer", "assign", "list_reviewers", "remove_reviewer", "reviewer_view"],
    "ledger.services.reminders.scan": ["NEEDS_REMINDER", "SCHEDULER", "ScanReport", "flag_lapsed", "recipients", "scan"],
}
_MODULE = {name: module for module, names in _FROM.items() for name in names}

__all__ = sorted(_MODULE)


def __getattr__(name: str):
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(_MODULE[name])
    # All of the module's names at once: importing ``.scan`` binds the module to ``scan`` here,
    # which the function of that name must replace.
    globals().update({n: getattr(module, n) for n in _FROM[_MODULE[name]]})
    return globals()[name]
