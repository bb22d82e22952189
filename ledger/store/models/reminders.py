"""Reminder tables: who reviews which claim, each lapsed claim's reminder schedule, and the outbox
of reminders waiting to be delivered (see migrations/versions/0003_reminders.py and 0004_parked_reminders.py).

The outbox is written in the same transaction that flags a claim, so a crash can never lose a
reminder; its unique key (claim, recipient, channel, number) makes sending one twice impossible
short of a crash between a channel accepting it and the row being marked sent.
"""

from ledger.store import tables
from ledger.store.models.base import Base


class ClaimReviewer(Base):
    """A reviewer assigned to a claim: they, rather than the default recipients, get its reminders."""

    __table__ = tables.CLAIM_REVIEWERS


class ReminderSchedule(Base):
    """When a lapsed claim was flagged, how many reminders it has had, and when the next is due."""

    __table__ = tables.REMINDER_SCHEDULE


class Reminder(Base):
    """One reminder about one claim for one recipient on one channel: a row of the outbox."""

    __table__ = tables.REMINDERS
