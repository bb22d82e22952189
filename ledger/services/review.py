"""Reviewing claims: outcomes with evidence, amendments, quorum and disputes, and each claim's
history. Resolutions are only ever inserted; the claim row carries the current verdict so reports
read one table.

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

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ledger.config import review_settings
from ledger.domain.chain import canonical_json
from ledger.domain.claims import name_key
from ledger.errors import Conflict, InvalidInput
from ledger.services import journal
from ledger.services.claims import get_claim
from ledger.store.engine import Ledger
from ledger.store.models import Claim, JournalEntry, Resolution
from ledger.store.models.review import OUTCOMES
from ledger.store.types import utcnow

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ReviewRules:
    """The [review] section of the config."""

    quorum: int = 1
    independent: bool = False

    @classmethod
    def from_config(cls, config) -> ReviewRules:
        return cls(**review_settings(config))


# Views ------------------------------------------------------------------------------------------


def evidence_of(row: Resolution) -> list[str]:
    return json.loads(row.evidence) if row.evidence else []


def resolution_view(row: Resolution) -> dict:
    return {
        "id": row.id,
        "claim_id": row.claim_id,
        "outcome": row.outcome,
        "occurred": row.occurred.isoformat() if row.occurred else None,
        "reviewer": row.reviewer,
        "evidence": evidence_of(row),
        "note": row.note,
        "reason": row.reason,
        "supersedes": row.supersedes_id,
        "round": row.round,
        "claim_version": row.claim_version,
        "recorded_at": row.recorded_at.isoformat(),
    }


def is_late(claim: Claim) -> bool:
    return claim.outcome in ("true", "partial") and claim.occurred is not None and claim.occurred > claim.deadline


def verdict_view(claim: Claim) -> dict:
    """A claim with its current verdict: what `resolve`, `history` and `disputes` show about it."""
    return {
        "id": claim.id,
        "speaker": claim.speaker.name,
        "text": claim.text,
        "said": claim.said.isoformat(),
        "deadline": claim.deadline.isoformat(),
        "logged_by": claim.logged_by,
        "status": claim.status,
        "outcome": claim.outcome,
        "occurred": claim.occurred.isoformat() if claim.occurred else None,
        "late": is_late(claim),
        "resolved_at": claim.resolved_at.isoformat() if claim.resolved_at else None,
        "version": claim.version,
    }


# The tally of a round ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    round: int
    votes: list[Resolution]  # each reviewer's latest resolution in the round, oldest first
    winner: Resolution | None  # the vote whose verdict settled the round
    awaiting: int  # more agreeing reviewers the leading verdict needs (0 when settled)
    needs_independent: bool  # the leading verdict has enough votes, but only from the logger

    @property
    def disagree(self) -> bool:
        return len({_verdict(v) for v in self.votes}) > 1

    def view(self, rules: ReviewRules) -> dict:
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


def _verdict(row: Resolution) -> tuple[str, date | None]:
    return row.outcome, row.occurred


def tally(claim: Claim, resolutions: Sequence[Resolution], rules: ReviewRules, newest: Resolution | None = None) -> Tally:
    """Count the latest round of ``resolutions`` (all of one claim, in id order)."""
    current = max((r.round for r in resolutions), default=1)
    latest: dict[str, Resolution] = {}
    for row in resolutions:
        if row.round == current:
            latest.pop(name_key(row.reviewer), None)  # re-insert so the order is of latest votes
            latest[name_key(row.reviewer)] = row
    votes = list(latest.values())
    logger = name_key(claim.logged_by)
    groups: dict[tuple, list[Resolution]] = {}
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


def claim_resolutions(session: Session, claim_id: int) -> list[Resolution]:
    return list(session.scalars(select(Resolution).where(Resolution.claim_id == claim_id).order_by(Resolution.id)))


# Recording --------------------------------------------------------------------------------------


def clean_optional(value: str | None) -> str | None:
    cleaned = _SPACES.sub(" ", value or "").strip()
    return cleaned or None


def check_evidence(evidence: Sequence[str]) -> list[str]:
    urls: list[str] = []
    for raw in evidence:
        url = (raw or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            raise InvalidInput(f"evidence must be a web address (http:// or https://), not {raw!r}")
        if url not in urls:
            urls.append(url)
    return urls


def _check_occurred(claim: Claim, outcome: str, occurred: date | None) -> None:
    if occurred is None:
        return
    if outcome not in ("true", "partial"):
        raise InvalidInput(f"--occurred says when a true or partial outcome happened; a {outcome} outcome has none")
    if occurred < claim.said:
        raise InvalidInput(f"occurred {occurred} is before claim #{claim.id} was said ({claim.said})")
    if occurred > date.today():
        raise InvalidInput(f"occurred {occurred} is in the future; record what has happened")


def _history_hint(claim_id: int) -> str:
    return f"see `claims history {claim_id}`"


def record_resolution(
    session: Session,
    claim: Claim,
    *,
    outcome: str,
    reviewer: str,
    occurred: date | None = None,
    evidence: Sequence[str] = (),
    note: str | None = None,
    reason: str | None = None,
    amend: bool = False,
    quorum: int = 1,
    independent: bool = False,
    actor: str | None = None,
    expected_version: int | None = None,
) -> Resolution:
    """Record one reviewer's outcome for ``claim`` in the caller's transaction and update the claim's
    status and verdict (see the module docstring). Journals the resolution and the claim."""
    outcome = (outcome or "").strip().lower()
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}")
    reviewer_name = clean_optional(reviewer)
    if reviewer_name is None:
        raise InvalidInput("no reviewer: give --reviewer NAME or set user.name in the config")
    if len(reviewer_name) > 200:
        raise InvalidInput("reviewer name is longer than 200 characters")
    reason, note = clean_optional(reason), (note or "").strip() or None
    if amend and reason is None:
        raise InvalidInput("an amendment needs a reason: add --reason saying why the verdict changes")
    if reason is not None and not amend:
        raise InvalidInput("--reason explains an amendment; use it with --amend (or --note for remarks)")
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 1:
        raise InvalidInput("quorum must be a whole number of reviewers, 1 or more")
    urls = check_evidence(evidence)

    # Lock the claim (PostgreSQL: SELECT ... FOR UPDATE; SQLite already holds the write lock) and
    # read it afresh, so a concurrent reviewer's committed vote is seen, never overwritten.
    session.flush()
    session.execute(select(Claim.id).where(Claim.id == claim.id).with_for_update())
    session.refresh(claim)
    if expected_version is not None and claim.version != expected_version:
        raise Conflict(
            f"claim #{claim.id} changed since version {expected_version} (now {claim.version}): "
            f"someone else reviewed or edited it; {_history_hint(claim.id)}"
        )
    _check_occurred(claim, outcome, occurred)

    rules = ReviewRules(quorum, independent)
    earlier = claim_resolutions(session, claim.id)
    before = tally(claim, earlier, rules)
    key = name_key(reviewer_name)
    mine = next((v for v in before.votes if name_key(v.reviewer) == key), None)
    if claim.status == "resolved":
        if not amend:
            last = before.winner or (earlier[-1] if earlier else None)
            by = f", by {last.reviewer} at {last.recorded_at:%Y-%m-%d %H:%M} UTC" if last else ""
            raise Conflict(
                f"claim #{claim.id} is already resolved ({claim.outcome}{by}); to change the verdict use "
                f"--amend --reason WHY ({_history_hint(claim.id)})"
            )
        round_, supersedes = before.round + 1, before.winner or (earlier[-1] if earlier else None)
    elif mine is not None:
        if not amend:
            raise Conflict(
                f"{mine.reviewer} already reviewed claim #{claim.id} in this round ({mine.outcome}); to change "
                f"that vote use --amend --reason WHY ({_history_hint(claim.id)})"
            )
        round_, supersedes = before.round, mine
    else:
        if amend:
            raise InvalidInput(
                f"claim #{claim.id} has no verdict and no vote of {reviewer_name}'s to amend; resolve it without --amend"
            )
        round_, supersedes = before.round, None

    now = utcnow()
    row = Resolution(
        claim_id=claim.id,
        outcome=outcome,
        occurred=occurred,
        reviewer=reviewer_name,
        evidence=canonical_json(urls),
        note=note,
        reason=reason,
        supersedes_id=supersedes.id if supersedes else None,
        claim_version=claim.version,
        round=round_,
        recorded_at=now,
    )
    session.add(row)
    who = actor or reviewer_name
    journal.record(session, actor=who, action="resolution.amended" if amend else "resolution.recorded", row=row)

    after = tally(claim, [*earlier, row], rules, newest=row)
    if after.winner is not None:
        action = "claim.resolved"
        claim.status, claim.outcome, claim.occurred = "resolved", after.winner.outcome, after.winner.occurred
        claim.resolved_at = now
    else:
        challenged = round_ > 1
        action = "claim.disputed" if (after.disagree or challenged) else "claim.reviewed"
        if action == "claim.disputed":
            claim.status = "disputed"
        elif claim.status not in ("open", "due"):  # a dispute resolved itself below the quorum
            claim.status = "due" if claim.deadline < date.today() else "open"
        claim.outcome = claim.occurred = claim.resolved_at = None
    # Every review is a new claim version, even one that leaves the verdict as it was: a reviewer
    # who read the claim before it is told it changed.
    flag_modified(claim, "status")
    claim_id = claim.id  # a failed flush leaves the session unusable, attribute reads included
    try:
        journal.record(session, actor=who, action=action, row=claim)
    except StaleDataError:
        raise Conflict(f"claim #{claim_id} was changed by someone else at the same moment; {_history_hint(claim_id)}") from None
    return row


def resolve(ledger: Ledger, claim_id: int, *, expected_version: int | None = None, **options) -> dict:
    """Record a resolution in one transaction; returns the claim, the resolution and the tally."""
    with ledger.write() as session:
        claim = get_claim(session, claim_id)
        row = record_resolution(session, claim, expected_version=expected_version, **options)
        rules = ReviewRules(options.get("quorum", 1), options.get("independent", False))
        votes = tally(claim, claim_resolutions(session, claim.id), rules, newest=row)
        return {"claim": verdict_view(claim), "resolution": resolution_view(row), "review": votes.view(rules)}


# Reading ----------------------------------------------------------------------------------------


def _changes(before: dict | None, after: dict) -> dict:
    if before is None:
        return {}
    skip = {"version"}
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if k not in skip and before.get(k) != v}


def history(ledger: Ledger, claim_id: int, rules: ReviewRules = ReviewRules()) -> dict:
    """Every journaled change to a claim and every resolution of it, oldest first, as the journal
    recorded them (not as the rows now are: `claims verify` checks those agree)."""
    with ledger.read() as session:
        claim = get_claim(session, claim_id)
        resolutions = claim_resolutions(session, claim_id)
        ids = [r.id for r in resolutions]
        query = select(JournalEntry).where(
            ((JournalEntry.entity == "claim") & (JournalEntry.entity_id == claim_id))
            | ((JournalEntry.entity == "resolution") & JournalEntry.entity_id.in_(ids or [-1]))
        )
        events, previous = [], None
        for entry in session.scalars(query.order_by(JournalEntry.seq)):
            payload = json.loads(entry.payload)
            event = {
                "seq": entry.seq,
                "at": entry.at.isoformat(),
                "actor": entry.actor,
                "action": entry.action,
                "entity": entry.entity,
                "entity_id": entry.entity_id,
            }
            if entry.entity == "claim":
                event["changes"] = _changes(previous, payload)
                previous = payload
            else:
                payload["evidence"] = json.loads(payload["evidence"]) if payload.get("evidence") else []
                payload["supersedes"] = payload.pop("supersedes_id", None)
                event["resolution"] = payload
            events.append(event)
        return {
            "claim": verdict_view(claim),
            "review": tally(claim, resolutions, rules).view(rules),
            "events": events,
        }


def disputes(ledger: Ledger, rules: ReviewRules = ReviewRules()) -> list[dict]:
    """Disputed claims, oldest first, each with the votes of its open round."""
    with ledger.read() as session:
        claims = session.scalars(
            select(Claim).options(joinedload(Claim.speaker)).where(Claim.status == "disputed").order_by(Claim.id)
        ).all()
        by_claim: dict[int, list[Resolution]] = {c.id: [] for c in claims}
        if claims:
            for row in session.scalars(
                select(Resolution).where(Resolution.claim_id.in_(list(by_claim))).order_by(Resolution.id)
            ):
                by_claim[row.claim_id].append(row)
        return [
            {**verdict_view(c), "review": tally(c, by_claim[c.id], rules).view(rules)} for c in claims
        ]
