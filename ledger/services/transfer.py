"""Bulk import and export of claims in the canonical CSV/JSONL format (docs/import-export.md).

Import runs in stages, each over a stream so memory stays flat whatever the file's size:
reading turns lines into records; checking turns each record into the values of a claim or into a
``RowError`` (errors are values, collected and reported together); only a file with no bad rows
(or with ``skip_invalid``) is written, in batches of ``BATCH`` rows, one transaction each, so an
interrupted import leaves whole batches behind and a rerun skips what is already there.
Checked rows wait in a temporary spool file between the stages, so nothing is read twice.

Writing uses SQLAlchemy Core in bulk: one query per batch resolves speakers, one resolves sources,
one finds the claims already present (the natural key: speaker, date said, text fingerprint), one
insert adds the claims, and the journal gets the same entries ``claims add`` would write, chained
in one append (journal.record_many).
"""

from __future__ import annotations

import csv
import json
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, NamedTuple

from sqlalchemy import Date, Integer, String, bindparam, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from ledger.domain.chain import canonical_json
from ledger.domain.claims import clean_tag, clean_text, name_key, parse_probability, text_fingerprint
from ledger.domain.dates import parse_date
from ledger.errors import Conflict, InvalidInput, LedgerError
from ledger.services import journal
from ledger.services.claims import resolve_deadline
from ledger.services.people import require_speaker
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, Resolution, Source, Speaker, SpeakerAlias
from ledger.store.models.review import OUTCOMES
from ledger.store.types import utcnow

COLUMNS = (
    "speaker", "text", "quote", "said", "deadline", "probability", "confidence", "tags",
    "source_url", "source_title", "source_publisher", "source_published",
    "outcome", "occurred", "reviewer", "evidence", "note",
)
REQUIRED = ("speaker", "text", "deadline")
FORMATS = ("csv", "jsonl", "predictionbook")
BATCH = 1000


class RowError(NamedTuple):
    """One bad row: where it is and what is wrong with it."""

    line: int
    message: str


class BadRows(InvalidInput):
    """A file with bad rows, refused whole; ``errors`` lists every one of them."""

    def __init__(self, message: str, errors: list[RowError]):
        super().__init__(message)
        self.errors = errors


@dataclass
class ImportReport:
    rows: int = 0  # rows read, good and bad
    added: int = 0
    present: int = 0  # already in the ledger, or repeated in the file
    speakers: int = 0
    sources: int = 0
    resolutions: int = 0
    errors: list[RowError] = field(default_factory=list)  # skipped rows, with skip_invalid
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "claims_added": self.added, "claims_present": self.present,
            "speakers_created": self.speakers, "sources_created": self.sources,
            "resolutions": self.resolutions, "skipped": [e._asdict() for e in self.errors],
            "dry_run": self.dry_run,
        }


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


# --- reading: lines into records ------------------------------------------------------------

Record = tuple[int, "dict[str, Any] | RowError"]


def _csv_records(handle: IO[str]) -> Iterator[Record]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, RowError(1, f"not a CSV header: {exc}")
        return
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in names]
    if unknown or missing or len(set(names)) != len(names):
        problem = (f"unknown column {unknown[0]!r}" if unknown else f"no {missing[0]!r} column" if missing
                   else "a column appears twice")
        yield 1, RowError(1, f"wrong header: {problem}; the columns are {', '.join(COLUMNS)} (see docs/import-export.md)")
        return
    end = reader.line_num
    while True:
        start = end + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, RowError(start, f"cannot read the row: {exc}")
            return  # the reader cannot find the next row reliably
        end = reader.line_num
        if not any(v.strip() for v in values):  # blank, or a spreadsheet's empty row
            continue
        if len(values) != len(names):
            yield start, RowError(start, f"{len(values)} fields, but the header has {len(names)}")
            continue
        yield start, dict(zip(names, values))


