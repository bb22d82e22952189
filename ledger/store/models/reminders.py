"""Reminder tables: who reviews which claim, each lapsed claim's reminder schedule, and the outbox
of reminders waiting to be delivered (see migrations/versions/0003_reminders.py and 0004_parked_reminders.py).

The outbox is written in the same transaction that flags a claim, so a crash can never lose a
reminder; its unique key (claim, recipient, channel, number) makes sending one twice impossible
short of a crash between a channel accepting it and the row being marked sent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.domain.vocab import ReminderStatus, sql_in
from ledger.store.models.base import Base
from ledger.store.types import UTCDateTime, utcnow


class ClaimReviewer(Base):
    """A reviewer assigned to a claim: they, rather than the default recipients, get its reminders."""

    __tablename__ = "claim_reviewers"
    __table_args__ = (UniqueConstraint("claim_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"), index=True)
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSchedule(Base):
    """When a lapsed claim was flagged, how many reminders it has had, and when the next is due."""

    __tablename__ = "reminder_schedule"
    __table_args__ = (Index("ix_reminder_schedule_next_on", "next_on"),)

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    flagged_on: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer, default=0)  # reminders issued so far
    next_on: Mapped[date] = mapped_column(Date)


class Reminder(Base):
    """One reminder about one claim for one recipient on one channel: a row of the outbox."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("claim_id", "recipient", "channel", "number"),
        CheckConstraint(sql_in("status", ReminderStatus), name="status"),
        # What a delivery worker asks for: undelivered rows whose next attempt is due.
        Index("ix_reminders_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))  # an email address, or a name on chat and log
    channel: Mapped[str] = mapped_column(String(100))  # a [channels.NAME] of the config
    number: Mapped[int] = mapped_column(Integer)  # 1 when the deadline lapses, then one more every N days
    due_on: Mapped[date] = mapped_column(Date)  # the day of the scan that issued it
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's lease while it sends; a lease older than the scheduler's lease time is abandoned.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
