"""Speakers, their aliases, and sources: the who and the where of every claim."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.domain.claims import check_source, valid_id
from ledger.domain.derived import text_sha256
from ledger.domain.names import Lookalikes
from ledger.domain.slugs import base_slug, unique_slug
from ledger.domain.text import check_name, encodable, name_key, storable
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.services import journal
from ledger.store.engine import Ledger
from ledger.store.models import Source, Speaker, SpeakerAlias
from ledger.views import SourceView, SpeakerView


def speaker_view(row: Speaker, claims: int | None = None) -> SpeakerView:
    view: SpeakerView = {"id": row.id, "name": row.name, "aliases": sorted(a.alias for a in row.aliases)}
    if claims is not None:
        view["claims"] = claims
    return view


def source_view(row: Source | Any, prefix: str = "") -> SourceView:
    """The JSON shape of a source: of its ORM row, or of a Core row whose columns are named
    ``prefix`` + the source's (a claim's view reads its source's as ``source_url``...)."""
    published = getattr(row, prefix + "published")
    return {
        "id": getattr(row, prefix + "id"),
        "url": getattr(row, prefix + "url"),
        "title": getattr(row, prefix + "title"),
        "publisher": getattr(row, prefix + "publisher"),
        "published": published.isoformat() if published else None,
        "text_sha256": getattr(row, prefix + "text_sha256"),
    }


def find_speaker(session: Session, name: str) -> Speaker | None:
    key = check_name(name)[1]
    found = session.scalar(select(Speaker).where(Speaker.name_key == key))
    if found is None:
        found = session.scalar(select(Speaker).join(SpeakerAlias).where(SpeakerAlias.alias_key == key))
    return found


def speaker_names(session: Session) -> list[tuple[str, str]]:
    """Every speaker's name and alias, each with who it names ("speaker #1 'Elon Musk'")."""
    rows = [
        *session.execute(select(Speaker.name, Speaker.id, Speaker.name)),
        *session.execute(select(SpeakerAlias.alias, Speaker.id, Speaker.name).join(Speaker)),
    ]
    return [(shown, f"speaker #{speaker_id} {name!r}") for shown, speaker_id, name in rows]


def lookalike(session: Session, name: str) -> str | None:
    """The existing speaker whose name or alias looks like ``name`` (see ledger.domain.names)."""
    return Lookalikes(speaker_names(session)).resembling(name)


def resembles(name: str, speaker: str) -> str:
    return f"{name!r} looks like {speaker} (letters from other scripts or digits that look alike)"


def require_speaker(session: Session, name: str) -> Speaker:
    found = find_speaker(session, name)
    if found is not None:
        return found
    if (similar := lookalike(session, name)) is not None:
        raise NotFound(f"unknown speaker: {resembles(name, similar)}; use that spelling, or pass --new-speaker if it is someone else")
    names = [n for n, _ in speaker_names(session)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name_key(name) in name_key(n) and n not in close][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close[:3])}?" if close else ""
    raise NotFound(f"unknown speaker {name!r}{hint} (add it with `claims speaker add` or pass --new-speaker)")


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
    ref = storable(ref, "url").strip()
    if ref.isascii() and ref.isdigit():
        return session.get(Source, int(ref)) if valid_id(int(ref)) else None
    return session.scalar(select(Source).where(Source.url == ref))


def require_source(session: Session, ref: str) -> Source:
    found = find_source(session, ref)
    if found is None:
        raise NotFound(f"unknown source {ref!r} (add it first with `claims source add URL --published DATE`)")
    return found


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
