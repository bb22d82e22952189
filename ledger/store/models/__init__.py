"""The ORM models, one module per area; importing this package registers every table on Base."""

from ledger.store.models.base import Base
from ledger.store.models.core import Claim, ClaimTag, JournalEntry, Reviewer, Source, Speaker, SpeakerAlias

__all__ = ["Base", "Claim", "ClaimTag", "JournalEntry", "Reviewer", "Source", "Speaker", "SpeakerAlias"]