def _json_object(line: int, text: str) -> dict | RowError:
    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError as exc:
        return RowError(line, f"malformed JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(value, dict):
        return RowError(line, f"expected a JSON object, got {type(value).__name__}")
    return value


def _jsonl_records(handle: IO[str]) -> Iterator[Record]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        value = _json_object(line, text)
        if isinstance(value, dict) and (unknown := sorted(set(value) - set(COLUMNS))):
            value = RowError(line, f"unknown key {unknown[0]!r}; the keys are {', '.join(COLUMNS)}")
        yield line, value


_BLANK = re.compile(r"\s*")
_BETWEEN = re.compile(r"[\s,]*")


def _json_items(handle: IO[str]) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array, one at a time, with the line each starts on; or the
    objects of a JSON Lines file. Scrapes come either way."""
    while (first := handle.read(1)) and first.isspace():
        pass
    handle.seek(0)
    if first != "[":
        for line, text in enumerate(handle, start=1):
            if text.strip():
                yield line, _json_object(line, text)
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
            except json.JSONDecodeError as exc:
                if eof:
                    yield line, RowError(line + buffer.count("\n", pos, exc.pos), f"malformed JSON: {exc.msg}")
                    return
                refill()  # the item may go on in the next chunk: parse it again
        yield line, value
        line += buffer.count("\n", pos, end)
        pos = end


# --- PredictionBook scrapes -----------------------------------------------------------------

PREDICTIONBOOK = "https://predictionbook.com/predictions/"
_VERDICTS = {"right": "true", "wrong": "false", "true": "true", "false": "false"}
_UNJUDGED = (None, "", "unknown", "withdrawn")


def _instant(value: Any, what: str) -> datetime:
    """A scrape's timestamp: ISO 8601, 'YYYY-MM-DD HH:MM:SS UTC', or seconds since 1970."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc)
    if isinstance(value, str) and value.strip():
        raw = value.strip().removesuffix(" UTC").replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"{what}: cannot read {value!r} as a time (ISO 8601, e.g. 2011-05-14T13:22:01Z)") from None
        return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(timezone.utc)
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
    judgement = next(
        (r for r in reversed(responses) if isinstance(r.get("actions"), dict) and r["actions"].get("outcome") not in _UNJUDGED),
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


def _predictionbook_records(handle: IO[str]) -> Iterator[Record]:
    for line, item in _json_items(handle):
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


READERS: dict[str, Callable[[IO[str]], Iterator[Record]]] = {
    "csv": _csv_records, "jsonl": _jsonl_records, "predictionbook": _predictionbook_records,
}


def guess_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    known = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    if suffix not in known:
        raise InvalidInput(f"cannot tell the format of {Path(path).name}: pass --format csv, jsonl or predictionbook")
    return known[suffix]


# --- checking: records into claims' values ---------------------------------------------------


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
    from ledger.services.review import check_evidence

    outcome = _text(record, "outcome")
    occurred = _date(record, "occurred")
    reviewer, note = _text(record, "reviewer"), _text(record, "note")
    evidence = _list(record, "evidence", None)
    if outcome is None:
        if occurred or reviewer or evidence or note:
            raise InvalidInput("outcome: missing, but occurred, reviewer, evidence or note is given")
        return None
    outcome = outcome.lower()
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome: unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}")
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


# --- the import ---------------------------------------------------------------------------------


def _open(path: str | Path) -> IO[str]:
    try:
        # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def _check_file(path, fmt, horizon, spool, report, progress) -> list[RowError]:
    """Read and check every row, spooling the good ones in batches; return the bad ones."""
    errors: list[RowError] = []
    batch: list[Checked] = []
    size = os.path.getsize(path)
    line = 0
    with _open(path) as handle:
        raw = handle.buffer
        try:
            for line, record in READERS[fmt](handle):
                report.rows += 1
                if isinstance(record, RowError):
                    errors.append(record)
                    continue
                try:
                    batch.append(check_row(line, record, horizon))
                except LedgerError as exc:
                    errors.append(RowError(line, str(exc)))
                if len(batch) == BATCH:
                    pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)
                    batch = []
                    if progress:
                        progress("checking", raw.tell(), size)
        except UnicodeDecodeError as exc:
            errors.append(RowError(line + 1, f"not UTF-8 text ({exc.reason}); save the file as UTF-8"))
    if batch:
        pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)
    return errors


