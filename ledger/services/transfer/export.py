"""Export: the ledger's claims in the canonical format `claims import` reads back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import InvalidInput
from ledger.escape import CsvWriter, json_text
from ledger.files import atomic_write
from ledger.services.people import require_speaker
from ledger.services.transfer.rows import BATCH, COLUMNS
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, Resolution, Source, Speaker


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _export_rows(session: Session, speaker: str | None, withdrawn: bool = False) -> Iterator[dict[str, Any]]:
    c = Claim.__table__.c
    restated = Claim.__table__.alias("restated")
    query = (
        select(
            c.id, Speaker.name, c.text, c.quote, c.said, c.deadline, c.deadline_text, c.deadline_assumed,
            c.probability, c.confidence, c.event, Source.url, Source.title, Source.publisher, Source.published,
            c.outcome, c.occurred, restated.c.said.label("restates_said"), restated.c.text.label("restates_text"),
        )
        .join(Speaker, c.speaker_id == Speaker.id)
        .outerjoin(Source, c.source_id == Source.id)
        .outerjoin(restated, c.restates_id == restated.c.id)
        .order_by(c.id)
    )
    if speaker:
        query = query.where(c.speaker_id == require_speaker(session, speaker).id)
    if not withdrawn:
        query = query.where(c.withdrawn_at.is_(None))
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
                "event": row.event,
                # The restated claim by its natural key with the speaker's: ids do not survive a
                # move to another ledger, the date said and the words do.
                "restates_said": _iso(row.restates_said),
                "restates_text": row.restates_text,
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


def _csv_cell(key: str, value: Any) -> Any:
    if key == "tags":
        return ";".join(value)
    if key == "evidence":
        return " ".join(value)
    return value  # a number stays a number (never guarded), None an empty cell


def export_claims(ledger: Ledger, out: IO[str], *, fmt: str = "csv", speaker: str | None = None, raw: bool = False, withdrawn: bool = False) -> int:
    """Write the ledger's claims (or one speaker's; withdrawn ones only if ``withdrawn``) to
    ``out``, oldest first; return how many.

    CSV text cells a spreadsheet would run get a ``'`` in front (``escape.csv_cell``), which
    import takes off again; ``raw`` writes them as they are."""
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput(f"unknown export format {fmt!r}; use csv or jsonl")
    count = 0
    with ledger.read() as session:
        if fmt == "csv":
            writer = CsvWriter(out, raw=raw)
            writer.writerow(COLUMNS)
            for row in _export_rows(session, speaker, withdrawn):
                writer.writerow(_csv_cell(k, row[k]) for k in COLUMNS)
                count += 1
        else:
            for row in _export_rows(session, speaker, withdrawn):
                out.write(json_text(row) + "\n")
                count += 1
    return count


def export_to_file(
    ledger: Ledger, path: str | Path, *, fmt: str = "csv", speaker: str | None = None, raw: bool = False, withdrawn: bool = False
) -> int:
    """Export to ``path`` whole or not at all (``ledger.files.atomic_write``)."""
    with atomic_write(path) as handle:
        return export_claims(ledger, handle, fmt=fmt, speaker=speaker, raw=raw, withdrawn=withdrawn)
