"""The text each claim is found by (see ledger.domain.search.document), one row per claim, kept in
the same transaction as every write that changes it. The full-text index over it is the backend's
own (SQLite FTS5 table ``search_fts``, PostgreSQL GIN index on its tsvector), made by migration
0009 and read through ledger.store.dialect; `claims verify` recomputes every row."""

from ledger.store import tables
from ledger.store.models.base import Base


class SearchDocument(Base):
    __table__ = tables.SEARCH_DOCUMENTS
