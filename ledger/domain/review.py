"""Reviewing a claim, without the ledger: what a resolution may say, and how votes become a verdict.

How votes become a verdict (docs/review.md says the same for users):

- The resolutions towards one verdict form a *round*. In a round each reviewer's latest
  resolution is their vote; changing it needs ``amend`` and a reason.
- A verdict is an outcome with its occurred date. The round is *settled* when one verdict has
  ``quorum`` distinct reviewers (with ``independent``, at least one of them is not whoever logged
  the claim): the claim is ``resolved`` with it.
- Votes that disagree while nothing is settled make the claim ``disputed``; any further vote
  settles it as soon as some verdict reaches the quorum.
- Amending a settled verdict opens the next round with the amendment as its first vote. With
  quorum 1 that is the new verdict at once; with a larger quorum the claim is ``disputed`` (its
  verdict challenged) until the new round settles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypedDict, TypeVar

from ledger.domain.text import LIMITS, about, block, name_key, one_line, within
from ledger.domain.urls import web_address
from ledger.domain.vocab import Outcome, one_of
from ledger.errors import InvalidInput


@dataclass(frozen=True)
class ReviewRules:
    """How many agreeing reviewers settle a verdict, and whether one must not be the claim's logger
    (the [review] section of the config)."""

    quorum: int = 1
    independent: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.quorum, bool) or not isinstance(self.quorum, int) or self.quorum < 1:
            raise InvalidInput("quorum must be a whole number of reviewers, 1 or more")

    @property
    def first_vote_settles(self) -> bool:
        """Whether one vote on a claim nobody has reviewed is its verdict."""
        return self.quorum == 1 and not self.independent


# What a resolution may say ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedResolution:
    outcome: Outcome
    occurred: date | None
    reviewer: str
    evidence: tuple[str, ...]
    note: str | None
    reason: str | None


def check_outcome(outcome: str | None) -> Outcome:
    raw = within((outcome or "").strip(), "outcome").lower()
    try:
        return Outcome(raw)
    except ValueError:
        raise InvalidInput(f"unknown outcome {raw!r}; use one of {one_of(Outcome)}") from None


def check_reviewer(reviewer: str | None) -> str:
    name = one_line(reviewer, "reviewer")
    if name is None:
        raise InvalidInput("no reviewer: give --reviewer NAME or set user.name in the config")
    return name


def check_evidence(evidence: Sequence[str]) -> tuple[str, ...]:
    """Each address once, in the order given."""
    if len(evidence) > LIMITS["evidence"]:
        raise InvalidInput(f"at most {LIMITS['evidence']} evidence addresses per resolution")
    return tuple(dict.fromkeys(web_address(raw, "evidence") for raw in evidence))


def check_occurred(outcome: Outcome, occurred: date | None, said: date, today: date) -> date | None:
    if occurred is None:
        return None
    if not outcome.happened:
        raise InvalidInput(f"occurred says when a true or partial outcome happened; a {outcome} outcome has none")
    if occurred < said:
        raise InvalidInput(f"occurred {occurred} is before the claim was said ({said})")
    if occurred > today:
        raise InvalidInput(f"occurred {occurred} is in the future; record what has happened")
    return occurred


def check_resolution(
    *,
    outcome: str | None,
    reviewer: str | None,
    said: date,
    today: date,
    occurred: date | None = None,
    evidence: Sequence[str] = (),
    note: str | None = None,
    reason: str | None = None,
    amend: bool = False,
) -> CheckedResolution:
    """Every rule of one reviewer's resolution of a claim said on ``said``."""
    with about("outcome"):
        checked_outcome = check_outcome(outcome)
    with about("reviewer"):
        name = check_reviewer(reviewer)
    with about("note"):
        checked_note = block(note, "note")
    with about("reason"):
        checked_reason = one_line(reason, "reason")
        if amend and checked_reason is None:
            raise InvalidInput("an amendment needs a reason: add --reason saying why the verdict changes")
        if checked_reason is not None and not amend:
            raise InvalidInput("--reason explains an amendment; use it with --amend (or --note for remarks)")
    with about("evidence"):
        urls = check_evidence(evidence)
    with about("occurred"):
        checked_occurred = check_occurred(checked_outcome, occurred, said, today)
    return CheckedResolution(checked_outcome, checked_occurred, name, urls, checked_note, checked_reason)


