"""Checking: a record read from a file into the values of a claim, checked as `claims add` and
`claims resolve` check them, so that no row can fail later, half-way through the import."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from ledger.domain.claims import clean_tag, clean_text, name_key, parse_probability, text_fingerprint
from ledger.domain.dates import parse_date
from ledger.domain.vocab import Outcome, one_of, values
from ledger.errors import InvalidInput, LedgerError
from ledger.services.claims import resolve_deadline


class Checked(NamedTuple):
    """A row that passed every check, as the values the ledger will store."""

    line: int
    speaker: str
    speaker_key: str
    text: str
    text_sha256: str
    quote: str | None
    said: date
    deadline: tuple  # the fields of a Deadline, in order (spooled compactly)
    probability: float | None
    confidence: str | None
    tags: tuple[str, ...]
    source: tuple | None  # (url, title, publisher, published)
    resolution: tuple | None  # (outcome, occurred, reviewer, evidence, note)


def _text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key == "probability":
            return repr(value)
        raise InvalidInput(f"{key}: expected text, got {json.dumps(value)[:40]}")
    return value.strip() or None


def _list(record: dict, key: str, sep: str | None) -> list[str]:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{key}: expected a list of text")
        return [v for v in value if v.strip()]
    if isinstance(value, str):
        return [v for v in value.split(sep) if v.strip()]
    raise InvalidInput(f"{key}: expected a list, got {json.dumps(value)[:40]}")


def _date(record: dict, key: str) -> date | None:
    raw = _text(record, key)
    if raw is None:
        return None
    try:
        return parse_date(raw)
    except LedgerError as exc:
        raise InvalidInput(f"{key}: {exc}") from None


@lru_cache(maxsize=4096)
def _deadline(expression: str, said: date, horizon: str | None) -> tuple:
    """resolve_deadline, remembered: big files repeat the same words on the same days."""
    d = resolve_deadline(expression, said, horizon)
    return (d.expression, d.deadline, d.earliest, d.granularity, d.timex, d.strict_deadline, d.assumed)


def check_row(line: int, record: dict, horizon: str | None = None) -> Checked:
    """The values a canonical row stands for, checked as `claims add` checks them."""
    def field_(key: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except LedgerError as exc:
            message = str(exc)
            raise InvalidInput(message if message.startswith(f"{key}:") else f"{key}: {message}") from None

    speaker = field_("speaker", lambda: clean_text(_text(record, "speaker"), "speaker name"))
    text = field_("text", lambda: clean_text(_text(record, "text")))
    url = _text(record, "source_url")
    if url is not None and "://" not in url:
        raise InvalidInput(f"source_url: {url!r} has no scheme; use e.g. https://example.org/article")
    title, publisher = _text(record, "source_title"), _text(record, "source_publisher")
    published = _date(record, "source_published")
    if url is None and title is None and (publisher or published):
        raise InvalidInput("source: a source needs a source_url or a source_title")
    said = _date(record, "said") or published
    if said is None:
        raise InvalidInput("said: missing; give the date it was said (or the source's published date)")
    expression = _text(record, "deadline")
    if expression is None:
        raise InvalidInput("deadline: missing; give a date or words such as 'by the end of next year'")
    deadline = field_("deadline", lambda: _deadline(expression, said, horizon))
    probability = field_("probability", lambda: parse_probability(_text(record, "probability")))
    tags = field_("tags", lambda: tuple(sorted({clean_tag(t) for t in _list(record, "tags", ";")})))
    return Checked(
        line=line,
        speaker=speaker,
        speaker_key=name_key(speaker),
        text=text,
        text_sha256=text_fingerprint(text),
        quote=_text(record, "quote"),
        said=said,
        deadline=deadline,
        probability=probability,
        confidence=_text(record, "confidence"),
        tags=tags,
        source=(url, title, publisher, published) if url or title else None,
        resolution=_check_resolution(record, said),
    )


def _check_resolution(record: dict, said: date) -> tuple | None:
    """The outcome columns, checked as `claims resolve` checks them, so that no row can fail later,
    half-way through the import."""
    from ledger.domain.review import check_evidence

    outcome = _text(record, "outcome")
    occurred = _date(record, "occurred")
    reviewer, note = _text(record, "reviewer"), _text(record, "note")
    evidence = _list(record, "evidence", None)
    if outcome is None:
        if occurred or reviewer or evidence or note:
            raise InvalidInput("outcome: missing, but occurred, reviewer, evidence or note is given")
        return None
    outcome = outcome.lower()
    if outcome not in values(Outcome):
        raise InvalidInput(f"outcome: unknown outcome {outcome!r}; use one of {one_of(Outcome)}")
    if occurred is not None:
        if outcome not in ("true", "partial"):
            raise InvalidInput(f"occurred: says when a true or partial outcome happened; a {outcome} outcome has none")
        if occurred < said:
            raise InvalidInput(f"occurred: {occurred} is before the claim was said ({said})")
        if occurred > date.today():
            raise InvalidInput(f"occurred: {occurred} is in the future; record what has happened")
    if reviewer is not None and len(" ".join(reviewer.split())) > 200:
        raise InvalidInput("reviewer: longer than 200 characters")
    try:
        urls = tuple(check_evidence(evidence))
    except LedgerError as exc:
        raise InvalidInput(f"evidence: {exc}") from None
    return (outcome, occurred, reviewer, urls, note)
