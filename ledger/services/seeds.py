"""Loading a seeds folder (see seeds/README.md): speakers, sources and claims, idempotently."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from ledger.domain.claims import ClaimDraft, text_fingerprint
from ledger.domain.dates import parse_date
from ledger.domain.derived import text_sha256
from ledger.domain.text import encodable
from ledger.errors import InvalidInput, LedgerError
from ledger.services import journal
from ledger.services.claims import claim_with_key, new_claim
from ledger.domain.claims import check_source
from ledger.services.people import create_speaker, find_source, find_speaker
from ledger.services.review import record_resolution
from ledger.store.engine import Ledger
from ledger.store.models import Claim, Resolution, Source


def packaged_seeds() -> Path:
    return Path(str(files("ledger.seeds")))


@dataclass
class SeedReport:
    claims_added: list[int] = field(default_factory=list)
    claims_present: int = 0
    speakers_added: int = 0
    sources_added: int = 0
    resolutions_added: int = 0


CLAIM_COLUMNS = ("said", "speaker", "text", "deadline")
SOURCE_COLUMNS = ("url",)


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise InvalidInput(f"{path}:1: the header has no {missing[0]!r} column (see seeds/README.md)")
            rows = []
            for row in reader:
                if None in row:  # DictReader keeps the fields past the header under None
                    raise InvalidInput(f"{path}:{reader.line_num}: more fields than the header has")
                rows.append({k: (v or "").strip() for k, v in row.items()})
            return rows
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except csv.Error as exc:
        raise InvalidInput(f"{path}: not readable as CSV: {exc}") from None


def load_seeds(ledger: Ledger, folder: Path | None, actor: str, *, today: date, outcomes: bool = True) -> SeedReport:
    """Load ``folder`` (default: the packaged seeds), checking dates against ``today``. ``outcomes=False`` leaves every claim
    undecided, as the demo does to show flagging and reviewing before the judged outcomes."""
    folder = Path(folder) if folder else packaged_seeds()
    claims_file = folder / "claims.csv"
    if not claims_file.is_file():
        raise InvalidInput(f"{folder} has no claims.csv (see seeds/README.md for the format)")
    sources = {r["url"]: r for r in _rows(folder / "sources.csv", SOURCE_COLUMNS)} if (folder / "sources.csv").is_file() else {}
    report = SeedReport()
    with ledger.write() as session:
        for line, row in enumerate(_rows(claims_file, CLAIM_COLUMNS), start=2):
            try:
                _load_row(session, folder, row if outcomes else row | {"outcome": ""}, sources, actor, today, report)
            except LedgerError as exc:
                raise type(exc)(f"{claims_file}:{line}: {exc}") from None
    return report


def _load_row(session, folder: Path, row: dict, sources: dict, actor: str, today: date, report: SeedReport) -> None:
    said = parse_date(row["said"])
    speaker = find_speaker(session, row["speaker"])
    if speaker is None:
        speaker = create_speaker(session, row["speaker"], (), actor)
        report.speakers_added += 1
    existing = claim_with_key(session, speaker.id, said, text_fingerprint(row["text"]))
    if existing is not None:
        report.claims_present += 1
        _resolve_row(session, session.get(Claim, existing), row, actor, today, report)
        return
    url = row.get("source_url") or None
    if url and find_source(session, url) is None:
        _add_source(session, folder, url, sources.get(url, {}), row.get("source_title"), actor, today)
        report.sources_added += 1
    draft = ClaimDraft(
        text=row["text"],
        speaker=speaker.name,
        deadline=row["deadline"],
        said=said,
        quote=row.get("quote") or None,
        source=url,
        confidence=row.get("confidence") or None,
        tags=tuple(t for t in (row.get("tags") or "").split(";") if t.strip()),
    )
    claim = new_claim(session, draft, actor, today)
    report.claims_added.append(claim.id)
    _resolve_row(session, claim, row, actor, today, report)


def _resolve_row(session, claim: Claim, row: dict, actor: str, today: date, report: SeedReport) -> None:
    """A row's outcome becomes a resolution by the reviewer "seed", once: a claim that has any
    resolution (the seed's, or a reviewer's since) is left as it is."""
    if not row.get("outcome") or session.scalar(select(Resolution.id).where(Resolution.claim_id == claim.id).limit(1)):
        return
    record_resolution(
        session,
        claim,
        outcome=row["outcome"],
        reviewer="seed",
        occurred=parse_date(row["occurred"]) if row.get("occurred") else None,
        evidence=[row["source_url"]] if row.get("source_url") else (),
        note=row.get("note") or None,
        actor=actor,
        today=today,
    )
    report.resolutions_added += 1


def _add_source(session, folder: Path, url: str, details: dict, venue: str | None, actor: str, today: date) -> Source:
    published = parse_date(details["published"]) if details.get("published") else None
    values = check_source(url, details.get("title") or venue, details.get("publisher"), published, today)
    text = _text_file(folder, details["text_file"]) if details.get("text_file") else None
    text = encodable(text, "source_text") if text is not None else None
    row = Source(**vars(values), text=text, text_sha256=text_sha256(text))
    session.add(row)
    journal.record(session, actor=actor, action="source.added", row=row)
    return row


def _text_file(folder: Path, name: str) -> str:
    """A source's stored text: a file inside the seeds folder, never a path leading out of it."""
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise InvalidInput(f"sources.csv names text_file {name!r}, which is not a file in {folder}")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 text ({exc.reason}); save it as UTF-8") from None
