"""What `claims extract` remembers about a source: the candidates a reviewer skipped (see
migrations/versions/0007_extract.py). A candidate is named by a digest of its speaker, sentence
and deadline words (ledger.domain.extract.Candidate.key), so a rerun knows it again."""

from ledger.store import tables
from ledger.store.models.base import Base


class ExtractSkip(Base):
    __table__ = tables.EXTRACT_SKIPS
