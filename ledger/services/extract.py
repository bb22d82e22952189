"""`claims extract` against the ledger: the candidates of an article marked with what the ledger
already holds (logged, skipped), and accepting or skipping them, each in one transaction.

An accepted candidate is logged by `claims.new_claim`, the function `claims add` uses, so it
obeys the same rules and leaves the same journal entries; its source is found by URL or by the
text's hash, or created with the text (and HTML) stored and hashed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.domain.claims import ClaimDraft, check_source
from ledger.domain.derived import text_sha256
from ledger.domain.extract import Analysis, Candidate, extract
from ledger.domain.extract.article import Article, headline
from ledger.domain.text import check_actor, encodable
from ledger.errors import Conflict
from ledger.services import journal
from ledger.services.claims import claim_view, new_claim
from ledger.services.people import find_source, source_view
from ledger.store.engine import Ledger
from ledger.store.models import Claim, Source, Speaker, SpeakerAlias
from ledger.store.models.extract import ExtractSkip


@dataclass(frozen=True)
class Proposal:
    """One candidate and what the ledger already knows of it."""

    number: int
    candidate: Candidate
    status: str  # new, skipped, logged
    claim_id: int | None = None

    def as_dict(self) -> dict:
        return {"number": self.number, "status": self.status, "claim": self.claim_id, **self.candidate.as_dict()}


@dataclass(frozen=True)
class Edit:
    """What a reviewer changed before accepting (None: as proposed)."""

    text: str | None = None
    speaker: str | None = None
    deadline: str | None = None
    quote: str | None = None


def candidate_digest(candidate: Candidate) -> str:
    """The name a skipped candidate is remembered by: its speaker, sentence and deadline words."""
    return hashlib.sha256("\x1f".join(candidate.key()).encode("utf-8", "surrogatepass")).hexdigest()


def known_speakers(session: Session) -> dict[str, str]:
    names = {name: name for name in session.scalars(select(Speaker.name))}
    names.update((alias, name) for alias, name in session.execute(select(SpeakerAlias.alias, Speaker.name).join(Speaker)))
    return names


def _existing_source(session: Session, article: Article) -> Source | None:
    if article.url and (found := find_source(session, article.url)) is not None:
        return found
    digest = text_sha256(article.text)
    return session.scalars(select(Source).where(Source.text_sha256 == digest).order_by(Source.id)).first()


def propose(ledger: Ledger, article: Article, published: date, *, overrides: dict[str, str] | None = None,
            analysis: Analysis | None = None) -> tuple[list[Proposal], dict | None]:
    """The article's candidates, numbered from 1, each marked new, skipped or logged (with the
    claim); and the source the ledger already has for the article, if any."""
    with ledger.read() as session:
        known = known_speakers(session)
        candidates = extract(article.text, published, known=known, overrides=overrides, analysis=analysis)
        source = _existing_source(session, article)
        skipped: set[str] = set()
        logged: dict[tuple[str, str, str], int] = {}
        if source is not None:
            skipped = set(session.scalars(select(ExtractSkip.candidate).where(ExtractSkip.source_id == source.id)))
            rows = session.execute(select(Claim.id, Speaker.name, Claim.said, Claim.deadline_text).join(Speaker)
                                   .where(Claim.source_id == source.id))
            logged = {(name, said.isoformat(), deadline): claim_id for claim_id, name, said, deadline in rows}
        proposals = []
        for number, c in enumerate(candidates, 1):
            claim_id = logged.get((c.speaker.name, c.said.isoformat(), c.deadline.text if c.deadline else ""))
            status = "logged" if claim_id else "skipped" if candidate_digest(c) in skipped else "new"
            proposals.append(Proposal(number, c, status, claim_id))
        return proposals, source_view(source) if source else None


def _source(session: Session, article: Article, actor: str, today: date) -> Source:
    """The article's source: found by URL or text, given the text if it had none, or created."""
    text = encodable(article.text, "source_text")
    html = encodable(article.html, "source_text") if article.html is not None else None
    found = _existing_source(session, article)
    if found is not None:
        if found.text is None:
            found.text, found.text_sha256 = text, text_sha256(text)
            found.html, found.html_sha256 = html, text_sha256(html)
            journal.record(session, actor=actor, action="source.edited", row=found)
        elif found.text_sha256 != text_sha256(text):
            raise Conflict(f"source #{found.id} ({found.url or found.title}) already stores a different text; "
                           "the candidates' offsets would not point into it")
        return found
    values = check_source(article.url, article.title or headline(text) or None, article.publisher,
                          article.published, today)
    row = Source(**vars(values), text=text, text_sha256=text_sha256(text), html=html, html_sha256=text_sha256(html))
    session.add(row)
    journal.record(session, actor=actor, action="source.added", row=row)
    return row


