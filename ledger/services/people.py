"""Speakers, their aliases, and sources: the who and the where of every claim."""

from __future__ import annotations

import difflib
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.domain.claims import clean_text, name_key
from ledger.domain.derived import text_sha256
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.services import journal
from ledger.store.engine import Ledger
from ledger.store.models import Source, Speaker, SpeakerAlias


def speaker_view(row: Speaker, claims: int | None = None) -> dict:
    view = {"id": row.id, "name": row.name, "aliases": sorted(a.alias for a in row.aliases)}
    if claims is not None:
        view["claims"] = claims
    return view


def source_view(row: Source | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "url": row.url,
        "title": row.title,
        "publisher": row.publisher,
        "published": row.published.isoformat() if row.published else None,
        "text_sha256": row.text_sha256,
    }


def find_speaker(session: Session, name: str) -> Speaker | None:
    key = name_key(name)
    found = session.scalar(select(Speaker).where(Speaker.name_key == key))
    if found is None:
        found = session.scalar(select(Speaker).join(SpeakerAlias).where(SpeakerAlias.alias_key == key))
    return found


def require_speaker(session: Session, name: str) -> Speaker:
    found = find_speaker(session, name)
    if found is not None:
        return found
    names = list(session.scalars(select(Speaker.name))) + list(session.scalars(select(SpeakerAlias.alias)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name_key(name) in name_key(n) and n not in close][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close[:3])}?" if close else ""
    raise NotFound(f"unknown speaker {name!r}{hint} (add it with `claims speaker add` or pass --new-speaker)")


def create_speaker(session: Session, name: str, aliases: tuple[str, ...], actor: str) -> Speaker:
    name = clean_text(name, "speaker name")
    keys = [name_key(name)] + [name_key(a) for a in aliases]
    for key, shown in zip(keys, (name, *aliases)):
        taken = find_speaker(session, shown)
        if taken is not None:
            raise Conflict(f"{shown!r} already names speaker #{taken.id} ({taken.name})")
    if len(set(keys)) != len(keys):
        raise InvalidInput("an alias repeats the speaker's name or another alias")
    row = Speaker(name=name, name_key=keys[0], aliases=[SpeakerAlias(alias=clean_text(a, "alias"), alias_key=name_key(a)) for a in aliases])
    session.add(row)
    journal.record(session, actor=actor, action="speaker.added", row=row)
    return row


def add_speaker(ledger: Ledger, name: str, aliases: tuple[str, ...], actor: str) -> dict:
    try:
        with ledger.write() as session:
            return speaker_view(create_speaker(session, name, aliases, actor))
    except IntegrityError:
        raise Conflict(f"speaker {name!r} was added by someone else just now") from None


def add_alias(ledger: Ledger, speaker: str, aliases: tuple[str, ...], actor: str) -> dict:
    with ledger.write() as session:
        row = require_speaker(session, speaker)
        for alias in aliases:
            taken = find_speaker(session, alias)
            if taken is not None:
                raise Conflict(f"{alias!r} already names speaker #{taken.id} ({taken.name})")
            row.aliases.append(SpeakerAlias(alias=clean_text(alias, "alias"), alias_key=name_key(alias)))
        journal.record(session, actor=actor, action="speaker.edited", row=row)
        return speaker_view(row)


def list_speakers(ledger: Ledger) -> list[dict]:
    from sqlalchemy import func

    from ledger.store.models import Claim

    with ledger.read() as session:
        counts = dict(session.execute(select(Claim.speaker_id, func.count()).group_by(Claim.speaker_id)).all())
        rows = session.scalars(select(Speaker).order_by(Speaker.name_key))
        return [speaker_view(r, counts.get(r.id, 0)) for r in rows]


def find_source(session: Session, ref: str) -> Source | None:
    if ref.isdigit():
        return session.get(Source, int(ref))
    return session.scalar(select(Source).where(Source.url == ref.strip()))


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
) -> dict:
    url = (url or "").strip() or None
    if url is not None and "://" not in url:
        raise InvalidInput(f"source URL {url!r} has no scheme; use e.g. https://example.org/article")
    if url is None and not title:
        raise InvalidInput("a source needs a URL or a --title")
    digest = text_sha256(text)
    try:
        with ledger.write() as session:
            if url is not None and (taken := find_source(session, url)) is not None:
                raise Conflict(f"source {url} is already in the ledger as #{taken.id}")
            row = Source(url=url, title=title, publisher=publisher, published=published, text=text, text_sha256=digest)
            session.add(row)
            journal.record(session, actor=actor, action="source.added", row=row)
            return source_view(row)
    except IntegrityError:
        raise Conflict(f"source {url} was added by someone else just now") from None
