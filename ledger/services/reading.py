"""The claims as the read commands show them: `claims list` and `claims show`, on the Core tables.

Nothing here imports the ORM, so those commands start without ``sqlalchemy.orm`` and the models.
The writers (ledger.services.claims) build the same views from the same functions: ``db`` is a
``Connection`` or, inside a write, the writer's ``Session`` (which flushes before a query)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select

from ledger.domain.claims import clean_tag, valid_id
from ledger.domain.edits import status_on, substance_changed
from ledger.domain.text import name_key
from ledger.domain.vocab import ChangeKind, ClaimStatus, Outcome, one_of, values
from ledger.errors import InvalidInput, NotFound
from ledger.services.lookups import require_source_id, require_speaker_id, source_view
from ledger.store.engine import Ledger
from ledger.store.tables import CLAIM_CHANGES, CLAIM_TAGS as TAGS, CLAIMS, RESOLUTIONS, SOURCES, SPEAKER_ALIASES, SPEAKERS


def claim_view_of(row, speaker: str, tags: list[str], source: dict | None, today: date) -> dict:
    """The JSON shape of a claim (documented in the README) of anything with a claim's attributes:
    an ORM claim, or a row of ``VIEWED``; its status as the dates say it on ``today`` (see
    ledger.domain.edits.status_on)."""
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


def _tagged(db, query) -> Iterator[tuple[Any, list[str]]]:
    """Each row ``query`` selects (its first column the claim's id) with the claim's tags, in its
    order, read a chunk at a time so that memory stays flat however many there are."""
    result = db.execute(query, execution_options={"yield_per": VIEW_CHUNK})
    for rows in result.partitions():
        tags: dict[int, list[str]] = {}
        chunk = [r.id for r in rows]
        for claim_id, tag in db.execute(select(TAGS.c.claim_id, TAGS.c.tag).where(TAGS.c.claim_id.in_(chunk)).order_by(TAGS.c.claim_id, TAGS.c.tag)):
            tags.setdefault(claim_id, []).append(tag)
        for r in rows:
            yield r, tags.get(r.id, [])


def claim_views(db, query, today: date) -> Iterator[dict]:
    """The views of the claims ``query`` (``VIEWED``, filtered and ordered) selects, in its order."""
    for r, tags in _tagged(db, query):
        source = source_view(r, prefix="source_") if r.source_id is not None else None
        yield claim_view_of(r, r.speaker_name, tags, source, today)


def brief_views(db, query, today: date) -> Iterator[dict]:
    """Of the claims ``query`` (``BRIEF``, filtered and ordered) selects, the keys of their views
    that `claims list` prints."""
    for r, tags in _tagged(db, query):
        yield {
            "id": r.id, "said": r.said.isoformat(), "speaker": r.speaker_name, "text": r.text, "deadline": r.deadline.isoformat(),
            "status": status_on(r.status, r.deadline, today), "outcome": r.outcome, "withdrawn": bool(r.withdrawn), "tags": tags,
        }


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
    with ledger.reading() as conn:
        query = (BRIEF if brief else VIEWED).order_by(*SORTS[sort])
        if not withdrawn:
            query = query.where(CLAIMS.c.withdrawn_at.is_(None))
        if speaker:
            query = query.where(CLAIMS.c.speaker_id == require_speaker_id(conn, speaker))
        if tag:
            query = query.where(CLAIMS.c.id.in_(select(TAGS.c.claim_id).where(TAGS.c.tag == clean_tag(tag))))
        if status:
            query = query.where(status_is(status, today))
        if outcome:
            if outcome not in values(Outcome):
                raise InvalidInput(f"unknown outcome {outcome!r}; use one of {one_of(Outcome)}")
            query = query.where(CLAIMS.c.outcome == outcome)
        if source:
            query = query.where(CLAIMS.c.source_id == require_source_id(conn, source))
        for bound, condition in (
            (said_since, lambda d: CLAIMS.c.said >= d), (said_until, lambda d: CLAIMS.c.said <= d),
            (deadline_after, lambda d: CLAIMS.c.deadline > d), (deadline_before, lambda d: CLAIMS.c.deadline < d),
        ):
            if bound is not None:
                query = query.where(condition(bound))
        if limit is not None:
            query = query.limit(limit)
        yield from (brief_views if brief else claim_views)(conn, query, today)


def not_found(claim_id: int) -> NotFound:
    return NotFound(f"no claim #{claim_id} (see `claims list`)")


def show_claim(ledger: Ledger, claim_id: int, today: date) -> dict:
    """Everything `claims show` gives of one claim."""
    with ledger.reading() as conn:
        row = conn.execute(VIEWED.where(CLAIMS.c.id == claim_id)).first() if valid_id(claim_id) else None
        if row is None:
            raise not_found(claim_id)
        tags = list(conn.execute(select(TAGS.c.tag).where(TAGS.c.claim_id == claim_id).order_by(TAGS.c.tag)).scalars())
        source = source_view(row, prefix="source_") if row.source_id is not None else None
        return shown(conn, row, claim_view_of(row, row.speaker_name, tags, source, today))


def shown(db, row, view: dict) -> dict:
    """A claim's ``view`` with what only `claims show` adds: the speaker's aliases, the claims that
    restate it, its verdict and its edits. ``row``: the claim (an ORM claim or a row of ``VIEWED``)."""
    view["speaker_aliases"] = sorted(db.execute(select(SPEAKER_ALIASES.c.alias).where(SPEAKER_ALIASES.c.speaker_id == row.speaker_id)).scalars())
    view["restated_by"] = list(db.execute(select(CLAIMS.c.id).where(CLAIMS.c.restates_id == row.id).order_by(CLAIMS.c.id)).scalars())
    view.update(_verdict(db, row))
    view.update(_changes_of(db, row))
    return view


def _verdict(db, row) -> dict:
    """Who gave the current verdict, and on what: the latest agreeing votes of the last round."""
    found = {"reviewers": [], "evidence": [], "note": None}
    if row.outcome is None:
        return found
    votes = db.execute(select(RESOLUTIONS).where(RESOLUTIONS.c.claim_id == row.id).order_by(RESOLUTIONS.c.id)).all()
    last_round = max((v.round for v in votes), default=1)
    latest: dict[str, Any] = {}
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


def _changes_of(db, row) -> dict:
    edits, withdrawn_reason = [], None
    for change in db.execute(select(CLAIM_CHANGES).where(CLAIM_CHANGES.c.claim_id == row.id).order_by(CLAIM_CHANGES.c.id)):
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
