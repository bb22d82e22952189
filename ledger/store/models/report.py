"""The report's stored prior (migration 0010): the empirical-Bayes prior fitted across every
speaker, kept so that a report on one speaker reads that speaker's claims and not everyone's.

It is derived, never the record: each row names the journal head and the scope it was fitted at
(``ledger.domain.report.prior_key``), a report reads only a row at the ledger's current head,
and `claims verify` fits every such row again and compares (docs/review.md)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.store.models.base import Base


class ReportPrior(Base):
    __tablename__ = "report_priors"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the head, scope and rules
    journal_seq: Mapped[int] = mapped_column(Integer)
    journal_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(Text)  # canonical JSON: the report options the prior depends on
    alpha: Mapped[float] = mapped_column(Float)
    beta: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    speakers: Mapped[int] = mapped_column(Integer)
