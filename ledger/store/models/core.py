"""The ledger's core models: speakers and their aliases, sources, claims and tags, reviewers, and
the hash-chained journal that records every change to them. Their columns are the tables'
(ledger.store.tables); a model adds only its relationships."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, relationship

from ledger.store import tables
from ledger.store.models.base import Base


class Speaker(Base):
    __table__ = tables.SPEAKERS

    aliases: Mapped[list[SpeakerAlias]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", order_by="SpeakerAlias.alias"
    )


class SpeakerAlias(Base):
    __table__ = tables.SPEAKER_ALIASES

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")


class Source(Base):
    __table__ = tables.SOURCES


class Claim(Base):
    __table__ = tables.CLAIMS

    speaker: Mapped[Speaker] = relationship()
    source: Mapped[Source | None] = relationship()
    tags: Mapped[list[ClaimTag]] = relationship(
        cascade="all, delete-orphan", order_by="ClaimTag.tag", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": tables.CLAIMS.c.version}


class RestatementChange(Base):
    """A link between claims set or removed after the fact (`claims link`/`unlink`), with why:
    append-only, the claim's ``restates_id`` holds the current link."""

    __table__ = tables.RESTATEMENT_CHANGES


class ClaimTag(Base):
    __table__ = tables.CLAIM_TAGS


class ClaimChange(Base):
    """An edit, withdrawal or restoration of a claim: why, by whom, and the fields before and after
    (canonical JSON ``{field: {"from": ..., "to": ...}}``). Only ever inserted."""

    __table__ = tables.CLAIM_CHANGES


class Reviewer(Base):
    __table__ = tables.REVIEWERS


class JournalEntry(Base):
    """One change to the ledger. Each entry hashes its content and the previous entry's hash."""

    __table__ = tables.JOURNAL
