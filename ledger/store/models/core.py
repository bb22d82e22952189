"""The ledger's core tables: speakers and their aliases, sources, claims and tags, reviewers, and
the hash-chained journal that records every change to them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.domain.vocab import ChangeKind, ClaimStatus, Outcome, sql_in
from ledger.store.models.base import Base
from ledger.store.types import UTCDateTime, utcnow



class Speaker(Base):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Casefolded name: "elon musk" and "Elon Musk" are one speaker on every backend.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The published page's name (speakers/SLUG.html): made once from the first name, kept through
    # renames so links never break (ledger.domain.slugs).
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    aliases: Mapped[list[SpeakerAlias]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", order_by="SpeakerAlias.alias"
    )


class SpeakerAlias(Base):
    __tablename__ = "speaker_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    alias_key: Mapped[str] = mapped_column(String(200), unique=True)

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    html: Mapped[str | None] = mapped_column(Text)  # the page the text was read from, if any
    html_sha256: Mapped[str | None] = mapped_column(String(64))


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        # The natural key: the same words by the same speaker on the same day are one claim. Not
        # unique since 0011: a speaker merge may bring two copies of one claim together, and the
        # user withdraws one. Writers look the key up under the journal lock instead.
        Index("ix_claims_natural_key", "speaker_id", "said", "text_sha256"),
        CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 1)", name="probability"),
        CheckConstraint(sql_in("status", ClaimStatus), name="status"),
        CheckConstraint("deadline >= said", name="deadline_after_said"),
        CheckConstraint(f"outcome IS NULL OR {sql_in('outcome', Outcome)}", name="outcome"),
        Index("ix_claims_status_deadline", "status", "deadline"),
        # Every report counts the withdrawn claims said by its date: a few among many. Revision
        # 0010 makes it partial (WHERE withdrawn_at IS NOT NULL); the model leaves the condition
        # out because sqlite_where and postgresql_where import both dialects on every start-up
        # (the PostgreSQL one alone is about a tenth of `import sqlalchemy.orm`).
        Index("ix_claims_withdrawn_said", "said"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    quote: Mapped[str | None] = mapped_column(Text)
    said: Mapped[date] = mapped_column(Date)
    # The deadline as the speaker put it, and what it means (see ledger.domain.deadlines).
    deadline_text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    deadline_earliest: Mapped[date] = mapped_column(Date)
    deadline_granularity: Mapped[str] = mapped_column(String(20))
    deadline_timex: Mapped[str] = mapped_column(String(40))
    deadline_strict: Mapped[date | None] = mapped_column(Date)
    deadline_assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    probability: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str | None] = mapped_column(Text)
    # The event the claim forecasts, as named by whoever logs it ("2022 Georgia governor"): a
    # speaker's claims on one event are one unit when scored (docs/report.md, "Events").
    event: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    logged_by: Mapped[str] = mapped_column(String(200))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed (0010): a report finds the few restated claims through it instead of reading them all.
    restates_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    # The current verdict, kept on the claim by the review service so reports aggregate one table;
    # the resolutions table holds the full, append-only history behind it.
    outcome: Mapped[str | None] = mapped_column(String(20))
    occurred: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on every change; a writer that read an older version loses (optimistic locking).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set while the claim is withdrawn: kept, journaled and shown, but out of lists and reports.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    speaker: Mapped[Speaker] = relationship()
    source: Mapped[Source | None] = relationship()
    tags: Mapped[list[ClaimTag]] = relationship(
        cascade="all, delete-orphan", order_by="ClaimTag.tag", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class RestatementChange(Base):
    """A link between claims set or removed after the fact (`claims link`/`unlink`), with why:
    append-only, the claim's ``restates_id`` holds the current link."""

    __tablename__ = "restatement_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    restates_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))  # None: unlinked
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))  # the link it replaced
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClaimTag(Base):
    __tablename__ = "claim_tags"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class ClaimChange(Base):
    """An edit, withdrawal or restoration of a claim: why, by whom, and the fields before and after
    (canonical JSON ``{field: {"from": ..., "to": ...}}``). Only ever inserted."""

    __tablename__ = "claim_changes"
    __table_args__ = (CheckConstraint(sql_in("action", ChangeKind), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reviewer(Base):
    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JournalEntry(Base):
    """One change to the ledger. Each entry hashes its content and the previous entry's hash."""

    __tablename__ = "journal"
    __table_args__ = (Index("ix_journal_entity", "entity", "entity_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of the row after the change
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
