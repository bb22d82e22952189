"""The formats `claims import` reads, one reader each, registered in one table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ledger.errors import InvalidInput
from ledger.services.transfer.csv_reader import read_csv
from ledger.services.transfer.jsonl_reader import read_jsonl
from ledger.services.transfer.predictionbook import read_predictionbook
from ledger.services.transfer.rows import Record

READERS: dict[str, Callable[[IO[str]], Iterator[Record]]] = {
    "csv": read_csv, "jsonl": read_jsonl, "predictionbook": read_predictionbook,
}
FORMATS = tuple(READERS)


def guess_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    known = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    if suffix not in known:
        raise InvalidInput(f"cannot tell the format of {Path(path).name}: pass --format csv, jsonl or predictionbook")
    return known[suffix]


def open_text(path: str | Path) -> IO[str]:
    try:
        # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
