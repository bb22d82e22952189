"""Logging, listing and showing claims."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ledger.domain.claims import ClaimDraft, check_claim, clean_tag, resolve_deadline, valid_id
from ledger.domain.text import check_actor
from ledger.domain.vocab import ClaimStatus, one_of, values
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.services import journal
from ledger.services.people import (
    create_speaker, find_speaker, lookalike, require_source, require_speaker, resembles, source_view,
)
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag

__all__ = ["add_claim", "claim_view", "get_claim", "list_claims", "new_claim", "resolve_deadline", "show_claim"]


def claim_view(row: Claim) -> dict:
    """The JSON shape of a claim (documented in the README)."""
    return {
        "id": row.id,
        "speaker": row.speaker.name,
        "speaker_id": row.speaker_id,
        "text": row.text,
        "quote": row.quote,
        "said": row.said.isoformat(),
        "deadline": row.deadline.isoformat(),
        "deadline_text": row.deadline_text,
        "deadline_earliest": row.deadline_earliest.isoformat(),
        "deadline_granularity": row.deadline_granularity,
        "deadline_timex": row.deadline_timex,
        "deadline_strict": row.deadline_strict.isoformat() if row.deadline_strict else None,
        "deadline_assumed": bool(row.deadline_assumed),
        "probability": row.probability,
        "confidence": row.confidence,
        "event": row.event,
        "status": row.status,
        "tags": [t.tag for t in row.tags],
        "source": source_view(row.source),
        "restates": row.restates_id,
        "logged_by": row.logged_by,
        "logged_at": row.logged_at.isoformat(),
        "version": row.version,
    }


def new_claim(
    session: Session, draft: ClaimDraft, actor: str, today: date | None = None, notes: list[str] | None = None
) -> Claim:
    """Check a draft against the ledger and add it (and its speaker, if asked) to ``session``.
    ``notes`` is told what the user should know, e.g. that a new speaker looks like another."""
    actor = check_actor(actor)
    source = require_source(session, draft.source) if draft.source else None
    checked = check_claim(
        text=draft.text, said=draft.said or (source.published if source else None), deadline=draft.deadline,
        today=today or date.today(), quote=draft.quote, probability=draft.probability,
        confidence=draft.confidence, event=draft.event, tags=draft.tags, horizon=draft.horizon,
    )
    said, deadline, fingerprint = checked.said, checked.deadline, checked.text_sha256
    speaker = find_speaker(session, draft.speaker)
    if speaker is None and not draft.new_speaker:
        speaker = require_speaker(session, draft.speaker)
    if speaker is None:
        if notes is not None and (similar := lookalike(session, draft.speaker)) is not None:
            notes.append(f"new speaker {resembles(draft.speaker, similar)}")
        speaker = create_speaker(session, draft.speaker, (), actor, lookalike_ok=True)
    existing = session.scalar(
        select(Claim.id).where(Claim.speaker_id == speaker.id, Claim.said == said, Claim.text_sha256 == fingerprint)
    )
    if existing is not None:
        raise Conflict(f"claim #{existing} already records this: same speaker, date said and text")
    if draft.restates is not None and (not valid_id(draft.restates) or session.get(Claim, draft.restates) is None):
        raise NotFound(f"no claim #{draft.restates} to restate")

    row = Claim(
        speaker=speaker,
        source=source,
        text=checked.text,
        text_sha256=fingerprint,
        quote=checked.quote,
        said=said,
        deadline_text=deadline.expression,
        deadline=deadline.deadline,
        deadline_earliest=deadline.earliest,
        deadline_granularity=deadline.granularity,
        deadline_timex=deadline.timex,
        deadline_strict=deadline.strict_deadline,
        deadline_assumed=deadline.assumed,
        probability=checked.probability,
        confidence=checked.confidence,
        event=checked.event,
        status=ClaimStatus.OPEN.value,
        logged_by=actor,
        restates_id=draft.restates,
        tags=[ClaimTag(tag=t) for t in checked.tags],
    )
    session.add(row)
    journal.record(session, actor=actor, action="claim.added", row=row)
    return row


def add_claim(ledger: Ledger, draft: ClaimDraft, actor: str, notes: list[str] | None = None) -> dict:
    try:
        with ledger.write() as session:
            return claim_view(new_claim(session, draft, actor, notes=notes))
    except IntegrityError as exc:
        # Two writers raced past the duplicate check; the unique key settled it.
        raise Conflict(f"the same claim was logged by someone else just now ({exc.orig})".splitlines()[0]) from None


def get_claim(session: Session, claim_id: int) -> Claim:
    row = session.get(Claim, claim_id, options=[joinedload(Claim.speaker), joinedload(Claim.source)]) if valid_id(claim_id) else None
    if row is None:
        raise NotFound(f"no claim #{claim_id} (see `claims list`)")
    return row


def show_claim(ledger: Ledger, claim_id: int) -> dict:
    with ledger.read() as session:
        row = get_claim(session, claim_id)
        view = claim_view(row)
        view["speaker_aliases"] = sorted(a.alias for a in row.speaker.aliases)
        view["restated_by"] = list(session.scalars(select(Claim.id).where(Claim.restates_id == claim_id).order_by(Claim.id)))
        return view


def list_claims(
    ledger: Ledger,
    *,
    speaker: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    with ledger.read() as session:
        query = select(Claim).options(joinedload(Claim.speaker), joinedload(Claim.source)).order_by(Claim.id)
        if speaker:
            query = query.where(Claim.speaker_id == require_speaker(session, speaker).id)
        if tag:
            query = query.where(Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == clean_tag(tag))))
        if status:
            if status not in values(ClaimStatus):
                raise InvalidInput(f"unknown status {status!r}; use one of {one_of(ClaimStatus)}")
            query = query.where(Claim.status == status)
        if limit is not None:
            query = query.limit(limit)
        return [claim_view(r) for r in session.scalars(query).unique()]


