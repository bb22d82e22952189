"""Rules every piece of text obeys before it reaches the ledger, whichever way it comes in.

The limits are the ones the database holds (column lengths, no NUL byte, valid Unicode), so that
nothing accepted here can fail at write time on SQLite or PostgreSQL; they are checked on the raw
value first, so no input is ever long enough to make parsing slow. docs/import-export.md lists them.
"""

from __future__ import annotations

import re
import unicodedata

from ledger.errors import InvalidInput

# Maximum lengths, in characters, of each value a user gives.
LIMITS = {
    "speaker": 200,  # speakers.name and name_key
    "alias": 200,  # speaker_aliases.alias and alias_key
    "text": 2000,
    "quote": 10_000,
    "date": 40,  # said, occurred, source_published
    "deadline": 200,
    "horizon": 20,
    "probability": 20,
    "confidence": 200,
    "event": 200,  # claims.event
    "tag": 100,  # claim_tags.tag
    "url": 2000,  # sources.url, and each evidence or webhook address
    "source_title": 1000,
    "source_publisher": 300,  # sources.publisher
    "source_text": 5_000_000,
    "outcome": 20,
    "reviewer": 200,  # resolutions.reviewer, reviewers.name
    "actor": 200,  # who logs a claim or makes a change: claims.logged_by, journal.actor
    "evidence": 50,  # addresses per resolution
    "note": 10_000,
    "reason": 10_000,
    "query": 500,  # claims search
}
# Names the messages use for each value.
WHAT = {"text": "claim text", "speaker": "speaker name", "url": "URL", "reviewer": "reviewer name", "actor": "name of who acts"}

_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _name(field: str) -> str:
    return WHAT.get(field, field.replace("_", " "))


class about:  # noqa: N801  a class, not @contextmanager: `claims import` enters it ~10 times a row
    """Name the value a rule refused as ``field``, for the ways in that report it (an import's
    ``line: column: message``); the message itself is the same everywhere."""

    __slots__ = ("field",)

    def __init__(self, field: str):
        self.field = field

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, traceback: object) -> None:
        # None, not False: the error goes on, and type checkers know the block's end is not reached.
        if isinstance(exc, InvalidInput) and getattr(exc, "field", None) is None:
            exc.field = self.field  # type: ignore[attr-defined]


def within(value: str, field: str) -> str:
    """Refuse ``value`` if it is longer than ``field``'s limit; checked before anything reads it."""
    limit = LIMITS[field]
    if len(value) > limit:
        raise InvalidInput(f"{_name(field)} is longer than {limit:,} characters ({len(value):,})")
    return value


def encodable(value: str, field: str) -> str:
    """``value`` unchanged, if both databases can store it: within its limit, no NUL byte
    (PostgreSQL refuses one), no lone surrogate (not encodable as UTF-8)."""
    within(value, field)
    if "\x00" in value:
        raise InvalidInput(f"{_name(field)} contains a NUL byte")
    if bad := _SURROGATE.search(value):
        raise InvalidInput(f"{_name(field)} is not valid Unicode (lone surrogate U+{ord(bad[0]):04X})")
    return value


def storable(value: str, field: str) -> str:
    """``value`` in NFC, once it is encodable."""
    return within(unicodedata.normalize("NFC", encodable(value, field)), field)


def one_line(value: str | None, field: str) -> str | None:
    """A single-line value: spaces collapsed, None when blank."""
    if value is None:
        return None
    cleaned = _SPACES.sub(" ", storable(value, field)).strip()
    return cleaned or None


def block(value: str | None, field: str) -> str | None:
    """A value that may span lines (a quote, a note): trimmed, None when blank."""
    if value is None:
        return None
    return storable(value, field).strip() or None


def required(value: str | None, field: str, hint: str = "") -> str:
    cleaned = one_line(value, field)
    if cleaned is None:
        raise InvalidInput(f"empty {_name(field)}{hint}")
    return cleaned


def name_key(name: str) -> str:
    """The key that makes "Elon Musk", "elon  musk" and the same letters composed differently one
    name: NFC, spaces collapsed, case folded."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip().casefold()
    return unicodedata.normalize("NFC", folded)


def check_name(name: str | None, field: str = "speaker") -> tuple[str, str]:
    """A person's name as stored, and its key; both must fit the column (case folding can lengthen
    a name: "ß" folds to "ss")."""
    cleaned = required(name, field)
    key = name_key(cleaned)
    if len(key) > LIMITS[field]:
        raise InvalidInput(f"{_name(field)} is longer than {LIMITS[field]:,} characters once case is folded")
    return cleaned, key


def check_actor(name: str | None) -> str:
    """Who logs a claim or makes a change (--logged-by, user.name): a name, not a blank."""
    return required(name, "actor", ": give a name (--logged-by, or user.name in the config)")
