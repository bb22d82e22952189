"""Logging claims, and the views of claims a writer hands back; the read commands' own reads are
in ledger.services.reading (on Core), re-exported here for the writers and the tour."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ledger.domain.claims import ClaimDraft, check_claim, resolve_deadline, valid_id
from ledger.domain.restatements import Linkable, check_new_restatement
from ledger.domain.text import check_actor
from ledger.domain.vocab import ClaimStatus
from ledger.errors import Conflict, NotFound
from ledger.services import journal
from ledger.services.people import create_speaker, find_speaker, lookalike, require_source, require_speaker, resembles
from ledger.services.reading import (  # noqa: F401  (list_claims, show_claim, stream_claims: the tour's)
    claim_view_of, list_claims, not_found, show_claim, shown, source_view, stream_claims,
)
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag

__all__ = ["add_claim", "claim_view", "get_claim", "list_claims", "new_claim", "resolve_deadline", "claim_shown", "show_claim", "stream_claims"]


def claim_view(row: Claim, today: date) -> dict:
    """The JSON shape of a claim (documented in the README) of an ORM claim."""
    source = source_view(row.source) if row.source else None
    return claim_view_of(row, row.speaker.name, [t.tag for t in row.tags], source, today)


def new_claim(
    session: Session, draft: ClaimDraft, actor: str, today: date, notes: list[str] | None = None
) -> Claim:
    """Check a draft against the ledger and add it (and its speaker, if asked) to ``session``.
    ``notes`` is told what the user should know, e.g. that a new speaker looks like another."""
    actor = check_actor(actor)
    source = require_source(session, draft.source) if draft.source else None
    checked = check_claim(
        text=draft.text, said=draft.said or (source.published if source else None), deadline=draft.deadline,
        today=today, quote=draft.quote, probability=draft.probability,
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
    existing = claim_with_key(session, speaker.id, said, fingerprint)
    if existing is not None:
        raise Conflict(f"claim #{existing} already records this: same speaker, date said and text")
    if draft.restates is not None:
        earlier = session.get(Claim, draft.restates) if valid_id(draft.restates) else None
        if earlier is None:
            raise NotFound(f"no claim #{draft.restates} to restate")
        check_new_restatement(speaker.id, said, Linkable(earlier.id, earlier.speaker_id, earlier.said))

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


def claim_with_key(session: Session, speaker_id: int, said: date, fingerprint: str, *, other_than: int | None = None) -> int | None:
    """The first claim of this speaker with these words on this day, if any. The journal lock comes
    first: since 0011 no constraint keeps a second copy out, so two writers must not both look,
    find nothing and add it (the lock is the one every write takes to journal)."""
    journal.lock_journal(session)
    query = select(Claim.id).where(Claim.speaker_id == speaker_id, Claim.said == said, Claim.text_sha256 == fingerprint)
    if other_than is not None:
        query = query.where(Claim.id != other_than)
    return session.scalar(query.order_by(Claim.id).limit(1))


def add_claim(ledger: Ledger, draft: ClaimDraft, actor: str, *, today: date, notes: list[str] | None = None) -> dict:
    try:
        with ledger.write() as session:
            return claim_view(new_claim(session, draft, actor, today, notes=notes), today)
    except IntegrityError as exc:
        # Two writers created the same new speaker at once; its unique name settled it.
        raise Conflict(f"the same speaker was added by someone else just now ({exc.orig})".splitlines()[0]) from None


def get_claim(session: Session, claim_id: int) -> Claim:
    row = session.get(Claim, claim_id, options=[joinedload(Claim.speaker), joinedload(Claim.source)]) if valid_id(claim_id) else None
    if row is None:
        raise not_found(claim_id)
    return row


def claim_shown(session: Session, row: Claim, today: date) -> dict:
    """``row`` as `claims show` gives it; a write that changed it hands it over before it commits,
    instead of reading it again."""
    return shown(session, row, claim_view(row, today))
