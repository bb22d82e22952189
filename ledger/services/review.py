"""Reviewing claims: outcomes with evidence, amendments, quorum and disputes, and each claim's
history. Resolutions are only ever inserted; the claim row carries the current verdict so reports
read one table. The rules (what a resolution may say, how votes become a verdict) are in
ledger.domain.review; this module reads and writes the rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ledger.config import review_settings
from ledger.domain.chain import canonical_json
from ledger.domain.review import ReviewRules, check_resolution, is_late, tally
from ledger.domain.text import name_key
from ledger.domain.vocab import ClaimStatus
from ledger.errors import Conflict, InvalidInput
from ledger.services import journal
from ledger.services.claims import get_claim
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimChange, JournalEntry, Resolution
from ledger.store.types import utcnow
from ledger.views import DisputeView, HistoryEvent, HistoryView, ResolutionView, ResolvedView, VerdictView

__all__ = ["ReviewRules", "disputes", "history", "record_resolution", "resolve", "resolution_view", "review_rules", "verdict_view"]


def review_rules(config) -> ReviewRules:
    """The [review] section of the config (checked when the config is read)."""
    return ReviewRules(**review_settings(config))


# Views ------------------------------------------------------------------------------------------


def evidence_of(row: Resolution) -> list[str]:
    return json.loads(row.evidence) if row.evidence else []


def resolution_view(row: Resolution) -> ResolutionView:
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


def verdict_view(claim: Claim) -> VerdictView:
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
        "late": is_late(claim.outcome, claim.occurred, claim.deadline),
        "resolved_at": claim.resolved_at.isoformat() if claim.resolved_at else None,
        "version": claim.version,
    }


def claim_resolutions(session: Session, claim_id: int) -> list[Resolution]:
    return list(session.scalars(select(Resolution).where(Resolution.claim_id == claim_id).order_by(Resolution.id)))


# Recording --------------------------------------------------------------------------------------


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
    today: date,
) -> Resolution:
    """Record one reviewer's outcome for ``claim`` in the caller's transaction and update the claim's
    status and verdict (see ledger.domain.review). Journals the resolution and the claim.
    ``today`` bounds ``occurred`` and decides whether a reopened claim is due."""
    rules = ReviewRules(quorum, independent)
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
    checked = check_resolution(
        outcome=outcome, reviewer=reviewer, said=claim.said, today=today, occurred=occurred,
        evidence=evidence, note=note, reason=reason, amend=amend,
    )
    reviewer_name = checked.reviewer

    earlier = claim_resolutions(session, claim.id)
    before = tally(claim.logged_by, earlier, rules)
    key = name_key(reviewer_name)
    mine = next((v for v in before.votes if name_key(v.reviewer) == key), None)
    if claim.status == ClaimStatus.RESOLVED:
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
        outcome=checked.outcome.value,
        occurred=checked.occurred,
        reviewer=reviewer_name,
        evidence=canonical_json(list(checked.evidence)),
        note=checked.note,
        reason=checked.reason,
        supersedes_id=supersedes.id if supersedes else None,
        claim_version=claim.version,
        round=round_,
        recorded_at=now,
    )
    session.add(row)
    who = actor or reviewer_name
    journal.record(session, actor=who, action="resolution.amended" if amend else "resolution.recorded", row=row)

    after = tally(claim.logged_by, [*earlier, row], rules, newest=row)
    if after.winner is not None:
        action = "claim.resolved"
        claim.status, claim.outcome, claim.occurred = ClaimStatus.RESOLVED.value, after.winner.outcome, after.winner.occurred
        claim.resolved_at = now
    else:
        challenged = round_ > 1
        action = "claim.disputed" if (after.disagree or challenged) else "claim.reviewed"
        if action == "claim.disputed":
            claim.status = ClaimStatus.DISPUTED.value
        elif claim.status not in (ClaimStatus.OPEN, ClaimStatus.DUE):  # a dispute resolved itself below the quorum
            claim.status = (ClaimStatus.DUE if claim.deadline < today else ClaimStatus.OPEN).value
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


def resolve(ledger: Ledger, claim_id: int, *, expected_version: int | None = None, **options) -> ResolvedView:
    """Record a resolution in one transaction; returns the claim, the resolution and the tally."""
    with ledger.write() as session:
        claim = get_claim(session, claim_id)
        row = record_resolution(session, claim, expected_version=expected_version, **options)
        rules = ReviewRules(options.get("quorum", 1), options.get("independent", False))
        votes = tally(claim.logged_by, claim_resolutions(session, claim.id), rules, newest=row)
        return {"claim": verdict_view(claim), "resolution": resolution_view(row), "review": votes.view(rules)}


# Reading ----------------------------------------------------------------------------------------


def _changes(before: dict | None, after: dict) -> dict:
    if before is None:
        return {}
    skip = {"version"}
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if k not in skip and before.get(k) != v}


def history(ledger: Ledger, claim_id: int, rules: ReviewRules = ReviewRules()) -> HistoryView:
    """Every journaled change to a claim and every resolution of it, oldest first, as the journal
    recorded them (not as the rows now are: `claims verify` checks those agree)."""
    with ledger.read() as session:
        claim = get_claim(session, claim_id)
        resolutions = claim_resolutions(session, claim_id)
        ids = [r.id for r in resolutions]
        changes = list(session.scalars(select(ClaimChange.id).where(ClaimChange.claim_id == claim_id)))
        query = select(JournalEntry).where(
            ((JournalEntry.entity == "claim") & (JournalEntry.entity_id == claim_id))
            | ((JournalEntry.entity == "resolution") & JournalEntry.entity_id.in_(ids or [-1]))
            | ((JournalEntry.entity == "change") & JournalEntry.entity_id.in_(changes or [-1]))
        )
        events: list[HistoryEvent] = []
        previous = None
        for entry in session.scalars(query.order_by(JournalEntry.seq)):
            payload = json.loads(entry.payload)
            event: HistoryEvent = {
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
            elif entry.entity == "change":  # why the claim entry before it changed
                event["change"] = {"action": payload["action"], "reason": payload["reason"]}
            else:
                payload["evidence"] = json.loads(payload["evidence"]) if payload.get("evidence") else []
                payload["supersedes"] = payload.pop("supersedes_id", None)
                event["resolution"] = payload
            events.append(event)
        return {
            "claim": verdict_view(claim),
            "review": tally(claim.logged_by, resolutions, rules).view(rules),
            "events": events,
        }


def disputes(ledger: Ledger, rules: ReviewRules = ReviewRules()) -> list[DisputeView]:
    """Disputed claims, oldest first, each with the votes of its open round."""
    with ledger.read() as session:
        claims = session.scalars(
            select(Claim).options(joinedload(Claim.speaker)).where(Claim.status == ClaimStatus.DISPUTED.value).order_by(Claim.id)
        ).all()
        by_claim: dict[int, list[Resolution]] = {c.id: [] for c in claims}
        if claims:
            for row in session.scalars(
                select(Resolution).where(Resolution.claim_id.in_(list(by_claim))).order_by(Resolution.id)
            ):
                by_claim[row.claim_id].append(row)
        return [
            DisputeView(**verdict_view(c), review=tally(c.logged_by, by_claim[c.id], rules).view(rules)) for c in claims
        ]
