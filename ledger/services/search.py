"""`claims search`, and the search documents every write keeps up to date in its own transaction
(journal.record_many calls ``refresh`` for what it journals, so no way in can forget to).

The document is ledger.domain.search.document; the full-text match is the backend's own,
through ledger.store.dialect.search_match.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledger.domain.claims import clean_tag
from ledger.domain.search import document, parse_query
from ledger.services.reading import CLAIMS, TAGS, VIEWED, claim_views, status_is
from ledger.services.people import require_speaker
from ledger.store import dialect
from ledger.store.engine import Ledger
from ledger.store.models import Claim, SearchDocument, Source, Speaker, SpeakerAlias

__all__ = ["claim_documents", "documents", "refresh", "search_claims"]

CHUNK = 500  # ids per IN list: well inside SQLite's bound-parameter limit
WITHDRAWN_SLACK = 20  # hits read beyond --limit, so that a few withdrawn ones among them can be skipped
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


def refresh(session: Session, changes: Iterable[tuple[str, str, object]], known: dict[int, str] | None = None) -> None:
    """Write the documents of the claims that journaled ``changes`` touch: a claim's own, and every
    claim of a speaker or source that changed. ``known`` holds documents a bulk writer built from
    the rows in hand (``claim_documents``), written as they are instead of read back.

    A speaker or source just added has no claims but those added after it, and each of those is
    journaled (and refreshed) itself, so an added one sends no query for its claims."""
    claims, speakers, sources = set(), set(), set()
    for action, entity, row in changes:
        target = {"claim": claims, "speaker": speakers, "source": sources}.get(entity)
        if target is not None and action not in UNCHANGED_TEXT and not (target is not claims and action.endswith(".added")):
            target.add(row.id)  # type: ignore[attr-defined]
    known = known or {}
    claims -= known.keys()
    _replace(session, known)
    for ids, column in ((claims, Claim.id), (speakers, Claim.speaker_id), (sources, Claim.source_id)):
        for chunk in _chunks(sorted(ids)):
            _replace(session, {i: d for i, d in documents(session, column.in_(chunk)) if i not in known})


def _replace(session: Session, docs: dict[int, str]) -> None:
    """Write these claims' documents in place of the ones they had."""
    for chunk in _chunks(sorted(docs)):
        session.execute(delete(SearchDocument).where(SearchDocument.claim_id.in_(chunk)))
        dialect.insert_rows(session, SearchDocument.__table__, [{"claim_id": i, "document": docs[i]} for i in chunk])


def claim_documents(session: Session, claims: Iterable[tuple[int, str, str | None, int, int | None]]) -> dict[int, str]:
    """The documents of ``(id, text, quote, speaker id, source id)`` claims held in memory: only
    their speakers' names and aliases and their sources' titles and texts are read."""
    claims = list(claims)
    speakers = sorted({c[3] for c in claims})
    sources = sorted({c[4] for c in claims if c[4] is not None})
    names: dict[int, str] = {}
    aliases: dict[int, list[str]] = {}
    about: dict[int, tuple[str | None, str | None]] = {}
    for chunk in _chunks(speakers):
        names.update(session.execute(select(Speaker.id, Speaker.name).where(Speaker.id.in_(chunk))).all())
        for speaker_id, alias in session.execute(select(SpeakerAlias.speaker_id, SpeakerAlias.alias).where(SpeakerAlias.speaker_id.in_(chunk))):
            aliases.setdefault(speaker_id, []).append(alias)
    for chunk in _chunks(sources):
        about.update((i, (title, body)) for i, title, body in session.execute(select(Source.id, Source.title, Source.text).where(Source.id.in_(chunk))))
    none: tuple[str | None, str | None] = (None, None)
    return {
        i: document(text, quote, names[speaker], aliases.get(speaker, ()), *(about[source] if source is not None else none))
        for i, text, quote, speaker, source in claims
    }


def search_claims(
    ledger: Ledger, raw: str, *, speaker: str | None = None, status: str | None = None, tag: str | None = None,
    limit: int = 20, withdrawn: bool = False, today: date,
) -> dict:
    """Claims matching ``raw`` (see ledger.domain.search.parse_query), most relevant first, each
    with its ``score`` (higher is more relevant); ``words`` are the words looked for.

    The ranked ids come first, from the index alone when nothing narrows them (claims are joined
    only to filter), then the views of those ``limit`` claims only."""
    query = parse_query(raw)
    with ledger.read() as session:
        hits = dialect.search_match(session, query)
        ranked = select(hits.c.claim_id, hits.c.score).order_by(hits.c.score.desc(), hits.c.claim_id)
        narrowed = []
        if speaker:
            narrowed.append(CLAIMS.c.speaker_id == require_speaker(session, speaker).id)
        if status:
            narrowed.append(status_is(status, today))
        if tag:
            narrowed.append(CLAIMS.c.id.in_(select(TAGS.c.claim_id).where(TAGS.c.tag == clean_tag(tag))))
        scores = None
        if not narrowed and not withdrawn and limit + WITHDRAWN_SLACK <= CHUNK:
            scores = _few_withdrawn(session, ranked, limit)
        if scores is None:
            if not withdrawn:
                narrowed.append(CLAIMS.c.withdrawn_at.is_(None))
            found = ranked.join(CLAIMS, CLAIMS.c.id == hits.c.claim_id).where(*narrowed) if narrowed else ranked
            scores = dict(session.execute(found.limit(limit)).all())
        views = {v["id"]: v for v in claim_views(session, VIEWED.where(CLAIMS.c.id.in_(list(scores))), today)} if scores else {}
        return {
            "query": raw, "words": query.words(),
            "claims": [{**views[i], "score": float(score)} for i, score in scores.items()],
        }


def _few_withdrawn(session: Session, ranked, limit: int) -> dict[int, float] | None:
    """The ``limit`` best hits that are not withdrawn, found among the best few more than
    ``limit`` by the index alone (withdrawn claims are rare); None if too many of those were
    withdrawn to be sure, and the hits must be joined to the claims to skip them."""
    probe = dict(session.execute(ranked.limit(limit + WITHDRAWN_SLACK)).all())
    gone = set(session.scalars(select(CLAIMS.c.id).where(CLAIMS.c.id.in_(list(probe)), CLAIMS.c.withdrawn_at.is_not(None)))) if probe else set()
    kept = {i: score for i, score in probe.items() if i not in gone}
    if len(kept) >= limit or len(probe) < limit + WITHDRAWN_SLACK:  # enough, or every hit was read
        return dict(list(kept.items())[:limit])
    return None


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
