"""What a claim is made of, checked once for every way in (`claims add`, `import`, `seed load`):
text, quote, when it was said, its deadline, probability, confidence, the event it forecasts and
tags.

Pure: the caller looks up the speaker and the source and says what day it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from ledger.domain.text import about, block, name_key, one_line, required, storable, within
from ledger.domain.urls import web_address
from ledger.errors import InvalidDeadline, InvalidInput

if TYPE_CHECKING:
    from ledger.domain.deadlines import Deadline

_SPACES = re.compile(r"\s+")
_PERCENT = re.compile(r"^(?P<n>[^%]*?)\s*(?P<pct>%?)$")
_NUMBER = re.compile(r"[0-9.eE+-]+")


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
        if match is None or not _NUMBER.fullmatch(match["n"]):
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


@lru_cache(maxsize=4096)  # a big import repeats the same words on the same days
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


MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL, the narrower backend


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
    event: str | None = None
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
    event: str | None
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
    event: str | None = None,
    tags: tuple[str, ...] | list[str] = (),
    horizon: str | None = None,
) -> CheckedClaim:
    """Every rule of a claim's values; ``said`` is the date said, or the source's published date.
    A refusal names the value it is about (see text.about)."""
    with about("text"):
        cleaned = required(text, "text", ": say what was predicted")
    with about("quote"):
        checked_quote = block(quote, "quote")
    with about("confidence"):
        checked_confidence = one_line(confidence, "confidence")
    with about("event"):
        checked_event = one_line(event, "event")
    with about("probability"):
        checked_probability = parse_probability(probability)
    with about("tags"):
        checked_tags = tuple(sorted({clean_tag(t) for t in tags}))
    with about("deadline"):
        expression = one_line(deadline, "deadline") if deadline is not None else None
        if horizon is not None:
            within(horizon, "horizon")
    with about("said"):
        if said is None:
            raise InvalidInput("no date said: give the date it was said, or a source with a published date")
        check_said(said, today)
    with about("deadline"):
        if expression is None:
            raise InvalidDeadline("no deadline: give a date, or words as said such as 'by the end of next year'")
        resolved = resolve_deadline(expression, said, horizon)
    return CheckedClaim(
        text=cleaned,
        text_sha256=text_fingerprint(cleaned),
        quote=checked_quote,
        said=said,
        deadline=resolved,
        probability=checked_probability,
        confidence=checked_confidence,
        event=checked_event,
        tags=checked_tags,
    )


@dataclass(frozen=True)
class SourceValues:
    url: str | None
    title: str | None
    publisher: str | None
    published: date | None


@lru_cache(maxsize=4096)  # an import names each source once per claim quoted from it
def check_source(url: str | None, title: str | None, publisher: str | None, published: date | None, today: date) -> SourceValues:
    """A source's details, checked as every way in checks them: found by its URL, or by its title."""
    with about("source_url"):
        url = web_address(url, "source URL") if (url or "").strip() else None
    with about("source_title"):
        title = one_line(title, "source_title")
    with about("source_publisher"):
        publisher = one_line(publisher, "source_publisher")
    with about("source"):
        if url is None and title is None:
            raise InvalidInput("a source needs a URL or a title")
    with about("source_published"):
        if published is not None and published > today:
            raise InvalidInput(f"published {published.isoformat()} is in the future")
    return SourceValues(url, title, publisher, published)


_NOT_WORDS = re.compile(r"[^\w\s]")


def likely_duplicates(claims: list[tuple[int, date, str]]) -> list[tuple[int, int]]:
    """Pairs of claims ``(id, said, text)`` that read as one: the same date said and the same
    words once case, spacing and punctuation are set aside. Each pair is (earlier id, later id)."""
    seen: dict[tuple[date, str], int] = {}
    pairs = []
    for claim_id, said, text in sorted(claims):
        key = (said, " ".join(_NOT_WORDS.sub(" ", name_key(text)).split()))
        if key in seen:
            pairs.append((seen[key], claim_id))
        else:
            seen[key] = claim_id
    return pairs
