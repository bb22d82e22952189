"""Row ids as people type them: ASCII digits naming a row that every backend can hold.

Ids are INTEGER columns, 32 bits on PostgreSQL; a larger number cannot name a row, and sent to the
database it fails there (an overflow on SQLite, an out-of-range error on PostgreSQL).
"""

from __future__ import annotations

MAX_ID = 2**31 - 1


def looks_like_id(text: str) -> bool:
    """Digits only, and ASCII ones: ``"²"`` and ``"٣"`` are digits to Python but not ids."""
    return text.isascii() and text.isdigit()


def can_be_id(number: int) -> bool:
    return 1 <= number <= MAX_ID
