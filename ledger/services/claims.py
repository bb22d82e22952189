"""Logging, listing and showing claims."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ledger.domain.claims import ClaimDraft, check_claim, clean_tag, resolve_deadline, valid_id
from ledger.domain.edits import status_on, substance_changed
from ledger.domain.restatements import Linkable, check_new_restatement
from ledger.domain.text import check_actor, name_key
from ledger.domain.vocab import ChangeKind, ClaimStatus, Outcome, one_of, values
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.services import journal
from ledger.services.people import (
    create_speaker, find_speaker, lookalike, require_source, require_speaker, resembles, source_view,
)
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimChange, ClaimTag, Resolution, Source, Speaker

__all__ = ["add_claim", "claim_view", "get_claim", "list_claims", "new_claim", "resolve_deadline", "claim_shown", "show_claim", "stream_claims"]


def claim_view(row: Claim, today: date) -> dict:
    """The JSON shape of a claim (documented in the README); its status as the dates say it on
    ``today`` (see ledger.domain.edits.status_on)."""
    source = source_view(row.source) if row.source else None
    return _view(row, row.speaker.name, [t.tag for t in row.tags], source, today)


def _view(row, speaker: str, tags: list[str], source: dict | None, today: date) -> dict:
    """``claim_view`` of anything with a claim's attributes: an ORM claim, or a row of ``VIEWED``."""
    return {
        "id": row.id,
        "speaker": speaker,
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
        "status": status_on(row.status, row.deadline, today),
        "outcome": row.outcome,
        "occurred": row.occurred.isoformat() if row.occurred else None,
        "withdrawn": row.withdrawn_at is not None,
        "tags": tags,
        "source": source,
        "restates": row.restates_id,
        "logged_by": row.logged_by,
        "logged_at": row.logged_at.isoformat(),
        "version": row.version,
    }


# What a claim's view reads, as Core columns of the tables: no ORM objects are built, and the
# statement compiles in a fraction of the ORM's time (list and search read thousands of rows, or
# run for 20). Filter and order it with CLAIMS' columns; ``claim_views`` adds the tags.
CLAIMS, SPEAKERS, SOURCES, TAGS = (m.__table__ for m in (Claim, Speaker, Source, ClaimTag))
_SOURCE = [c.label(f"source_{c.name}") for c in (SOURCES.c.url, SOURCES.c.title, SOURCES.c.publisher, SOURCES.c.published, SOURCES.c.text_sha256)]
VIEWED = (
    select(*(c for c in CLAIMS.c if c.name != "text_sha256"), SPEAKERS.c.name.label("speaker_name"), *_SOURCE)
    .join_from(CLAIMS, SPEAKERS, SPEAKERS.c.id == CLAIMS.c.speaker_id)
    .outerjoin(SOURCES, SOURCES.c.id == CLAIMS.c.source_id)
)
# What `claims list` prints of each claim (``brief_views``): the columns of its table alone.
BRIEF = (
    select(CLAIMS.c.id, CLAIMS.c.said, SPEAKERS.c.name.label("speaker_name"), CLAIMS.c.text, CLAIMS.c.deadline,
           CLAIMS.c.status, CLAIMS.c.outcome, CLAIMS.c.withdrawn_at.is_not(None).label("withdrawn"))
    .join_from(CLAIMS, SPEAKERS, SPEAKERS.c.id == CLAIMS.c.speaker_id)
)
VIEW_CHUNK = 500  # claims whose tags are read at once: well inside SQLite's bound-parameter limit


def _tagged(session: Session, query) -> Iterator[tuple[Any, list[str]]]:
    """Each row ``query`` selects (its first column the claim's id) with the claim's tags, in its
    order, read a chunk at a time so that memory stays flat however many there are."""
    result = session.execute(query, execution_options={"yield_per": VIEW_CHUNK})
    for rows in result.partitions():
        tags: dict[int, list[str]] = {}
        chunk = [r.id for r in rows]
        for claim_id, tag in session.execute(select(TAGS.c.claim_id, TAGS.c.tag).where(TAGS.c.claim_id.in_(chunk)).order_by(TAGS.c.claim_id, TAGS.c.tag)):
            tags.setdefault(claim_id, []).append(tag)
        for r in rows:
            yield r, tags.get(r.id, [])


def claim_views(session: Session, query, today: date) -> Iterator[dict]:
    """The views of the claims ``query`` (``VIEWED``, filtered and ordered) selects, in its order."""
    for r, tags in _tagged(session, query):
        source = source_view(r, prefix="source_") if r.source_id is not None else None
        yield _view(r, r.speaker_name, tags, source, today)


def brief_views(session: Session, query, today: date) -> Iterator[dict]:
    """Of the claims ``query`` (``BRIEF``, filtered and ordered) selects, the keys of their views
    that `claims list` prints."""
    for r, tags in _tagged(session, query):
        yield {
            "id": r.id, "said": r.said.isoformat(), "speaker": r.speaker_name, "text": r.text, "deadline": r.deadline.isoformat(),
            "status": status_on(r.status, r.deadline, today), "outcome": r.outcome, "withdrawn": bool(r.withdrawn), "tags": tags,
        }


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
        raise NotFound(f"no claim #{claim_id} (see `claims list`)")
    return row


