"""What `claims extract` remembers about a source: the candidates a reviewer skipped (see
migrations/versions/0007_extract.py). A candidate is named by a digest of its speaker, sentence
and deadline words (ledger.domain.extract.Candidate.key), so a rerun knows it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.store.models.base import Base
from ledger.store.types import UTCDateTime, utcnow


class ExtractSkip(Base):
    __tablename__ = "extract_skips"
    __table_args__ = (UniqueConstraint("source_id", "candidate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    candidate: Mapped[str] = mapped_column(String(64))
    skipped_by: Mapped[str] = mapped_column(String(200))
    skipped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