def accept(ledger: Ledger, article: Article, chosen: list[tuple[Proposal, Edit]], actor: str, today: date,
           horizon: str | None = None, notes: list[str] | None = None) -> list[dict]:
    """Log the chosen candidates as claims of the article's source, in one transaction; one
    already logged is reported, not added again."""
    actor = check_actor(actor)
    views = []
    with ledger.write() as session:
        source = _source(session, article, actor, today)
        session.flush()
        for proposal, edit in chosen:
            if proposal.status == "logged":
                views.append({"number": proposal.number, "claim": proposal.claim_id, "added": False})
                continue
            c = proposal.candidate
            draft = ClaimDraft(
                text=edit.text or c.text, speaker=edit.speaker or c.speaker.known or c.speaker.name,
                deadline=edit.deadline or (c.deadline.text if c.deadline else None),  # type: ignore[arg-type]
                said=c.said, quote=edit.quote if edit.quote is not None else c.quote, source=str(source.id),
                confidence=c.hedge, horizon=horizon, new_speaker=True,
            )
            existing = _same_claim(session, draft, source)
            if existing is not None:
                views.append({"number": proposal.number, "claim": existing, "added": False})
                continue
            row = new_claim(session, draft, actor, today=today, notes=notes)
            session.flush()
            views.append({"number": proposal.number, "claim": row.id, "added": True, "view": claim_view(row, today)})
    return views


def _same_claim(session: Session, draft: ClaimDraft, source: Source) -> int | None:
    """The claim this candidate already is: of this source, by this speaker, said then and held to
    these deadline words; or by this speaker, said then, in these words (the claim's own key,
    whichever copy of the article it was logged from)."""
    from sqlalchemy import or_

    from ledger.domain.claims import text_fingerprint
    from ledger.services.people import find_speaker

    speaker = find_speaker(session, draft.speaker)
    if speaker is None:
        return None
    return session.scalar(select(Claim.id).where(
        Claim.speaker_id == speaker.id, Claim.said == draft.said,
        or_(Claim.text_sha256 == text_fingerprint(draft.text),
            (Claim.source_id == source.id) & (Claim.deadline_text == draft.deadline))).order_by(Claim.id).limit(1))


def skip(ledger: Ledger, article: Article, proposals: list[Proposal], actor: str, today: date) -> int:
    """Remember the proposals as skipped for the article's source; returns how many were new."""
    actor = check_actor(actor)
    added = 0
    with ledger.write() as session:
        source = _source(session, article, actor, today)
        session.flush()
        for proposal in proposals:
            digest = candidate_digest(proposal.candidate)
            if session.scalar(select(ExtractSkip.id).where(ExtractSkip.source_id == source.id,
                                                            ExtractSkip.candidate == digest)) is not None:
                continue
            row = ExtractSkip(source_id=source.id, candidate=digest, skipped_by=actor)
            session.add(row)
            journal.record(session, actor=actor, action="extract.skipped", row=row)
            added += 1
    return added


def with_published(article: Article, published: date | None) -> Article:
    return replace(article, published=published or article.published)