def is_late(outcome: str | None, occurred: date | None, deadline: date) -> bool:
    return outcome is not None and Outcome(outcome).happened and occurred is not None and occurred > deadline


# The tally of a round ---------------------------------------------------------------------------


class Vote(Protocol):
    """What the tally reads of a resolution."""

    id: int
    round: int
    reviewer: str
    outcome: str
    occurred: date | None
    recorded_at: datetime


V = TypeVar("V", bound=Vote)


def _verdict(vote: Vote) -> tuple[str, date | None]:
    return vote.outcome, vote.occurred



class VoteView(TypedDict):
    reviewer: str
    outcome: str
    occurred: str | None
    resolution: int  # the resolution's id
    recorded_at: str


class ReviewView(TypedDict):
    """The tally of a claim's current round."""

    round: int
    quorum: int
    independent: bool
    settled: bool
    awaiting: int
    needs_independent: bool
    votes: list[VoteView]


@dataclass(frozen=True)
class Tally:
    round: int
    votes: Sequence[Vote]  # each reviewer's latest resolution in the round, oldest first
    winner: Vote | None  # the vote whose verdict settled the round
    awaiting: int  # more agreeing reviewers the leading verdict needs (0 when settled)
    needs_independent: bool  # the leading verdict has enough votes, but only from the logger

    @property
    def disagree(self) -> bool:
        return len({_verdict(v) for v in self.votes}) > 1

    def view(self, rules: ReviewRules) -> ReviewView:
        return {
            "round": self.round,
            "quorum": rules.quorum,
            "independent": rules.independent,
            "settled": self.winner is not None,
            "awaiting": self.awaiting,
            "needs_independent": self.needs_independent,
            "votes": [
                {
                    "reviewer": v.reviewer,
                    "outcome": v.outcome,
                    "occurred": v.occurred.isoformat() if v.occurred else None,
                    "resolution": v.id,
                    "recorded_at": v.recorded_at.isoformat(),
                }
                for v in self.votes
            ],
        }


def tally(logged_by: str, resolutions: Sequence[V], rules: ReviewRules, newest: V | None = None) -> Tally:
    """Count the latest round of ``resolutions`` (all of one claim, in id order) of a claim logged
    by ``logged_by``."""
    current = max((r.round for r in resolutions), default=1)
    latest: dict[str, V] = {}
    for row in resolutions:
        if row.round == current:
            latest.pop(name_key(row.reviewer), None)  # re-insert so the order is of latest votes
            latest[name_key(row.reviewer)] = row
    votes = list(latest.values())
    logger = name_key(logged_by)
    groups: dict[tuple[str, date | None], list[V]] = {}
    for vote in votes:
        groups.setdefault(_verdict(vote), []).append(vote)
    settled = [
        g for g in groups.values()
        if len(g) >= rules.quorum and (not rules.independent or any(name_key(v.reviewer) != logger for v in g))
    ]
    # Votes are tallied after each one, so only the newest vote's verdict can have just settled.
    settled.sort(key=lambda g: newest is not None and _verdict(newest) == _verdict(g[0]), reverse=True)
    winner = max(settled[0], key=lambda v: v.id) if settled else None
    biggest = max((len(g) for g in groups.values()), default=0)
    return Tally(
        round=current,
        votes=votes,
        winner=winner,
        awaiting=0 if winner else max(rules.quorum - biggest, 0) or 1,
        needs_independent=winner is None and biggest >= rules.quorum,
    )
