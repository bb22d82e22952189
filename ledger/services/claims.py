"""Logging, listing and showing claims."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ledger.domain.claims import ClaimDraft, clean_tag, clean_text, parse_probability, text_fingerprint
from ledger.errors import Conflict, InvalidDeadline, InvalidInput, NotFound
from ledger.services import journal
from ledger.services.people import create_speaker, find_speaker, require_source, require_speaker, source_view
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag

if TYPE_CHECKING:
    from ledger.domain.deadlines import Deadline

STATUSES = ("open", "due", "resolved", "disputed")


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
        "status": row.status,
        "tags": [t.tag for t in row.tags],
        "source": source_view(row.source),
        "restates": row.restates_id,
        "logged_by": row.logged_by,
        "logged_at": row.logged_at.isoformat(),
        "version": row.version,
    }


def resolve_deadline(expression: str, said: date, horizon: str | None = None) -> Deadline:
    """The deadline a claim is held to; a vague one needs an explicit date or an assumed horizon."""
    # Imported here: `claims list` and `show` never read deadlines, and start-up time is measured.
    from ledger.domain.deadlines import assume_horizon, normalise

    deadline = normalise(expression, said)
    if deadline.vague:
        if horizon is None:
            raise InvalidDeadline(
                f"{expression!r} names no date: give an explicit deadline (e.g. 'by 2025', 'within two years') "
                "or --horizon 1y to assume one"
            )
        deadline = assume_horizon(deadline, horizon)
    return deadline


def new_claim(session: Session, draft: ClaimDraft, actor: str) -> Claim:
    """Check a draft against the ledger and add it (and its speaker, if asked) to ``session``."""
    text = clean_text(draft.text)
    probability = parse_probability(draft.probability)
    tags = sorted({clean_tag(t) for t in draft.tags})
    source = require_source(session, draft.source) if draft.source else None
    said = draft.said or (source.published if source else None)
    if said is None:
        raise InvalidInput("when was it said? give --said DATE, or a --source with a published date")
    if not (draft.deadline or "").strip():
        raise InvalidDeadline("no deadline given: use --deadline, e.g. 'by the end of next year' or 2025-12-31")
    deadline = resolve_deadline(draft.deadline, said, draft.horizon)

    speaker = find_speaker(session, draft.speaker)
    if speaker is None:
        speaker = create_speaker(session, draft.speaker, (), actor) if draft.new_speaker else require_speaker(session, draft.speaker)
    fingerprint = text_fingerprint(text)
    existing = session.scalar(
        select(Claim.id).where(Claim.speaker_id == speaker.id, Claim.said == said, Claim.text_sha256 == fingerprint)
    )
    if existing is not None:
        raise Conflict(f"claim #{existing} already records this: same speaker, date said and text")
    if draft.restates is not None and session.get(Claim, draft.restates) is None:
        raise NotFound(f"no claim #{draft.restates} to restate")

    row = Claim(
        speaker=speaker,
        source=source,
        text=text,
        text_sha256=fingerprint,
        quote=(draft.quote or "").strip() or None,
        said=said,
        deadline_text=deadline.expression,
        deadline=deadline.deadline,
        deadline_earliest=deadline.earliest,
        deadline_granularity=deadline.granularity,
        deadline_timex=deadline.timex,
        deadline_strict=deadline.strict_deadline,
        deadline_assumed=deadline.assumed,
        probability=probability,
        confidence=(draft.confidence or "").strip() or None,
        status="open",
        logged_by=actor,
        restates_id=draft.restates,
        tags=[ClaimTag(tag=t) for t in tags],
    )
    session.add(row)
    journal.record(session, actor=actor, action="claim.added", row=row)
    return row


def add_claim(ledger: Ledger, draft: ClaimDraft, actor: str) -> dict:
    try:
        with ledger.write() as session:
            return claim_view(new_claim(session, draft, actor))
    except IntegrityError as exc:
        # Two writers raced past the duplicate check; the unique key settled it.
        raise Conflict(f"the same claim was logged by someone else just now ({exc.orig})".splitlines()[0]) from None


def get_claim(session: Session, claim_id: int) -> Claim:
    row = session.get(Claim, claim_id, options=[joinedload(Claim.speaker), joinedload(Claim.source)])
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
            if status not in STATUSES:
                raise InvalidInput(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
            query = query.where(Claim.status == status)
        if limit is not None:
            query = query.limit(limit)
        return [claim_view(r) for r in session.scalars(query).unique()]


