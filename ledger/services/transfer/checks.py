"""Checking: a record read from a file into the values of a claim, by the same rules `claims add`
and `claims resolve` use (ledger.domain), so that no row can fail later, half-way through the
import. This module only reads the file's cells: which are text, lists, dates."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from ledger.domain.claims import check_claim, check_source, text_fingerprint
from ledger.domain.restatements import check_restated_said
from ledger.domain.dates import parse_date
from ledger.domain.names import Lookalikes
from ledger.domain.review import check_resolution
from ledger.domain.text import check_name
from ledger.errors import InvalidInput, LedgerError


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
    event: str | None
    tags: tuple[str, ...]
    source: tuple | None  # (url, title, publisher, published)
    resolution: tuple | None  # (outcome, occurred, reviewer, evidence, note)
    restates: tuple | None = None  # the restated claim of the same speaker: (said, text_sha256)


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


def check_row(
    line: int,
    record: dict,
    horizon: str | None = None,
    *,
    actor: str,
    today: date,
    speakers: Lookalikes[str] | None = None,
) -> Checked:
    """The values a canonical row stands for, checked by the rules `claims add` and `claims resolve`
    use. ``speakers`` holds the names known so far (the ledger's, then the file's): a name that
    only looks like one of them is refused, as `claims add` refuses it without --new-speaker."""
    def field_(key: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except LedgerError as exc:
            key = getattr(exc, "field", None) or key
            message = str(exc)
            raise InvalidInput(message if message.startswith(f"{key}:") else f"{key}: {message}") from None

    speaker, speaker_key = field_("speaker", lambda: check_name(_text(record, "speaker")))
    if speakers is not None:
        if (similar := speakers.resembling(speaker)) is not None:
            raise InvalidInput(
                f"speaker: {speaker!r} looks like {similar} (letters from other scripts or digits that look alike); "
                "use that spelling, or add it first with `claims speaker add --new-speaker`"
            )
        speakers.add(speaker, f"{speaker!r} on line {line}")
    url, title, publisher = _text(record, "source_url"), _text(record, "source_title"), _text(record, "source_publisher")
    published = _date(record, "source_published")
    source = field_("source", lambda: check_source(url, title, publisher, published, today)) if url or title or publisher or published else None
    said = _date(record, "said") or (source.published if source else None)
    values = {k: _text(record, k) for k in ("text", "deadline", "quote", "probability", "confidence", "event")}
    tags = _list(record, "tags", ";")
    claim = field_("text", lambda: check_claim(**values, said=said, today=today, tags=tags, horizon=horizon))
    d = claim.deadline
    return Checked(
        line=line,
        speaker=speaker,
        speaker_key=speaker_key,
        text=claim.text,
        text_sha256=claim.text_sha256,
        quote=claim.quote,
        said=claim.said,
        deadline=(d.expression, d.deadline, d.earliest, d.granularity, d.timex, d.strict_deadline, d.assumed),
        probability=claim.probability,
        confidence=claim.confidence,
        event=claim.event,
        tags=claim.tags,
        source=(source.url, source.title, source.publisher, source.published) if source else None,
        resolution=_check_resolution(record, claim.said, actor, today, field_),
        restates=_check_restates(record, claim.said, field_),
    )


def _check_restates(record: dict, said: date, field_) -> tuple | None:
    """``restates_said`` and ``restates_text`` name the claim this one restates by its natural key
    (with the row's speaker): the key an export into an empty ledger and a re-import keep."""
    restated_said, text = _date(record, "restates_said"), _text(record, "restates_text")
    if restated_said is None and text is None:
        return None
    if restated_said is None or text is None:
        raise InvalidInput("restates_said and restates_text name the restated claim together; give both or neither")
    field_("restates_said", lambda: check_restated_said(said, restated_said))
    return (restated_said, text_fingerprint(" ".join(text.split())))


def _check_resolution(record: dict, said: date, actor: str, today: date, field_) -> tuple | None:
    """The outcome columns, checked as `claims resolve` checks them; the reviewer defaults to
    whoever imports."""
    outcome, occurred = _text(record, "outcome"), _date(record, "occurred")
    reviewer, note = _text(record, "reviewer"), _text(record, "note")
    evidence = _list(record, "evidence", None)
    if outcome is None:
        if occurred or reviewer or evidence or note:
            raise InvalidInput("outcome: missing, but occurred, reviewer, evidence or note is given")
        return None
    r = field_("outcome", lambda: check_resolution(
        outcome=outcome, reviewer=reviewer or actor, said=said, today=today, occurred=occurred, evidence=evidence, note=note,
    ))
    return (r.outcome.value, r.occurred, r.reviewer, r.evidence, r.note)
