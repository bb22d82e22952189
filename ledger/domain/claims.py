"""Values a claim is made of, checked before anything touches the ledger: text, probability, tags."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from ledger.errors import InvalidInput

_SPACES = re.compile(r"\s+")


def clean_text(text: str | None, what: str = "claim text") -> str:
    cleaned = _SPACES.sub(" ", (text or "")).strip()
    if not cleaned:
        raise InvalidInput(f"empty {what}: say what was predicted")
    return cleaned


def name_key(name: str) -> str:
    """The key that makes "Elon Musk" and "elon  musk" one name."""
    return _SPACES.sub(" ", name).strip().casefold()


def text_fingerprint(text: str) -> str:
    """SHA-256 of the claim text with case and spacing folded: the claim's natural key part."""
    return hashlib.sha256(name_key(text).encode("utf-8")).hexdigest()


def parse_probability(value: str | float | None) -> float | None:
    """``0.7``, ``70%`` and ``70 %`` are all 0.7; anything outside 0..1 is refused."""
    if value is None or value == "":
        return None
    raw = str(value).strip()
    percent = raw.endswith("%")
    try:
        number = float(raw.rstrip("%").strip())
    except ValueError:
        raise InvalidInput(f"probability {raw!r} is not a number; use 0.7 or 70%") from None
    if percent:
        number /= 100
    if not 0 <= number <= 1 or number != number:
        raise InvalidInput(f"probability {raw!r} is outside 0..1; use 0.7 or 70%")
    return round(number, 12)


def clean_tag(tag: str) -> str:
    cleaned = _SPACES.sub("-", tag.strip().casefold())
    if not cleaned:
        raise InvalidInput("empty tag")
    return cleaned


@dataclass(frozen=True)
class ClaimDraft:
    """What a user gives for a new claim, before the ledger resolves names and dates."""

    text: str
    speaker: str
    deadline: str
    said: date | None = None
    quote: str | None = None
    source: str | None = None
    probability: str | float | None = None
    confidence: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    horizon: str | None = None
    restates: int | None = None
    new_speaker: bool = False
