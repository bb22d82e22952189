"""Reading JSON Lines files: one JSON object per line, keyed by canonical column."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from ledger.services.transfer.rows import COLUMNS, Record, RowError, json_object


def read_jsonl(handle: IO[str]) -> Iterator[Record]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        value = json_object(line, text)
        if isinstance(value, dict) and (unknown := sorted(set(value) - set(COLUMNS))):
            value = RowError(line, f"unknown key {unknown[0]!r}; the keys are {', '.join(COLUMNS)}")
        yield line, value
