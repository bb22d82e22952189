"""The ledger's words, spelled once: outcomes, claim and reminder statuses, deadline granularities
and channel types. Each is a str-valued enum, so a member compares equal to the text stored in the
ledger; the models build their CHECK constraints from these, and the CLI its choices."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    TRUE = "true"  # it happened
    FALSE = "false"  # it did not
    PARTIAL = "partial"
    AMBIGUOUS = "ambiguous"  # cannot be judged

    @property
    def happened(self) -> bool:
        """True and partial outcomes happened on a day: they carry an occurred date."""
        return self in (Outcome.TRUE, Outcome.PARTIAL)


class ClaimStatus(StrEnum):
    OPEN = "open"
    DUE = "due"  # the deadline has lapsed, no verdict yet
    RESOLVED = "resolved"
    DISPUTED = "disputed"


class ChangeKind(StrEnum):
    """What a journaled change to a claim did, besides its review (see ledger.domain.edits)."""

    EDITED = "edited"
    WITHDRAWN = "withdrawn"
    RESTORED = "restored"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    PARKED = "parked"  # failed too often: no longer retried
    CANCELLED = "cancelled"


class Granularity(StrEnum):
    """How precisely a deadline was said (see docs/deadlines.md)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    OPEN = "open"  # vague: no date was said


class ChannelType(StrEnum):
    SMTP = "smtp"
    WEBHOOK = "webhook"
    LOG = "log"


def values(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


def one_of(kind: type[StrEnum]) -> str:
    """'true, false, partial, ambiguous': for messages."""
    return ", ".join(values(kind))


def sql_in(column: str, kind: type[StrEnum]) -> str:
    """The CHECK constraint text ``column IN ('a', 'b')``; the values are fixed identifiers."""
    return f"{column} IN ({', '.join(repr(v) for v in values(kind))})"