def _verdict(session: Session, row: Claim) -> dict:
    """Who gave the current verdict, and on what: the latest agreeing votes of the last round."""
    found = {"reviewers": [], "evidence": [], "note": None}
    if row.outcome is None:
        return found
    votes = list(session.scalars(select(Resolution).where(Resolution.claim_id == row.id).order_by(Resolution.id)))
    last_round = max((v.round for v in votes), default=1)
    latest: dict[str, Resolution] = {}
    for vote in votes:
        if vote.round == last_round:
            latest.pop(name_key(vote.reviewer), None)
            latest[name_key(vote.reviewer)] = vote
    agreeing = [v for v in latest.values() if (v.outcome, v.occurred) == (row.outcome, row.occurred)]
    if agreeing:
        winner = max(agreeing, key=lambda v: v.id)
        found = {
            "reviewers": [v.reviewer for v in agreeing],
            "evidence": json.loads(winner.evidence) if winner.evidence else [],
            "note": winner.note,
        }
    return found


def _changes_of(session: Session, row: Claim) -> dict:
    edits, withdrawn_reason = [], None
    for change in session.scalars(select(ClaimChange).where(ClaimChange.claim_id == row.id).order_by(ClaimChange.id)):
        if change.action == ChangeKind.EDITED:
            fields = json.loads(change.changes)
            edits.append({
                "at": change.at.isoformat(), "actor": change.actor, "reason": change.reason, "fields": sorted(fields),
                # A verdict judged the claim as it stood: an edit of its substance since is named.
                "after_verdict": row.resolved_at is not None and change.at >= row.resolved_at and substance_changed(fields),
            })
        elif change.action == ChangeKind.WITHDRAWN:
            withdrawn_reason = change.reason
    return {
        "edited": bool(edits),
        "edits": edits,
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "withdrawn_reason": withdrawn_reason if row.withdrawn_at else None,
    }


def show_claim(ledger: Ledger, claim_id: int, today: date) -> dict:
    with ledger.read() as session:
        return claim_shown(session, get_claim(session, claim_id), today)


def claim_shown(session: Session, row: Claim, today: date) -> dict:
    """``row`` as `claims show` gives it; a write that changed it hands it over before it commits,
    instead of reading it again."""
    view = claim_view(row, today)
    view["speaker_aliases"] = sorted(a.alias for a in row.speaker.aliases)
    view["restated_by"] = list(session.scalars(select(Claim.id).where(Claim.restates_id == row.id).order_by(Claim.id)))
    view.update(_verdict(session, row))
    view.update(_changes_of(session, row))
    return view


def status_is(status: str, today: date):
    """SQL for "the claim's status on ``today`` is ``status``", as ledger.domain.edits.status_on
    reads the dates: an open claim past its deadline is due before the scan records it."""
    if status not in values(ClaimStatus):
        raise InvalidInput(f"unknown status {status!r}; use one of {one_of(ClaimStatus)}")
    if status == ClaimStatus.DUE:
        return or_(CLAIMS.c.status == status, and_(CLAIMS.c.status == ClaimStatus.OPEN.value, CLAIMS.c.deadline < today))
    if status == ClaimStatus.OPEN:
        return and_(CLAIMS.c.status == status, CLAIMS.c.deadline >= today)
    return CLAIMS.c.status == status


SORTS = {"id": (CLAIMS.c.id,), "said": (CLAIMS.c.said, CLAIMS.c.id), "deadline": (CLAIMS.c.deadline, CLAIMS.c.id)}


def list_claims(ledger: Ledger, **filters) -> list[dict]:
    """``stream_claims``, as a list."""
    return list(stream_claims(ledger, **filters))


def stream_claims(
    ledger: Ledger,
    *,
    speaker: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    outcome: str | None = None,
    said_since: date | None = None,
    said_until: date | None = None,
    deadline_after: date | None = None,
    deadline_before: date | None = None,
    source: str | None = None,
    sort: str = "id",
    withdrawn: bool = False,
    brief: bool = False,
    today: date,
) -> Iterator[dict]:
    """Claims matching every filter given, withdrawn ones only if ``withdrawn``, read a chunk at a
    time (the filters are checked when the first is asked for); only what `claims list` prints
    of each if ``brief``. A claim said on ``said_since`` or ``said_until`` is in; a deadline on
    ``deadline_after`` or ``deadline_before`` is not."""
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    with ledger.read() as session:
        query = (BRIEF if brief else VIEWED).order_by(*SORTS[sort])
        if not withdrawn:
            query = query.where(CLAIMS.c.withdrawn_at.is_(None))
        if speaker:
            query = query.where(CLAIMS.c.speaker_id == require_speaker(session, speaker).id)
        if tag:
            query = query.where(CLAIMS.c.id.in_(select(TAGS.c.claim_id).where(TAGS.c.tag == clean_tag(tag))))
        if status:
            query = query.where(status_is(status, today))
        if outcome:
            if outcome not in values(Outcome):
                raise InvalidInput(f"unknown outcome {outcome!r}; use one of {one_of(Outcome)}")
            query = query.where(CLAIMS.c.outcome == outcome)
        if source:
            query = query.where(CLAIMS.c.source_id == require_source(session, source).id)
        for bound, condition in (
            (said_since, lambda d: CLAIMS.c.said >= d), (said_until, lambda d: CLAIMS.c.said <= d),
            (deadline_after, lambda d: CLAIMS.c.deadline > d), (deadline_before, lambda d: CLAIMS.c.deadline < d),
        ):
            if bound is not None:
                query = query.where(condition(bound))
        if limit is not None:
            query = query.limit(limit)
        yield from (brief_views if brief else claim_views)(session, query, today)
