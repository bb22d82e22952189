"""Finding a speaker or a source by what the user typed, on the Core tables: the read commands
use it on a connection, the writers (ledger.services.people) on their session, so the rules and
the messages are written once.

``db`` is a ``Connection`` or a ``Session``: both execute Core statements (a session flushes
what it holds first, so a writer finds the speaker it has just added)."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select

from ledger.domain.claims import valid_id
from ledger.domain.names import Lookalikes
from ledger.domain.text import check_name, name_key, storable
from ledger.errors import NotFound
from ledger.store.tables import SOURCES, SPEAKER_ALIASES, SPEAKERS
from ledger.views import SourceView


def source_view(row: Any, prefix: str = "") -> SourceView:
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


def speaker_id(db, name: str) -> int | None:
    """The speaker called ``name`` (compared case-folded) or known by it as an alias."""
    key = check_name(name)[1]
    found = db.execute(select(SPEAKERS.c.id).where(SPEAKERS.c.name_key == key)).scalar()
    if found is None:
        found = db.execute(select(SPEAKER_ALIASES.c.speaker_id).where(SPEAKER_ALIASES.c.alias_key == key)).scalar()
    return found


def speaker_names(db) -> list[tuple[str, str]]:
    """Every speaker's name and alias, each with who it names ("speaker #1 'Elon Musk'")."""
    rows = [
        *db.execute(select(SPEAKERS.c.name, SPEAKERS.c.id, SPEAKERS.c.name)),
        *db.execute(
            select(SPEAKER_ALIASES.c.alias, SPEAKERS.c.id, SPEAKERS.c.name)
            .join_from(SPEAKER_ALIASES, SPEAKERS, SPEAKERS.c.id == SPEAKER_ALIASES.c.speaker_id)
        ),
    ]
    return [(shown, f"speaker #{sid} {speaker!r}") for shown, sid, speaker in rows]


def lookalike(db, name: str) -> str | None:
    """The existing speaker whose name or alias looks like ``name`` (see ledger.domain.names)."""
    return Lookalikes(speaker_names(db)).resembling(name)


def resembles(name: str, speaker: str) -> str:
    return f"{name!r} looks like {speaker} (letters from other scripts or digits that look alike)"


def require_speaker_id(db, name: str) -> int:
    found = speaker_id(db, name)
    if found is not None:
        return found
    if (similar := lookalike(db, name)) is not None:
        raise NotFound(f"unknown speaker: {resembles(name, similar)}; use that spelling, or pass --new-speaker if it is someone else")
    names = [n for n, _ in speaker_names(db)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name_key(name) in name_key(n) and n not in close][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close[:3])}?" if close else ""
    raise NotFound(f"unknown speaker {name!r}{hint} (add it with `claims speaker add` or pass --new-speaker)")


def source_id(db, ref: str) -> int | None:
    """The source whose id or URL is ``ref``."""
    ref = storable(ref, "url").strip()
    if ref.isascii() and ref.isdigit():
        if not valid_id(int(ref)):
            return None
        return db.execute(select(SOURCES.c.id).where(SOURCES.c.id == int(ref))).scalar()
    return db.execute(select(SOURCES.c.id).where(SOURCES.c.url == ref)).scalar()


def require_source_id(db, ref: str) -> int:
    found = source_id(db, ref)
    if found is None:
        raise NotFound(f"unknown source {ref!r} (add it first with `claims source add URL --published DATE`)")
    return found