def import_claims(
    ledger: Ledger,
    path: str | Path,
    *,
    fmt: str,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    horizon: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Import a file of claims. Raises BadRows (listing each) if a row is bad and not ``skip_invalid``.

    ``progress(stage, done, total)`` is told the bytes checked, then the rows written.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if horizon is not None:
        resolve_deadline("soon", date(2000, 1, 1), horizon)  # a bad horizon is one error, not one per row
    report = ImportReport(dry_run=dry_run)
    with tempfile.TemporaryFile(prefix="claims-import-") as spool:
        errors = _check_file(path, fmt, horizon, spool, report, progress)
        if errors and not skip_invalid:
            name = Path(path).name
            raise BadRows(
                f"{len(errors)} of {report.rows} rows in {name} are bad; nothing was imported "
                "(fix them, or pass --skip-invalid to import the rest)",
                errors,
            )
        report.errors = errors
        if dry_run:
            return report
        spool.seek(0)
        written = 0
        while True:
            try:
                batch = pickle.load(spool)
            except EOFError:
                break
            _write_batch(ledger, batch, actor, report)
            written += len(batch)
            if progress:
                progress("importing", written, report.rows - len(errors))
    return report


def _write_batch(ledger: Ledger, batch: list[Checked], actor: str, report: ImportReport) -> None:
    try:
        with ledger.write() as session:
            counts = _import_batch(session, batch, actor)
    except IntegrityError as exc:
        # Another writer added one of these claims, speakers or sources in the meantime.
        raise Conflict(
            f"lines {batch[0].line}-{batch[-1].line} clashed with a concurrent change "
            f"({str(exc.orig).splitlines()[0]}); nothing of that batch was written: rerun the import to finish"
        ) from None
    for key, value in counts.items():
        setattr(report, key, getattr(report, key) + value)


def _import_batch(session: Session, batch: list[Checked], actor: str) -> dict[str, int]:
    # Take the journal's lock first (SQLite's write transaction already holds it), so two imports
    # on PostgreSQL take turns instead of both finding a claim missing and clashing on insert.
    journal.lock_journal(session)
    changes: list[tuple[str, str, Any]] = []
    speakers, new_speakers = _speakers(session, batch, changes)
    sources, new_sources = _sources(session, batch, changes)
    present = _present(session, batch, speakers)
    fresh: list[Checked] = []
    for row in batch:
        key = (speakers[row.speaker_key], row.said, row.text_sha256)
        if key not in present:
            present.add(key)
            fresh.append(row)
    now = utcnow()
    added = [_claim_values(r, speakers, sources, actor, now) for r in fresh]
    # A verdict that settles at once is written in its final state with the claim; the journal
    # still tells the story in order: added, then resolved (see _settled).
    verdicts = [_settled(r.resolution, actor, now) if r.resolution else None for r in fresh]
    stored = [{**v, **verdict[1]} if verdict and verdict[1] else v for v, verdict in zip(added, verdicts)]
    ids = _new_ids(session, Claim.__table__, len(stored))
    if stored:
        session.execute(insert(Claim.__table__), [{**v, "id": i} for i, v in zip(ids, stored)])
    tags = [{"claim_id": i, "tag": t} for i, r in zip(ids, fresh) for t in r.tags]
    if tags:
        session.execute(insert(ClaimTag.__table__), tags)
    for i, r, v in zip(ids, fresh, added):
        changes.append(("claim.added", "claim", SimpleNamespace(id=i, tags=[_Tag(t) for t in r.tags], **v)))
    settled = [(i, r, v, verdict) for i, r, v, verdict in zip(ids, fresh, stored, verdicts) if verdict and verdict[1]]
    if settled:
        votes = [{**vote, "claim_id": i} for i, _, _, (vote, _) in settled]
        vote_ids = _new_ids(session, Resolution.__table__, len(votes))
        session.execute(insert(Resolution.__table__), [{**vote, "id": i} for i, vote in zip(vote_ids, votes)])
        for vote_id, vote, (i, r, v, _) in zip(vote_ids, votes, settled):
            changes.append(("resolution.recorded", "resolution", SimpleNamespace(id=vote_id, **vote)))
            changes.append(("claim.resolved", "claim", SimpleNamespace(id=i, tags=[_Tag(t) for t in r.tags], **v)))
    journal.record_many(session, actor=actor, changes=changes)
    unsettled = [(i, r.resolution) for i, r, verdict in zip(ids, fresh, verdicts) if verdict and not verdict[1]]
    if unsettled:
        _resolve(session, unsettled, actor)
    return {
        "added": len(fresh), "present": len(batch) - len(fresh), "speakers": new_speakers,
        "sources": new_sources, "resolutions": len(settled) + len(unsettled),
    }


def _claim_values(r: Checked, speakers: dict, sources: dict, actor: str, now: datetime) -> dict[str, Any]:
    """The claims row as `claims add` writes it."""
    return {
        "speaker_id": speakers[r.speaker_key],
        "source_id": sources[r.source] if r.source else None,
        "text": r.text,
        "text_sha256": r.text_sha256,
        "quote": r.quote,
        "said": r.said,
        "deadline_text": r.deadline[0],
        "deadline": r.deadline[1],
        "deadline_earliest": r.deadline[2],
        "deadline_granularity": r.deadline[3],
        "deadline_timex": r.deadline[4],
        "deadline_strict": r.deadline[5],
        "deadline_assumed": r.deadline[6],
        "probability": r.probability,
        "confidence": r.confidence,
        "status": "open",
        "logged_by": actor,
        "logged_at": now,
        "restates_id": None,
        "outcome": None,
        "occurred": None,
        "resolved_at": None,
        "version": 1,
    }


def _settled(resolution: tuple, actor: str, now: datetime) -> tuple[dict, dict | None]:
    """The first vote on a new claim, as review.record_resolution would write it, and the claim's
    changes if the vote settles the verdict at once (review.tally decides, under quorum 1).
    Settled votes are written in bulk; any other is left to record_resolution itself. A test
    holds both ways to the same rows and journal."""
    from ledger.services.review import ReviewRules, clean_optional, tally

    outcome, occurred, reviewer, evidence, note = resolution
    vote = {
        "outcome": outcome, "occurred": occurred, "reviewer": clean_optional(reviewer or actor),
        "evidence": canonical_json(list(evidence)), "note": note, "reason": None, "supersedes_id": None,
        "claim_version": 1, "round": 1, "recorded_at": now,
    }
    ballot = SimpleNamespace(id=0, **vote)
    count = tally(SimpleNamespace(logged_by=actor), [ballot], ReviewRules(quorum=1), newest=ballot)
    if count.winner is not ballot:
        return vote, None
    return vote, {"status": "resolved", "outcome": outcome, "occurred": occurred, "resolved_at": now, "version": 2}


def _new_ids(session: Session, table, count: int) -> list[int]:
    """Ids for ``count`` new rows, known before the insert so that plain executemany can write them
    (RETURNING with ordered rows falls back to one statement per row on SQLite). SQLite: the write
    transaction holds the database lock, so the next ids are free. PostgreSQL: taken from the
    column's sequence, which concurrent writers share safely."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
        return sorted(session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count))))
    last = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + 1 + count))


class _Tag(NamedTuple):
    tag: str


def _speakers(session: Session, batch: list[Checked], changes: list) -> tuple[dict[str, int], int]:
    """Speaker ids by name key for the batch, creating the missing ones (journaled like `speaker add`)."""
    names = {r.speaker_key: r.speaker for r in reversed(batch)}  # the first spelling wins
    found = dict(session.execute(select(Speaker.name_key, Speaker.id).where(Speaker.name_key.in_(names))).all())
    missing = [k for k in names if k not in found]
    if missing:
        found.update(session.execute(
            select(SpeakerAlias.alias_key, SpeakerAlias.speaker_id).where(SpeakerAlias.alias_key.in_(missing))
        ).all())
    new = [k for k in dict.fromkeys(r.speaker_key for r in batch) if k not in found]
    if new:
        now = utcnow()
        ids = _new_ids(session, Speaker.__table__, len(new))
        session.execute(insert(Speaker.__table__), [{"id": i, "name": names[k], "name_key": k, "created_at": now} for i, k in zip(ids, new)])
        for key, i in zip(new, ids):
            found[key] = i
            changes.append(("speaker.added", "speaker", SimpleNamespace(id=i, name=names[key], aliases=[])))
    return found, len(new)


def _sources(session: Session, batch: list[Checked], changes: list) -> tuple[dict[tuple, int], int]:
    """Source ids for the batch's (url, title, publisher, published): by URL, or for a source with
    no URL by all its other details; the missing ones are created (journaled like `source add`).
    A row naming a known URL with other details gets the source already in the ledger."""
    wanted = list(dict.fromkeys(r.source for r in batch if r.source))
    if not wanted:
        return {}, 0
    urls = {s[0] for s in wanted if s[0]}
    by_url = dict(session.execute(select(Source.url, Source.id).where(Source.url.in_(urls))).all()) if urls else {}
    by_details: dict[tuple, int] = {}
    titles = {s[1] for s in wanted if not s[0]}
    if titles:
        for row in session.execute(
            select(Source.id, Source.title, Source.publisher, Source.published)
            .where(Source.url.is_(None), Source.title.in_(titles)).order_by(Source.id)
        ):
            by_details.setdefault((None, row.title, row.publisher, row.published), row.id)
    new = [s for s in wanted if (s[0] not in by_url if s[0] else s not in by_details)]
    new = list({(s[0] or s): s for s in new}.values())  # one new source per URL
    if new:
        now = utcnow()
        ids = _new_ids(session, Source.__table__, len(new))
        rows = [{"id": i, "url": u, "title": t, "publisher": p, "published": d, "text": None, "text_sha256": None, "created_at": now}
                for i, (u, t, p, d) in zip(ids, new)]
        session.execute(insert(Source.__table__), rows)
        for s, i, row in zip(new, ids, rows):
            if s[0]:
                by_url[s[0]] = i
            else:
                by_details[s] = i
            changes.append(("source.added", "source", SimpleNamespace(**row)))
    return {s: by_url[s[0]] if s[0] else by_details[s] for s in wanted}, len(new)


def _present(session: Session, batch: list[Checked], speakers: dict[str, int]) -> set[tuple]:
    """The natural keys of the batch's claims that the ledger already holds: one query."""
    keys = list({(speakers[r.speaker_key], r.said, r.text_sha256) for r in batch})
    keys += keys[:1] * (BATCH - len(keys))  # always BATCH keys: one statement, compiled once
    params = {f"{name}{i}": value for i, key in enumerate(keys) for name, value in zip("sdh", key)}
    return {tuple(k) for k in session.execute(_present_query(), params)}


@lru_cache(maxsize=1)
def _present_query() -> TextClause:
    # One probe of the natural-key index per key, as a correlated subquery: the planners cannot turn
    # it into a scan. `(speaker_id, said, text_sha256) IN (...)` reads the whole index on SQLite,
    # and a join lets PostgreSQL pick a hash join over the table while a bulk import has left its
    # statistics behind; either makes each batch slower than the last.
    keys = ", ".join(f"(:s{i}, :d{i}, :h{i})" for i in range(BATCH))
    return sql_text(
        f"WITH k (speaker_id, said, text_sha256) AS (VALUES {keys}) "
        "SELECT k.speaker_id, k.said, k.text_sha256 FROM k WHERE (SELECT c.id FROM claims c WHERE "
        "c.speaker_id = k.speaker_id AND c.said = k.said AND c.text_sha256 = k.text_sha256) IS NOT NULL"
    ).bindparams(*(bindparam(f"d{i}", type_=Date) for i in range(BATCH))).columns(
        speaker_id=Integer, said=Date, text_sha256=String
    )


def _resolve(session: Session, resolved: list[tuple[int, tuple]], actor: str) -> None:
    """Each outcome is recorded as `claims resolve` records it. The file's outcome is a verdict
    already reached where the claim was tracked, so it settles the claim (quorum 1) whatever
    review.quorum asks of new reviews."""
    from ledger.services.review import record_resolution

    claims = {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_([i for i, _ in resolved])))}
    for claim_id, (outcome, occurred, reviewer, evidence, note) in resolved:
        record_resolution(
            session, claims[claim_id], outcome=outcome, reviewer=reviewer or actor, occurred=occurred,
            evidence=evidence, note=note, quorum=1, actor=actor,
        )


