"""What a claim is made of, checked once for every way in (`claims add`, `import`, `seed load`):
text, quote, when it was said, its deadline, probability, confidence and tags.

Pure: the caller looks up the speaker and the source and says what day it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ledger.domain.text import block, name_key, one_line, required, storable, within
from ledger.errors import InvalidDeadline, InvalidInput

if TYPE_CHECKING:
    from ledger.domain.deadlines import Deadline

_SPACES = re.compile(r"\s+")
_PERCENT = re.compile(r"^(?P<n>[^%]*?)\s*(?P<pct>%?)$")


def clean_text(text: str | None, what: str = "claim text") -> str:
    """A required one-line text (spaces collapsed), checked as a claim's text is."""
    cleaned = one_line(text, "text")
    if cleaned is None:
        raise InvalidInput(f"empty {what}: say what was predicted" if what == "claim text" else f"empty {what}")
    return cleaned


def text_fingerprint(text: str) -> str:
    """SHA-256 of the claim text with case and spacing folded: the claim's natural key part."""
    return hashlib.sha256(name_key(text).encode("utf-8")).hexdigest()


def parse_probability(value: str | float | None) -> float | None:
    """``0.7``, ``70%`` and ``70 %`` are all 0.7; anything outside 0..1, or written ambiguously
    (``70%%``, ``--0.7``), is refused."""
    if value is None or value == "":
        return None
    raw = within(str(value), "probability").strip()
    if raw.count("%") > 1:
        raise InvalidInput(f"probability {raw!r} has more than one '%'; use 0.7 or 70%")
    match = _PERCENT.match(raw)
    try:
        if match is None or not re.fullmatch(r"[0-9.eE+-]+", match["n"]):
            raise ValueError
        number = float(match["n"])
    except ValueError:
        raise InvalidInput(f"probability {raw!r} is not a number; use 0.7 or 70%") from None
    if match["pct"]:
        number /= 100
    if not 0 <= number <= 1 or number != number:
        raise InvalidInput(f"probability {raw!r} is outside 0..1; use 0.7 or 70%")
    return round(number, 12)


def clean_tag(tag: str) -> str:
    cleaned = _SPACES.sub("-", storable(tag, "tag").strip().casefold())
    if not cleaned:
        raise InvalidInput("empty tag")
    return within(cleaned, "tag")


def resolve_deadline(expression: str, said: date, horizon: str | None = None) -> Deadline:
    """The deadline a claim is held to; a vague one needs an explicit date or an assumed horizon."""
    # Imported here: `claims list` and `show` never read deadlines, and start-up time is measured.
    from ledger.domain.deadlines import assume_horizon, normalise

    deadline = normalise(expression, said)
    if deadline.vague:
        if horizon is None:
            raise InvalidDeadline(
                f"{expression!r} names no date: give an explicit deadline (e.g. 'by 2025', 'within two years') "
                "or --horizon 1y to assume one"
            )
        deadline = assume_horizon(deadline, horizon)
    return deadline


MAX_ID = 2**63 - 1  # ids are signed 64-bit on every backend


def valid_id(number: int) -> bool:
    """Whether ``number`` can be a row's id; one that cannot names nothing in the ledger."""
    return 1 <= number <= MAX_ID


def check_said(said: date, today: date) -> date:
    if said > today:
        raise InvalidInput(f"said {said.isoformat()} is in the future; a claim is logged once it has been said")
    return said


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


@dataclass(frozen=True)
class CheckedClaim:
    """A claim's own values, as the ledger stores them."""

    text: str
    text_sha256: str
    quote: str | None
    said: date
    deadline: Deadline
    probability: float | None
    confidence: str | None
    tags: tuple[str, ...]


def check_claim(
    *,
    text: str | None,
    said: date | None,
    deadline: str | None,
    today: date,
    quote: str | None = None,
    probability: str | float | None = None,
    confidence: str | None = None,
    tags: tuple[str, ...] | list[str] = (),
    horizon: str | None = None,
) -> CheckedClaim:
    """Every rule of a claim's values; ``said`` is the date said, or the source's published date."""
    cleaned = required(text, "text", ": say what was predicted")
    checked_quote, checked_confidence = block(quote, "quote"), one_line(confidence, "confidence")
    checked_probability = parse_probability(probability)
    checked_tags = tuple(sorted({clean_tag(t) for t in tags}))
    expression = one_line(deadline, "deadline") if deadline is not None else None
    if horizon is not None:
        within(horizon, "horizon")
    if said is None:
        raise InvalidInput("when was it said? give --said DATE, or a --source with a published date")
    check_said(said, today)
    if expression is None:
        raise InvalidDeadline("no deadline given: use --deadline, e.g. 'by the end of next year' or 2025-12-31")
    return CheckedClaim(
        text=cleaned,
        text_sha256=text_fingerprint(cleaned),
        quote=checked_quote,
        said=said,
        deadline=resolve_deadline(expression, said, horizon),
        probability=checked_probability,
        confidence=checked_confidence,
        tags=checked_tags,
    )
