"""The canonical row of a claims file: its columns, and a bad row as a value (``RowError``)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

COLUMNS = (
    "speaker", "text", "quote", "said", "deadline", "probability", "confidence", "tags",
    "source_url", "source_title", "source_publisher", "source_published",
    "outcome", "occurred", "reviewer", "evidence", "note", "event", "restates_said", "restates_text",
)
REQUIRED = ("speaker", "text", "deadline")
BATCH = 1000  # rows per transaction on import, and per read on export


class RowError(NamedTuple):
    """One bad row: where it is and what is wrong with it."""

    line: int
    message: str



TOO_DEEP = "malformed JSON: nested too deeply (no claim has arrays or objects within each other)"

# What a reader yields: the line a record starts on, and the record or what is wrong with it.
Record = tuple[int, "dict[str, Any] | RowError"]


def json_object(line: int, text: str) -> dict | RowError:
    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError as exc:
        return RowError(line, f"malformed JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return RowError(line, TOO_DEEP)
    if not isinstance(value, dict):
        return RowError(line, f"expected a JSON object, got {type(value).__name__}")
    return value
