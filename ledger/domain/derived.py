"""Values the ledger stores but derives from other fields: lookup keys and digests.

They are kept in columns so lookups are indexed (a speaker by any spelling of its name, a claim by
its natural key), which makes them a target: a ``name_key`` changed behind the tool's back would
file new claims under the wrong speaker. `claims verify` recomputes each from the fields it is
derived from, with the same functions the writers use, so the two can never disagree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ledger.domain.claims import text_fingerprint
from ledger.domain.text import name_key


def text_sha256(text: str | None) -> str | None:
    """SHA-256 of a source's stored text exactly as stored (no folding): what a reader checks."""
    return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# entity -> [(stored column, the field it is derived from, how)], checked row by row by verify.
# Collections of a row (a speaker's aliases) are checked through their own entry.
DERIVED: dict[str, list[tuple[str, str, Callable[[Any], Any]]]] = {
    "speaker": [("name_key", "name", name_key)],
    "alias": [("alias_key", "alias", name_key)],
    "reviewer": [("name_key", "name", name_key)],
    "claim": [("text_sha256", "text", text_fingerprint)],
    "source": [("text_sha256", "text", text_sha256), ("html_sha256", "html", text_sha256)],
}


def mismatches(entity: str, row: Any) -> list[tuple[str, str, Any, Any]]:
    """``(column, field, stored, recomputed)`` for each derived column of ``row`` that is not what
    its field gives."""
    found = []
    for column, field, derive in DERIVED.get(entity, ()):
        value = getattr(row, field)
        stored, expected = getattr(row, column), None if value is None else derive(value)
        if stored != expected:
            found.append((column, field, stored, expected))
    return found
