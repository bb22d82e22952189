"""Reading PredictionBook scrapes (a JSON array or JSON Lines of predictions) as canonical rows;
the mapping is in docs/import-export.md."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO, Any

from ledger.errors import InvalidInput, LedgerError
from ledger.services.transfer.rows import TOO_DEEP, Record, RowError, json_object

PREDICTIONBOOK = "https://predictionbook.com/predictions/"
_VERDICTS = {"right": "true", "wrong": "false", "true": "true", "false": "false"}
_UNJUDGED = (None, "", "unknown", "withdrawn")


def _instant(value: Any, what: str) -> datetime:
    """A scrape's timestamp: ISO 8601, 'YYYY-MM-DD HH:MM:SS UTC', or seconds since 1970."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, timezone.utc)
        if isinstance(value, str) and value.strip():
            raw = value.strip().removesuffix(" UTC").replace("Z", "+00:00")
            moment = datetime.fromisoformat(raw)
            return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):  # not a time, or one outside years 1 to 9999 in UTC
        raise InvalidInput(f"{what}: cannot read {value!r} as a time (ISO 8601, e.g. 2011-05-14T13:22:01Z)") from None
    raise InvalidInput(f"{what}: missing")


def predictionbook_row(item: dict) -> dict:
    """One scraped prediction as a canonical row (the mapping is in docs/import-export.md)."""
    creator = item.get("user")
    responses = sorted(
        (r for r in item.get("responses") or [] if isinstance(r, dict)),
        key=lambda r: _instant(r.get("time"), "responses.time"),
    )
    credence = next(
        (r["actions"]["credence"] for r in responses
         if r.get("user") == creator and isinstance(r.get("actions"), dict) and r["actions"].get("credence") is not None),
        None,
    )
    verdict = item.get("outcome")
    if isinstance(verdict, str):
        verdict = verdict.strip().lower()
    if verdict not in _UNJUDGED and verdict not in _VERDICTS:
        raise InvalidInput(f"outcome: unknown PredictionBook outcome {item.get('outcome')!r}; expected right, wrong or unknown")
    judged = verdict not in _UNJUDGED
    # The response that gave the prediction its final verdict: a "right" judged after an earlier
    # "wrong" was judged right on its own day, not on the day of whatever judgement came last.
    judgement = next(
        (r for r in reversed(responses) if judged and isinstance(r.get("actions"), dict)
         and _VERDICTS.get(str(r["actions"].get("outcome")).strip().lower()) == _VERDICTS[verdict]),
        None,
    )
    said = _instant(item.get("time_created"), "time_created").date()
    number = item.get("number")
    url = f"{PREDICTIONBOOK}{number}" if isinstance(number, int) or (isinstance(number, str) and number.isdigit()) else None
    known = _instant(judgement.get("time"), "responses.time").date() if judgement else None
    outcome = _VERDICTS[verdict] if judged else None
    return {
        "speaker": creator,
        "text": item.get("event"),
        "said": said.isoformat(),
        "deadline": _instant(item.get("time_known"), "time_known").date().isoformat(),
        "probability": None if credence is None else f"{credence}%",
        "source_url": url,
        "source_title": f"PredictionBook #{number}" if url else None,
        "source_publisher": "PredictionBook" if url else None,
        "source_published": said.isoformat() if url else None,
        "outcome": outcome,
        "occurred": known.isoformat() if outcome == "true" and known else None,
        "reviewer": ((judgement or {}).get("user") or creator) if judged else None,
    }


def read_predictionbook(handle: IO[str]) -> Iterator[Record]:
    for line, item in json_items(handle):
        if isinstance(item, RowError):
            yield line, item
        elif not isinstance(item, dict):
            yield line, RowError(line, f"expected a prediction object, got {type(item).__name__}")
        else:
            label = f"prediction #{item.get('number')}" if item.get("number") is not None else "prediction"
            try:
                yield line, predictionbook_row(item)
            except LedgerError as exc:
                yield line, RowError(line, f"{label}: {exc}")


_BLANK = re.compile(r"\s*")
_BETWEEN = re.compile(r"[\s,]*")


def json_items(handle: IO[str]) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array, one at a time, with the line each starts on; or the
    objects of a JSON Lines file. Scrapes come either way."""
    while (first := handle.read(1)) and first.isspace():
        pass
    handle.seek(0)
    if first != "[":
        for line, text in enumerate(handle, start=1):
            if text.strip():
                yield line, json_object(line, text)
        return
    decoder = json.JSONDecoder()
    buffer, pos, line, eof = "", 0, 1, False

    def refill() -> bool:
        nonlocal buffer, pos, eof
        chunk = handle.read(1 << 16)
        buffer, pos, eof = buffer[pos:] + chunk, 0, not chunk
        return bool(chunk)

    def skip(gap: re.Pattern) -> None:
        nonlocal pos, line
        while True:
            end = gap.match(buffer, pos).end()
            line += buffer.count("\n", pos, end)
            pos = end
            if pos < len(buffer) or not refill():
                return

    skip(_BLANK)
    pos += 1  # the "["
    while True:
        skip(_BETWEEN)
        if pos >= len(buffer) or buffer[pos] == "]":
            return
        while True:
            try:
                value, end = decoder.raw_decode(buffer, pos)
                break
            except RecursionError:
                yield line, RowError(line, TOO_DEEP)
                return
            except json.JSONDecodeError as exc:
                if eof:
                    yield line, RowError(line + buffer.count("\n", pos, exc.pos), f"malformed JSON: {exc.msg}")
                    return
                refill()  # the item may go on in the next chunk: parse it again
        yield line, value
        line += buffer.count("\n", pos, end)
        pos = end
