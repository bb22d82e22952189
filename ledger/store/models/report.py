"""The report's stored prior (migration 0010): the empirical-Bayes prior fitted across every
speaker, kept so that a report on one speaker reads that speaker's claims and not everyone's.

It is derived, never the record: each row names the journal head and the scope it was fitted at
(``ledger.domain.report.prior_key``), a report reads only a row at the ledger's current head,
and `claims verify` fits every such row again and compares (docs/review.md)."""

from ledger.store import tables
from ledger.store.models.base import Base


class ReportPrior(Base):
    __table__ = tables.REPORT_PRIORS
