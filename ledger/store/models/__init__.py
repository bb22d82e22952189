"""The ORM models, one module per area; importing this package registers every table on Base."""

from ledger.store.models.base import Base
from ledger.store.models.core import (
    Claim, ClaimChange, ClaimTag, JournalEntry, RestatementChange, Reviewer, Source, Speaker, SpeakerAlias,
)
from ledger.store.models.review import Resolution
from ledger.store.models import extract, reminders  # noqa: F401  (registers their tables)
from ledger.store.models.report import ReportPrior
from ledger.store.models.search import SearchDocument

__all__ = [
    "Base", "Claim", "ClaimChange", "ClaimTag", "JournalEntry", "ReportPrior", "RestatementChange", "Resolution", "Reviewer", "SearchDocument", "Source",
    "Speaker", "SpeakerAlias",
]
