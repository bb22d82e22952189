"""Changing a claim after it was logged: edits, withdrawals and restorations, each one transaction
that journals the claim and a ``claim_changes`` row with the reason and the fields before and after.

The rules (what needs a reason, what a moved deadline does to the status) are in
ledger.domain.edits; a claim's own checks are ledger.domain.claims.check_claim, as for `claims add`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ledger.domain.chain import canonical_json
from ledger.domain.claims import check_claim, clean_tag, valid_id
from ledger.domain.edits import changed_fields, check_reason, status_after_move
from ledger.domain.text import check_actor
from ledger.domain.vocab import ChangeKind, ClaimStatus
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.services import journal
from ledger.services.claims import claim_shown, claim_with_key, get_claim
from ledger.services.people import require_source
from ledger.services.reminders.outbox import UNDELIVERED
from ledger.services.restatements import check_restatement, record_link
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimChange, ClaimTag, RestatementChange
from ledger.store.models.reminders import Reminder, ReminderSchedule
from ledger.store.snapshots import snapshot
from ledger.store.types import utcnow

__all__ = ["ClaimEdit", "edit_claim", "restore_claim", "withdraw_claim"]


@dataclass(frozen=True)
class ClaimEdit:
    """What a user changes in a claim; None leaves a value as it is, "" clears an optional one."""

    reason: str | None
    text: str | None = None
    quote: str | None = None
    said: date | None = None
    deadline: str | None = None
    horizon: str | None = None
    probability: str | None = None
    confidence: str | None = None
    event: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    untags: tuple[str, ...] = field(default_factory=tuple)
    source: str | None = None
    restates: int | None = None


def _hint(claim_id: int) -> str:
    return f"see `claims history {claim_id}`"


def locked_claim(session: Session, claim_id: int, expected_version: int | None) -> Claim:
    """The claim, locked for this transaction and read afresh; a Conflict if it is no longer at
    ``expected_version`` (someone changed it since the user read it)."""
    if valid_id(claim_id):  # locked before it is read, so what is read is what this transaction changes
        session.execute(select(Claim.id).where(Claim.id == claim_id).with_for_update())
    claim = get_claim(session, claim_id)
    if expected_version is not None and claim.version != expected_version:
        raise Conflict(
            f"claim #{claim_id} changed since version {expected_version} (now {claim.version}): "
            f"someone else reviewed or edited it; {_hint(claim_id)}"
        )
    return claim


def _quiet_reminders(session: Session, claim_id: int) -> int:
    """A claim that no longer needs reminding (reopened, withdrawn) leaves the schedule, and what
    it had queued is cancelled; returns how many reminders were."""
    session.execute(delete(ReminderSchedule).where(ReminderSchedule.claim_id == claim_id))
    return session.execute(
        update(Reminder)
        .where(Reminder.claim_id == claim_id, Reminder.status.in_(UNDELIVERED))
        .values(status="cancelled", claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def _journal(session: Session, claim: Claim, kind: ChangeKind, reason: str, changes: dict, actor: str,
             link: RestatementChange | None = None) -> None:
    row = ClaimChange(
        claim_id=claim.id, action=kind.value, reason=reason, changes=canonical_json(changes), actor=actor, at=utcnow()
    )
    session.add(row)
    claim_id = claim.id  # a failed flush leaves the session unusable, attribute reads included
    entries = [(f"claim.{kind.value}", "claim", claim), ("change.recorded", "change", row)]
    if link is not None:
        entries.append(("restatement.changed", "restatement", link))
    try:
        journal.record_many(session, actor=actor, changes=entries)
    except StaleDataError:
        raise Conflict(f"claim #{claim_id} was changed by someone else at the same moment; {_hint(claim_id)}") from None


def _apply(session: Session, claim: Claim, edit: ClaimEdit, today: date, reason: str, actor: str) -> RestatementChange | None:
    """Check the claim as it would be after ``edit`` (every rule of `claims add` and, for its
    restated claim, of `claims link`) and change it; returns the link changed, if any."""
    tags = {t.tag for t in claim.tags}
    for tag in edit.untags:
        cleaned = clean_tag(tag)
        if cleaned not in tags:
            raise InvalidInput(f"claim #{claim.id} has no tag {cleaned!r} to remove")
        tags.discard(cleaned)
    tags |= {clean_tag(t) for t in edit.tags}
    moved = edit.deadline is not None or (edit.said is not None and edit.said != claim.said)
    # An unmoved deadline is checked as the date it is, so a deadline once assumed from a horizon
    # needs no horizon again; a new date said re-reads the words as said from that day.
    expression = edit.deadline if edit.deadline is not None else claim.deadline_text if moved else claim.deadline.isoformat()
    checked = check_claim(
        text=claim.text if edit.text is None else edit.text,
        said=edit.said or claim.said,
        deadline=expression,
        today=today,
        quote=claim.quote if edit.quote is None else edit.quote,
        probability=claim.probability if edit.probability is None else edit.probability,
        confidence=claim.confidence if edit.confidence is None else edit.confidence,
        event=claim.event if edit.event is None else edit.event,
        tags=sorted(tags),
        horizon=edit.horizon,
    )
    if edit.source is not None:
        claim.source = require_source(session, edit.source) if edit.source.strip() else None
    if edit.restates is not None or checked.said != claim.said:
        # The rules of `claims link`: same speaker, an earlier claim, no cycle, and a new date
        # said that keeps the claim before the claims restating it.
        if edit.restates is not None and (not valid_id(edit.restates) or session.get(Claim, edit.restates) is None):
            raise NotFound(f"no claim #{edit.restates} to restate")
        check_restatement(session, claim, restates=claim.restates_id if edit.restates is None else edit.restates,
                          said=checked.said)
    if (checked.said, checked.text_sha256) != (claim.said, claim.text_sha256):
        twin = claim_with_key(session, claim.speaker_id, checked.said, checked.text_sha256, other_than=claim.id)
        if twin is not None:
            raise Conflict(f"claim #{twin} already records this: same speaker, date said and text")
    claim.text, claim.text_sha256, claim.quote, claim.said = checked.text, checked.text_sha256, checked.quote, checked.said
    claim.probability, claim.confidence, claim.event = checked.probability, checked.confidence, checked.event
    if moved:
        d = checked.deadline
        claim.deadline_text, claim.deadline, claim.deadline_earliest = d.expression, d.deadline, d.earliest
        claim.deadline_granularity, claim.deadline_timex = d.granularity, d.timex
        claim.deadline_strict, claim.deadline_assumed = d.strict_deadline, d.assumed
    for row in [t for t in claim.tags if t.tag not in checked.tags]:
        claim.tags.remove(row)
    claim.tags.extend(ClaimTag(tag=t) for t in checked.tags if t not in {r.tag for r in claim.tags})
    claim.tags.sort(key=lambda t: t.tag)
    if edit.restates is not None and edit.restates != claim.restates_id:
        return record_link(session, claim, edit.restates, reason, actor)  # kept with the links' own history
    return None


def edit_claim(
    ledger: Ledger, claim_id: int, edit: ClaimEdit, actor: str, *, today: date, expected_version: int | None = None
) -> dict:
    """Edit a claim in one transaction; returns the claim as `claims show` gives it."""
    actor = check_actor(actor)
    reason = check_reason(edit.reason, "an edit")
    with ledger.write() as session:
        claim = locked_claim(session, claim_id, expected_version)
        before = snapshot(claim)
        link = _apply(session, claim, edit, today, reason, actor)
        status = status_after_move(claim.status, claim.deadline, today)
        if status != claim.status:
            claim.status = status
            if status == ClaimStatus.OPEN:
                _quiet_reminders(session, claim.id)
        changes = changed_fields(before, snapshot(claim))
        if not changes:
            raise InvalidInput(f"nothing to change: claim #{claim_id} already says that")
        _journal(session, claim, ChangeKind.EDITED, reason, changes, actor, link)
        return claim_shown(session, claim, today)


def withdraw_claim(ledger: Ledger, claim_id: int, reason: str | None, actor: str, *, today: date) -> dict:
    """Take a claim out of lists, reports and reminders, keeping it and its history."""
    actor = check_actor(actor)
    reason = check_reason(reason, "a withdrawal")
    with ledger.write() as session:
        claim = locked_claim(session, claim_id, None)
        if claim.withdrawn_at is not None:
            raise Conflict(f"claim #{claim_id} is already withdrawn (since {claim.withdrawn_at:%Y-%m-%d}); {_hint(claim_id)}")
        before = snapshot(claim)
        claim.withdrawn_at = utcnow()
        _quiet_reminders(session, claim.id)
        _journal(session, claim, ChangeKind.WITHDRAWN, reason, changed_fields(before, snapshot(claim)), actor)
        return claim_shown(session, claim, today)


def restore_claim(ledger: Ledger, claim_id: int, reason: str | None, actor: str, *, today: date) -> dict:
    """Undo a withdrawal: the claim is back in lists and reports, and the scan reminds of it again."""
    actor = check_actor(actor)
    reason = check_reason(reason, "a restoration")
    with ledger.write() as session:
        claim = locked_claim(session, claim_id, None)
        if claim.withdrawn_at is None:
            raise Conflict(f"claim #{claim_id} is not withdrawn: there is nothing to restore")
        before = snapshot(claim)
        claim.withdrawn_at = None
        _journal(session, claim, ChangeKind.RESTORED, reason, changed_fields(before, snapshot(claim)), actor)
        return claim_shown(session, claim, today)
