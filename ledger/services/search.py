"""`claims search`, and the search documents every write keeps up to date in its own transaction
(journal.record_many calls ``refresh`` for what it journals, so no way in can forget to).

The document is ledger.domain.search.document; the full-text match is the backend's own,
through ledger.store.dialect.search_match.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, joinedload

from ledger.domain.claims import clean_tag
from ledger.domain.search import document, parse_query
from ledger.services.claims import claim_view, status_is
from ledger.services.people import require_speaker
from ledger.store import dialect
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, SearchDocument, Source, Speaker, SpeakerAlias

__all__ = ["documents", "refresh", "search_claims"]

CHUNK = 500  # ids per IN list: well inside SQLite's bound-parameter limit
# Journal actions about a claim that leave what it is found by as it was (its verdict, its status).
UNCHANGED_TEXT = frozenset({
    "claim.flagged", "claim.reviewed", "claim.resolved", "claim.disputed", "claim.withdrawn", "claim.restored",
})


def documents(session: Session, where) -> Iterator[tuple[int, str]]:
    """``(claim id, document)`` for the claims ``where`` selects, in id order."""
    rows = session.execute(
        select(Claim.id, Claim.text, Claim.quote, Speaker.id, Speaker.name, Source.title, Source.text)
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(where)
        .order_by(Claim.id)
    ).all()
    speakers = sorted({r[3] for r in rows})
    aliases: dict[int, list[str]] = {}
    for chunk in _chunks(speakers):
        for speaker_id, alias in session.execute(select(SpeakerAlias.speaker_id, SpeakerAlias.alias).where(SpeakerAlias.speaker_id.in_(chunk))):
            aliases.setdefault(speaker_id, []).append(alias)
    for claim_id, text, quote, speaker_id, name, title, body in rows:
        yield claim_id, document(text, quote, name, aliases.get(speaker_id, []), title, body)


def refresh(session: Session, changes: Iterable[tuple[str, str, object]]) -> None:
    """Write the documents of the claims that journaled ``changes`` touch: a claim's own, and every
    claim of a speaker or source that changed."""
    claims, speakers, sources = set(), set(), set()
    for action, entity, row in changes:
        target = {"claim": claims, "speaker": speakers, "source": sources}.get(entity)
        if target is not None and action not in UNCHANGED_TEXT:
            target.add(row.id)  # type: ignore[attr-defined]
    for ids, column in ((claims, Claim.id), (speakers, Claim.speaker_id), (sources, Claim.source_id)):
        for chunk in _chunks(sorted(ids)):
            rows = [{"claim_id": i, "document": d} for i, d in documents(session, column.in_(chunk))]
            if rows:
                session.execute(delete(SearchDocument).where(SearchDocument.claim_id.in_([r["claim_id"] for r in rows])))
                session.execute(insert(SearchDocument), rows)


def search_claims(
    ledger: Ledger, raw: str, *, speaker: str | None = None, status: str | None = None, tag: str | None = None,
    limit: int = 20, withdrawn: bool = False, today: date,
) -> dict:
    """Claims matching ``raw`` (see ledger.domain.search.parse_query), most relevant first, each
    with its ``score`` (higher is more relevant); ``words`` are the words looked for."""
    query = parse_query(raw)
    with ledger.read() as session:
        hits = dialect.search_match(session, query)
        found = (
            select(Claim, hits.c.score)
            .join(hits, hits.c.claim_id == Claim.id)
            .options(joinedload(Claim.speaker), joinedload(Claim.source))
            .order_by(hits.c.score.desc(), Claim.id)
        )
        if not withdrawn:
            found = found.where(Claim.withdrawn_at.is_(None))
        if speaker:
            found = found.where(Claim.speaker_id == require_speaker(session, speaker).id)
        if status:
            found = found.where(status_is(status, today))
        if tag:
            found = found.where(Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == clean_tag(tag))))
        rows = session.execute(found.limit(limit)).unique().all()
        return {
            "query": raw, "words": query.words(),
            "claims": [{**claim_view(row, today), "score": float(score)} for row, score in rows],
        }


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