# --- export ----------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _export_rows(session: Session, speaker: str | None) -> Iterator[dict[str, Any]]:
    c = Claim.__table__.c
    query = (
        select(
            c.id, Speaker.name, c.text, c.quote, c.said, c.deadline, c.deadline_text, c.deadline_assumed,
            c.probability, c.confidence, Source.url, Source.title, Source.publisher, Source.published,
            c.outcome, c.occurred,
        )
        .join(Speaker, c.speaker_id == Speaker.id)
        .outerjoin(Source, c.source_id == Source.id)
        .order_by(c.id)
    )
    if speaker:
        query = query.where(c.speaker_id == require_speaker(session, speaker).id)
    for chunk in session.execute(query.execution_options(yield_per=BATCH)).partitions():
        ids = [row.id for row in chunk]
        verdicts = _verdicts(session, ids)
        tags: dict[int, list[str]] = {}
        for claim_id, tag in session.execute(
            select(ClaimTag.claim_id, ClaimTag.tag).where(ClaimTag.claim_id.in_(ids)).order_by(ClaimTag.claim_id, ClaimTag.tag)
        ):
            tags.setdefault(claim_id, []).append(tag)
        for row in chunk:
            reviewer, evidence, note = verdicts.get(row.id, (None, None, None))
            yield {
                "speaker": row.name,
                "text": row.text,
                "quote": row.quote,
                "said": row.said.isoformat(),
                # An assumed deadline was chosen at logging time, not said: its date is what holds.
                "deadline": row.deadline.isoformat() if row.deadline_assumed else row.deadline_text,
                "probability": row.probability,
                "confidence": row.confidence,
                "tags": tags.get(row.id, []),
                "source_url": row.url,
                "source_title": row.title,
                "source_publisher": row.publisher,
                "source_published": _iso(row.published),
                "outcome": row.outcome,
                "occurred": _iso(row.occurred),
                "reviewer": reviewer,
                "evidence": json.loads(evidence) if evidence else [],
                "note": note,
            }


