"""Resolutions: reviewers' judgements of claims, append-only. A later resolution supersedes an
earlier one (an amendment) or joins it towards a quorum; none is ever updated or deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.domain.vocab import Outcome, sql_in
from ledger.store.models.base import Base
from ledger.store.types import UTCDateTime, utcnow


class Resolution(Base):
    __tablename__ = "resolutions"
    __table_args__ = (CheckConstraint(sql_in("outcome", Outcome), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    occurred: Mapped[date | None] = mapped_column(Date)  # when it happened, for true/partial
    reviewer: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)  # canonical JSON array of URLs
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why an amendment supersedes
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    claim_version: Mapped[int] = mapped_column(Integer)  # the claim version the reviewer judged
    # Votes towards one verdict share a round; an amendment of a settled verdict opens the next.
    round: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
