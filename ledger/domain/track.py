"""A speaker's track record: one row per claim, the list behind every number of the report.

Each row says what a journalist would print: when it was said, the words (the quote, else the
claim's text), the deadline as said and as a date, where it stands on the report date, when it
happened and how many days late (negative: early), who judged it and on what evidence, and the
claim it restates, and whether what was judged (the words, the date said, the deadline) was edited
after the verdict. The state comes from the report's own state codes, so the track record and the
figures above it never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypedDict

from ledger.domain.edits import substance_changed
from ledger.domain.report import AMBIGUOUS, AWAITING, DISPUTED, FALSE, OPEN, OVERDUE, PARTIAL, TRUE, TRUE_LATE

# What each state code reads as in a track record's status column.
STATUS_WORDS = {
    OPEN: "open",
    OVERDUE: "overdue",
    DISPUTED: "disputed",
    AMBIGUOUS: "ambiguous",
    AWAITING: "awaiting deadline",
    FALSE: "false",
    TRUE: "true",
    TRUE_LATE: "true, late",
    PARTIAL: "partial",
}


class TrackRow(TypedDict):
    """One claim in a track record (`claims report --claims`; keys in docs/report.md)."""

    id: int
    speaker: str
    speaker_id: int
    said: str
    words: str  # the quote if there is one, else the claim's text
    deadline_text: str
    deadline: str
    status: str  # one of STATUS_WORDS' values
    outcome: str | None  # the verdict on the report date, if any
    occurred: str | None
    days_late: int | None  # occurred minus deadline, for an outcome that happened on a known date
    reviewers: list[str]
    evidence: list[str]
    restates: int | None
    source_url: str | None
    tags: list[str]
    edited_after_verdict: str | None  # the day of the latest edit of substance since the verdict


class ClaimFacts(NamedTuple):
    """A claim as the track record's query returns it, with its state on the report date."""

    id: int
    speaker: str
    speaker_id: int
    said: date
    text: str
    quote: str | None
    deadline_text: str
    deadline: date
    state: int
    outcome: str | None
    occurred: date | None
    restates: int | None
    source_url: str | None


class Verdict(NamedTuple):
    """Who stood behind a claim's verdict on the report date, the evidence they gave, and the day
    of the latest edit of what they judged made after the last of their votes (None: none since)."""

    reviewers: Sequence[str]
    evidence: Sequence[str]
    edited_after: date | None = None


NO_VERDICT = Verdict((), ())


def days_late(outcome: str | None, occurred: date | None, deadline: date) -> int | None:
    """Days from the deadline to the outcome (negative when early), for true or partial outcomes
    with a known date; None for anything else: a false outcome has no delivery date."""
    if outcome not in ("true", "partial") or occurred is None:
        return None
    return (occurred - deadline).days


def track_row(claim: ClaimFacts, verdict: Verdict, tags: Iterable[str] = ()) -> TrackRow:
    known = claim.state not in (OPEN, OVERDUE)
    outcome = claim.outcome if known else None
    occurred = claim.occurred if known else None
    return {
        "id": claim.id,
        "speaker": claim.speaker,
        "speaker_id": claim.speaker_id,
        "said": claim.said.isoformat(),
        "words": claim.quote or claim.text,
        "deadline_text": claim.deadline_text,
        "deadline": claim.deadline.isoformat(),
        "status": STATUS_WORDS[claim.state],
        "outcome": outcome,
        "occurred": occurred.isoformat() if occurred else None,
        "days_late": days_late(outcome, occurred, claim.deadline),
        "reviewers": list(verdict.reviewers) if known else [],
        "evidence": list(verdict.evidence) if known else [],
        "restates": claim.restates,
        "source_url": claim.source_url,
        "tags": sorted(tags),
        "edited_after_verdict": verdict.edited_after.isoformat() if known and verdict.edited_after else None,
    }


class Vote(NamedTuple):
    """A resolution as the track record reads it, oldest first."""

    round: int
    reviewer: str
    outcome: str
    occurred: date | None
    evidence: Sequence[str]
    recorded_at: datetime


class Edit(NamedTuple):
    """An edit of a claim as the track record reads it: when, and the fields it changed."""

    at: datetime
    changes: dict[str, Any]


def verdict_behind(votes: Sequence[Vote], outcome: str | None, occurred: date | None,
                   edits: Sequence[Edit] = ()) -> Verdict:
    """The reviewers whose latest vote in the latest round is the claim's verdict, and the evidence
    they gave (each link once, in the order given): who a reader can hold to it. An edit of
    substance after the last vote means the verdict was given on other words or dates than a
    reader now sees; a vote after the edit judged the claim as it now reads."""
    if outcome is None or not votes:
        return NO_VERDICT
    last_round = max(v.round for v in votes)
    latest: dict[str, Vote] = {}
    for vote in votes:
        if vote.round == last_round:
            latest[vote.reviewer] = vote
    behind = [v for v in latest.values() if v.outcome == outcome and v.occurred == occurred]
    evidence = list(dict.fromkeys(url for v in behind for url in v.evidence))
    judged = max(v.recorded_at for v in votes)
    later = [e.at for e in edits if e.at > judged and substance_changed(e.changes)]
    return Verdict([v.reviewer for v in behind], evidence, max(later).date() if later else None)
