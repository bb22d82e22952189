"""Resolutions: reviewers' judgements of claims, append-only. A later resolution supersedes an
earlier one (an amendment) or joins it towards a quorum; none is ever updated or deleted."""

from ledger.store import tables
from ledger.store.models.base import Base


class Resolution(Base):
    __table__ = tables.RESOLUTIONS
