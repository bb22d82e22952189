"""Reading CSV files: a header naming canonical columns, then one claim per row.

A cell that export guarded against spreadsheet formulas (``'=...``) is read back without the
guard's quote (``escape.csv_uncell``), so exporting and importing again gives the same text."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from ledger.escape import csv_uncell
from ledger.services.transfer.rows import COLUMNS, REQUIRED, Record, RowError


def read_csv(handle: IO[str]) -> Iterator[Record]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, RowError(1, f"not a CSV header: {exc}")
        return
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in names]
    if unknown or missing or len(set(names)) != len(names):
        problem = (f"unknown column {unknown[0]!r}" if unknown else f"no {missing[0]!r} column" if missing
                   else "a column appears twice")
        yield 1, RowError(1, f"wrong header: {problem}; the columns are {', '.join(COLUMNS)} (see docs/import-export.md)")
        return
    end = reader.line_num
    while True:
        start = end + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, RowError(start, f"cannot read the row: {exc}")
            return  # the reader cannot find the next row reliably
        end = reader.line_num
        if not any(v.strip() for v in values):  # blank, or a spreadsheet's empty row
            continue
        if len(values) != len(names):
            yield start, RowError(start, f"{len(values)} fields, but the header has {len(names)}")
            continue
        yield start, dict(zip(names, map(csv_uncell, values)))
