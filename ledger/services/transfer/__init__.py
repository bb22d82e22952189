"""Bulk import and export of claims in the canonical CSV/JSONL format (docs/import-export.md).

Import runs in stages, each over a stream so memory stays flat whatever the file's size:
reading turns lines into records (one reader per format, ``formats.READERS``); checking turns each
record into the values of a claim or into a ``RowError`` (``checks``; errors are values, collected
and reported together); only a file with no bad rows (or with ``skip_invalid``) is written, in
batches of ``BATCH`` rows, one transaction each (``bulk``), so an interrupted import leaves whole
batches behind and a rerun skips what is already there. Checked rows wait in a temporary spool
file between the stages, so nothing is read twice. ``export`` writes the same format back out.

Writing uses SQLAlchemy Core in bulk: one query per batch resolves speakers, one resolves sources,
one finds the claims already present (the natural key: speaker, date said, text fingerprint), one
insert adds the claims, and the journal gets the same entries ``claims add`` would write, chained
in one append (journal.record_many).
"""

from ledger.services.transfer.bulk import BadRows, ImportReport, import_claims
from ledger.services.transfer.checks import Checked, check_row
from ledger.services.transfer.export import export_claims, export_to_file
from ledger.services.transfer.formats import FORMATS, READERS, guess_format
from ledger.services.transfer.predictionbook import predictionbook_row
from ledger.services.transfer.rows import BATCH, COLUMNS, REQUIRED, RowError

__all__ = [
    "BATCH", "COLUMNS", "FORMATS", "READERS", "REQUIRED", "BadRows", "Checked", "ImportReport", "RowError",
    "check_row", "export_claims", "export_to_file", "guess_format", "import_claims", "predictionbook_row",
]