def _verdicts(session: Session, claim_ids: list[int]) -> dict[int, tuple]:
    """(reviewer, evidence, note) of the resolution behind each claim's current verdict: the latest
    one with the claim's outcome."""
    latest: dict[int, tuple] = {}
    for row in session.execute(
        select(Resolution.claim_id, Resolution.reviewer, Resolution.evidence, Resolution.note)
        .join(Claim, Claim.id == Resolution.claim_id)
        .where(Resolution.claim_id.in_(claim_ids), Resolution.outcome == Claim.outcome)
        .order_by(Resolution.id)
    ):
        latest[row.claim_id] = (row.reviewer, row.evidence, row.note)
    return latest


def _csv_cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key == "tags":
        return ";".join(value)
    if key == "evidence":
        return " ".join(value)
    return repr(value) if isinstance(value, float) else str(value)


def export_claims(ledger: Ledger, out: IO[str], *, fmt: str = "csv", speaker: str | None = None) -> int:
    """Write the ledger's claims (or one speaker's) to ``out``, oldest first; return how many."""
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput(f"unknown export format {fmt!r}; use csv or jsonl")
    count = 0
    with ledger.read() as session:
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in _export_rows(session, speaker):
                writer.writerow([_csv_cell(k, row[k]) for k in COLUMNS])
                count += 1
        else:
            for row in _export_rows(session, speaker):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    return count


def export_to_file(ledger: Ledger, path: str | Path, *, fmt: str = "csv", speaker: str | None = None) -> int:
    """Export to ``path`` whole or not at all: written beside it, then moved into place."""
    target = Path(path)
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=target.parent, prefix=f".{target.name}.", delete=False
        )
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror}") from None
    try:
        with handle:
            count = export_claims(ledger, handle, fmt=fmt, speaker=speaker)
        os.replace(handle.name, target)
    except BaseException:
        os.unlink(handle.name)
        raise
    return count
