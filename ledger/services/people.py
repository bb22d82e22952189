"""Speakers, their aliases, and sources: the who and the where of every claim."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.domain.claims import check_source
from ledger.domain.derived import text_sha256
from ledger.domain.slugs import base_slug, unique_slug
from ledger.domain.text import check_name, encodable
from ledger.errors import Conflict, InvalidInput
from ledger.services import journal
from ledger.services.lookups import (  # noqa: F401  (lookalike, resembles, source_view, speaker_names: used from here too)
    lookalike, require_source_id, require_speaker_id, resembles, source_id, source_view, speaker_id, speaker_names,
)
from ledger.store.engine import Ledger
from ledger.store.models import Source, Speaker, SpeakerAlias
from ledger.views import SpeakerView


def speaker_view(row: Speaker, claims: int | None = None) -> SpeakerView:
    view: SpeakerView = {"id": row.id, "name": row.name, "aliases": sorted(a.alias for a in row.aliases)}
    if claims is not None:
        view["claims"] = claims
    return view


def find_speaker(session: Session, name: str) -> Speaker | None:
    found = speaker_id(session, name)
    return None if found is None else session.get(Speaker, found)


def require_speaker(session: Session, name: str) -> Speaker:
    return session.get(Speaker, require_speaker_id(session, name))


def new_slugs(session: Session, names: list[str]) -> list[str]:
    """Slugs for new speakers with these names, unique among themselves and the ledger's."""
    bases = {base_slug(n) for n in names}
    query = select(Speaker.slug)
    if len(bases) <= 50:  # else reading every slug is cheaper than a long OR
        query = query.where(or_(Speaker.slug.in_(bases), *(Speaker.slug.like(f"{b}-%") for b in bases)))
    taken = set(session.scalars(query))
    slugs = []
    for name in names:
        slug = unique_slug(name, taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs


def create_speaker(
    session: Session, name: str, aliases: tuple[str, ...], actor: str, *, lookalike_ok: bool = False
) -> Speaker:
    """Add a speaker. A name or alias that looks like an existing speaker's is refused unless
    ``lookalike_ok`` (the user's --new-speaker): a lookalike is far more often a typo or a forgery
    than a different person."""
    name, key = check_name(name)
    checked = [check_name(a, "alias") for a in aliases]
    keys = [key] + [k for _, k in checked]
    for shown in (name, *(a for a, _ in checked)):
        taken = find_speaker(session, shown)
        if taken is not None:
            raise Conflict(f"{shown!r} already names speaker #{taken.id} ({taken.name})")
        if not lookalike_ok and (similar := lookalike(session, shown)) is not None:
            raise Conflict(f"{resembles(shown, similar)}: pass --new-speaker if it is someone else")
    if len(set(keys)) != len(keys):
        raise InvalidInput("an alias repeats the speaker's name or another alias")
    row = Speaker(name=name, name_key=key, slug=new_slugs(session, [name])[0], aliases=[SpeakerAlias(alias=a, alias_key=k) for a, k in checked])
    session.add(row)
    journal.record(session, actor=actor, action="speaker.added", row=row)
    return row


def add_speaker(ledger: Ledger, name: str, aliases: tuple[str, ...], actor: str, *, lookalike_ok: bool = False) -> SpeakerView:
    try:
        with ledger.write() as session:
            return speaker_view(create_speaker(session, name, aliases, actor, lookalike_ok=lookalike_ok))
    except IntegrityError:
        raise Conflict(f"speaker {name!r} was added by someone else just now") from None


def add_alias(ledger: Ledger, speaker: str, aliases: tuple[str, ...], actor: str) -> SpeakerView:
    with ledger.write() as session:
        row = require_speaker(session, speaker)
        for alias in aliases:
            alias, key = check_name(alias, "alias")
            taken = find_speaker(session, alias)
            if taken is not None:
                raise Conflict(f"{alias!r} already names speaker #{taken.id} ({taken.name})")
            similar = lookalike(session, alias)
            if similar is not None and not similar.startswith(f"speaker #{row.id} "):
                raise Conflict(f"{resembles(alias, similar)}, not like speaker #{row.id} {row.name!r}")
            row.aliases.append(SpeakerAlias(alias=alias, alias_key=key))
        journal.record(session, actor=actor, action="speaker.edited", row=row)
        return speaker_view(row)


def list_speakers(ledger: Ledger) -> list[SpeakerView]:
    from sqlalchemy import func

    from ledger.store.models import Claim

    with ledger.read() as session:
        counts = dict(session.execute(select(Claim.speaker_id, func.count()).group_by(Claim.speaker_id)).all())
        rows = session.scalars(select(Speaker).order_by(Speaker.name_key))
        return [speaker_view(r, counts.get(r.id, 0)) for r in rows]


def find_source(session: Session, ref: str) -> Source | None:
    found = source_id(session, ref)
    return None if found is None else session.get(Source, found)


def require_source(session: Session, ref: str) -> Source:
    return session.get(Source, require_source_id(session, ref))


def add_source(
    ledger: Ledger,
    *,
    url: str | None,
    title: str | None,
    publisher: str | None,
    published: date | None,
    text: str | None,
    actor: str,
    today: date,
) -> SourceView:
    values = check_source(url, title, publisher, published, today)
    text = encodable(text, "source_text") if text is not None else None  # kept byte for byte, as hashed
    digest = text_sha256(text)
    try:
        with ledger.write() as session:
            if values.url is not None and (taken := find_source(session, values.url)) is not None:
                raise Conflict(f"source {values.url} is already in the ledger as #{taken.id}")
            row = Source(**vars(values), text=text, text_sha256=digest)
            session.add(row)
            journal.record(session, actor=actor, action="source.added", row=row)
            return source_view(row)
    except IntegrityError:
        raise Conflict(f"source {values.url} was added by someone else just now") from None
