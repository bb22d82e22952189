"""The shapes services return and the renderers and ``--json`` read, defined once.

Each is a TypedDict: the value is a plain dict (so ``--json`` prints it as it is), and its keys
and types are written here, where a type checker and a reader find them. The README and docs
document the same keys for users. The report's shapes belong with its figures, the reminders'
with their text, in the domain; they are named here too so that this is the one list.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

if TYPE_CHECKING:
    from ledger.domain.reminders import CalendarClaim, DueClaim
    from ledger.domain.report import AccuracyReport, Leaderboard, LeaderboardRow, ReportHeader, SpeakerReport
    from ledger.domain.review import ReviewView, VoteView

# The shapes defined in the domain, imported only when asked for: `claims show` and `list` never
# read a report's, and their start-up is measured (python -m benchmarks).
_ELSEWHERE = {
    "CalendarClaim": "ledger.domain.reminders", "DueClaim": "ledger.domain.reminders",
    "ReviewView": "ledger.domain.review", "VoteView": "ledger.domain.review",
    **dict.fromkeys(["AccuracyReport", "Leaderboard", "LeaderboardRow", "ReportHeader", "SpeakerReport"], "ledger.domain.report"),
}


def __getattr__(name: str) -> Any:
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "AccuracyReport", "Assignment", "CalendarClaim", "ClaimView", "DisputeView", "DueClaim", "HistoryEvent", "HistoryView", "ResolvedView",
    "Leaderboard", "LeaderboardRow", "ReminderView", "ReportHeader", "ResolutionView", "ReviewView", "ReviewerView",
    "SourceView", "SpeakerReport", "SpeakerView", "VerdictView", "VoteView",
]


class SourceView(TypedDict):
    id: int
    url: str | None
    title: str | None
    publisher: str | None
    published: str | None  # ISO date
    text_sha256: str | None


class SpeakerView(TypedDict):
    id: int
    name: str
    aliases: list[str]
    claims: NotRequired[int]  # in `claims speaker list`


class ClaimView(TypedDict):
    """A claim, as `claims add`, `show` and `list --json` print it (dates as ISO text)."""

    id: int
    speaker: str
    speaker_id: int
    text: str
    quote: str | None
    said: str
    deadline: str
    deadline_text: str
    deadline_earliest: str
    deadline_granularity: str
    deadline_timex: str | None
    deadline_strict: str | None
    deadline_assumed: bool
    probability: float | None
    confidence: str | None
    event: str | None  # the event it forecasts (docs/report.md, "Events")
    status: str  # as the dates say it today: an open claim past its deadline is due
    outcome: str | None
    occurred: str | None
    withdrawn: bool
    tags: list[str]
    source: SourceView | None
    restates: int | None
    logged_by: str
    logged_at: str
    version: int
    # `claims show` (and edit, withdraw, restore) also give:
    speaker_aliases: NotRequired[list[str]]
    restated_by: NotRequired[list[int]]
    reviewers: NotRequired[list[str]]  # who gave the current verdict
    evidence: NotRequired[list[str]]
    note: NotRequired[str | None]
    edited: NotRequired[bool]
    edits: NotRequired[list[dict[str, Any]]]  # at, actor, reason, fields, after_verdict
    withdrawn_at: NotRequired[str | None]
    withdrawn_reason: NotRequired[str | None]


class ResolutionView(TypedDict):
    id: int
    claim_id: int
    outcome: str
    occurred: str | None
    reviewer: str
    evidence: list[str]
    note: str | None
    reason: str | None
    supersedes: int | None
    round: int
    claim_version: int
    recorded_at: str


class VerdictView(TypedDict):
    """A claim with its current verdict: what `resolve`, `history` and `disputes` show about it."""

    id: int
    speaker: str
    text: str
    said: str
    deadline: str
    logged_by: str
    status: str
    outcome: str | None
    occurred: str | None
    late: bool
    resolved_at: str | None
    version: int


class HistoryEvent(TypedDict):
    """One journal entry about a claim or one of its resolutions."""

    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: int
    changes: NotRequired[dict[str, dict[str, Any]]]  # a claim's: field -> {"from": ..., "to": ...}
    resolution: NotRequired[dict[str, Any]]  # a resolution's, as journaled
    change: NotRequired[dict[str, str]]  # an edit's, withdrawal's or restoration's: action and reason


class ResolvedView(TypedDict):
    """What `claims resolve` returns: the claim's new verdict, the resolution and the tally."""

    claim: VerdictView
    resolution: ResolutionView
    review: ReviewView


class DisputeView(VerdictView):
    """A disputed claim and the votes of its open round (`claims disputes`)."""

    review: ReviewView


class HistoryView(TypedDict):
    claim: VerdictView
    review: ReviewView
    events: list[HistoryEvent]


class ReminderView(TypedDict):
    """One row of the reminder outbox, as `claims reminders list` shows it."""

    id: int
    claim_id: int
    recipient: str
    channel: str
    number: int
    due_on: str | None
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: str | None  # only while it may still be sent
    sent_at: str | None


class ReviewerView(TypedDict):
    id: int
    name: str
    email: str | None
    claims: NotRequired[int]  # in `claims reviewer list`


class Assignment(TypedDict):
    claim_id: int
    reviewer: str
    email: str | None
