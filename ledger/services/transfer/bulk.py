"""Bulk import: check a whole file, then write it in batches of ``BATCH`` rows, one transaction
each, with the same rows and journal entries `claims add` and `claims resolve` would write."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.domain.chain import canonical_json
from ledger.domain.claims import resolve_deadline
from ledger.domain.names import Lookalikes
from ledger.domain.text import check_actor
from ledger.errors import Conflict, InvalidInput, LedgerError
from ledger.services import journal
from ledger.services.people import new_slugs, speaker_names
from ledger.services.search import claim_documents
from ledger.services.transfer.checks import Checked, check_row
from ledger.services.transfer.formats import FORMATS, READERS, open_text
from ledger.services.transfer.rows import BATCH, RowError
from ledger.store.dialect import claims_present, insert_rows, new_ids, refresh_statistics
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, Resolution, Source, Speaker, SpeakerAlias
from ledger.store.types import utcnow


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
    links: int = 0  # restatements linked
    errors: list[RowError] = field(default_factory=list)  # skipped rows, with skip_invalid
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "claims_added": self.added, "claims_present": self.present,
            "speakers_created": self.speakers, "sources_created": self.sources,
            "resolutions": self.resolutions, "skipped": [e._asdict() for e in self.errors],
            "dry_run": self.dry_run, "restatements_linked": self.links,
        }


def _check_file(path, fmt, horizon, spool, report, progress, actor: str, speakers: Lookalikes, today: date) -> list[RowError]:
    """Read and check every row, spooling the good ones in batches; return the bad ones."""
    errors: list[RowError] = []
    batch: list[Checked] = []
    size = os.path.getsize(path)
    line = 0
    with open_text(path) as handle:
        raw = handle.buffer
        try:
            for line, record in READERS[fmt](handle):
                report.rows += 1
                if isinstance(record, RowError):
                    errors.append(record)
                    continue
                try:
                    batch.append(check_row(line, record, horizon, actor=actor, today=today, speakers=speakers))
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


# What an import writes to: their statistics are refreshed after a big one (refresh_statistics).
WRITTEN_TABLES = ["speakers", "speaker_aliases", "sources", "claims", "claim_tags", "resolutions", "journal", "search_documents"]


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
    today: date,
) -> ImportReport:
    """Import a file of claims. Raises BadRows (listing each) if a row is bad and not ``skip_invalid``.

    ``progress(stage, done, total)`` is told the bytes checked, then the rows written.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if horizon is not None:
        resolve_deadline("soon", date(2000, 1, 1), horizon)  # a bad horizon is one error, not one per row
    actor = check_actor(actor)
    with ledger.read() as session:
        speakers = Lookalikes(speaker_names(session))
    report = ImportReport(dry_run=dry_run)
    with tempfile.TemporaryFile(prefix="claims-import-") as spool:
        errors = _check_file(path, fmt, horizon, spool, report, progress, actor, speakers, today)
        links, unlinked = _restatements(ledger, spool)
        errors = sorted(errors + unlinked)
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
            _write_batch(ledger, batch, actor, today, report)
            written += len(batch)
            if progress:
                progress("importing", written, report.rows - len(errors))
        if links:
            with ledger.write() as session:
                report.links = _link(session, links, actor)
        if written >= BATCH:
            with ledger.write() as session:
                refresh_statistics(session, WRITTEN_TABLES)
    return report


def _restatements(ledger: Ledger, spool) -> tuple[list[tuple], list[RowError]]:
    """The links the checked rows ask for, as (row's key, restated key), each key (speaker key,
    said, text fingerprint); and a RowError for each naming a claim that is neither earlier in the
    file nor in the ledger (a claim restated the same day must come first, so links never loop)."""
    # Two reads of the spool, so that only the restated claims' keys are held, not every row's: a
    # key per row was most of a million-row import's memory.
    asked = [(row, (row.speaker_key, *row.restates)) for row in _spooled(spool) if row.restates is not None]
    wanted = {restated for _, restated in asked}
    seen: dict[tuple, int] = {}
    for row in _spooled(spool) if wanted else ():
        key = (row.speaker_key, row.said, row.text_sha256)
        if key in wanted:
            seen.setdefault(key, row.line)
    links, errors, missing = [], [], []
    for row, restated in asked:
        line = seen.get(restated)
        if line is not None and (restated[1] < row.said or line < row.line):
            links.append(((row.speaker_key, row.said, row.text_sha256), restated))
        elif line is not None:
            errors.append(RowError(row.line, f"restates_said: the claim it restates (line {line}) is said the same day "
                                             "and comes later in the file; put it first"))
        else:
            missing.append((row, restated))
    if missing:
        with ledger.read() as session:
            for row, restated in missing:
                if _claim_id(session, restated) is None:
                    errors.append(RowError(row.line, f"restates_text: {row.speaker} has no claim said {restated[1]} with "
                                                     "that text, in the file or the ledger"))
                else:
                    links.append(((row.speaker_key, row.said, row.text_sha256), restated))
    return links, errors


def _spooled(spool) -> Iterator[Checked]:
    """The checked rows in the spool, from its start; the spool is left at its start again."""
    spool.seek(0)
    try:
        while True:
            yield from pickle.load(spool)
    except EOFError:
        pass
    finally:
        spool.seek(0)


def _claim_id(session: Session, key: tuple) -> int | None:
    speaker_key, said, sha = key
    speaker = session.scalar(select(Speaker.id).where(Speaker.name_key == speaker_key))
    if speaker is None:
        speaker = session.scalar(select(SpeakerAlias.speaker_id).where(SpeakerAlias.alias_key == speaker_key))
    if speaker is None:
        return None
    # The first, where a speaker merge left two copies (revision 0011).
    return session.scalar(select(Claim.id).where(Claim.speaker_id == speaker, Claim.said == said, Claim.text_sha256 == sha)
                          .order_by(Claim.id).limit(1))


def _link(session: Session, links: list[tuple], actor: str) -> int:
    """Set each imported claim's restated claim, journaled as `claims link` journals the claim; a
    claim that already restates one keeps it. Returns how many were linked."""
    changed = []
    for key, restated in links:
        claim = session.get(Claim, _claim_id(session, key))
        earlier = _claim_id(session, restated)
        if claim is None or earlier is None or claim.restates_id is not None:
            continue
        claim.restates_id = earlier
        changed.append(("claim.linked", "claim", claim))
    journal.record_many(session, actor=actor, changes=changed)
    return len(changed)


def _write_batch(ledger: Ledger, batch: list[Checked], actor: str, today: date, report: ImportReport) -> None:
    try:
        with ledger.write() as session:
            counts = _import_batch(session, batch, actor, today)
    except IntegrityError as exc:
        # Another writer added one of these claims, speakers or sources in the meantime.
        raise Conflict(
            f"lines {batch[0].line}-{batch[-1].line} clashed with a concurrent change "
            f"({str(exc.orig).splitlines()[0]}); nothing of that batch was written: rerun the import to finish"
        ) from None
    for key, value in counts.items():
        setattr(report, key, getattr(report, key) + value)


def _import_batch(session: Session, batch: list[Checked], actor: str, today: date) -> dict[str, int]:
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
    ids = new_ids(session, Claim.__table__, len(stored))
    if stored:
        insert_rows(session, Claim.__table__, [{**v, "id": i} for i, v in zip(ids, stored)])
    tags = [{"claim_id": i, "tag": t} for i, r in zip(ids, fresh) for t in r.tags]
    insert_rows(session, ClaimTag.__table__, tags)
    for i, r, v in zip(ids, fresh, added):
        changes.append(("claim.added", "claim", SimpleNamespace(id=i, tags=[_Tag(t) for t in r.tags], **v)))
    settled = [(i, r, v, verdict) for i, r, v, verdict in zip(ids, fresh, stored, verdicts) if verdict and verdict[1]]
    if settled:
        votes = [{**vote, "claim_id": i} for i, _, _, (vote, _) in settled]
        vote_ids = new_ids(session, Resolution.__table__, len(votes))
        insert_rows(session, Resolution.__table__, [{**vote, "id": i} for i, vote in zip(vote_ids, votes)])
        for vote_id, vote, (i, r, v, _) in zip(vote_ids, votes, settled):
            changes.append(("resolution.recorded", "resolution", SimpleNamespace(id=vote_id, **vote)))
            changes.append(("claim.resolved", "claim", SimpleNamespace(id=i, tags=[_Tag(t) for t in r.tags], **v)))
    documents = claim_documents(session, ((i, v["text"], v["quote"], v["speaker_id"], v["source_id"]) for i, v in zip(ids, added)))
    journal.record_many(session, actor=actor, changes=changes, documents=documents)
    unsettled = [(i, r.resolution) for i, r, verdict in zip(ids, fresh, verdicts) if verdict and not verdict[1]]
    if unsettled:
        _resolve(session, unsettled, actor, today)
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
        "event": r.event,
        "status": "open",
        "logged_by": actor,
        "logged_at": now,
        "restates_id": None,
        "outcome": None,
        "occurred": None,
        "resolved_at": None,
        "version": 1,
        "withdrawn_at": None,
    }


def _settled(resolution: tuple, actor: str, now: datetime) -> tuple[dict, dict | None]:
    """The first vote on a new claim, as review.record_resolution would write it, and the claim's
    changes if the vote settles the verdict at once (it does under quorum 1, see
    ReviewRules.first_vote_settles). Settled votes are written in bulk; any other is left to
    record_resolution itself. A test holds both ways to the same rows and journal."""
    from ledger.domain.review import ReviewRules, check_reviewer

    outcome, occurred, reviewer, evidence, note = resolution
    vote = {
        "outcome": outcome, "occurred": occurred, "reviewer": check_reviewer(reviewer or actor),
        "evidence": canonical_json(list(evidence)), "note": note, "reason": None, "supersedes_id": None,
        "claim_version": 1, "round": 1, "recorded_at": now,
    }
    if not ReviewRules(quorum=1).first_vote_settles:
        return vote, None
    return vote, {"status": "resolved", "outcome": outcome, "occurred": occurred, "resolved_at": now, "version": 2}


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
        ids = new_ids(session, Speaker.__table__, len(new))
        slugs = new_slugs(session, [names[k] for k in new])
        insert_rows(session, Speaker.__table__, [
            {"id": i, "name": names[k], "name_key": k, "slug": slug, "created_at": now} for i, k, slug in zip(ids, new, slugs)
        ])
        for key, i, slug in zip(new, ids, slugs):
            found[key] = i
            changes.append(("speaker.added", "speaker", SimpleNamespace(id=i, name=names[key], aliases=[], created_at=now, slug=slug)))
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
        ids = new_ids(session, Source.__table__, len(new))
        rows = [{"id": i, "url": u, "title": t, "publisher": p, "published": d, "text": None, "text_sha256": None, "created_at": now,
                 "html": None, "html_sha256": None}
                for i, (u, t, p, d) in zip(ids, new)]
        insert_rows(session, Source.__table__, rows)
        for s, i, row in zip(new, ids, rows):
            if s[0]:
                by_url[s[0]] = i
            else:
                by_details[s] = i
            changes.append(("source.added", "source", SimpleNamespace(**row)))
    return {s: by_url[s[0]] if s[0] else by_details[s] for s in wanted}, len(new)


def _present(session: Session, batch: list[Checked], speakers: dict[str, int]) -> set[tuple]:
    """The natural keys of the batch's claims that the ledger already holds: one query."""
    return claims_present(session, list({(speakers[r.speaker_key], r.said, r.text_sha256) for r in batch}), BATCH)


def _resolve(session: Session, resolved: list[tuple[int, tuple]], actor: str, today: date) -> None:
    """Each outcome is recorded as `claims resolve` records it. The file's outcome is a verdict
    already reached where the claim was tracked, so it settles the claim (quorum 1) whatever
    review.quorum asks of new reviews."""
    from ledger.services.review import record_resolution

    claims = {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_([i for i, _ in resolved])))}
    for claim_id, (outcome, occurred, reviewer, evidence, note) in resolved:
        record_resolution(
            session, claims[claim_id], outcome=outcome, reviewer=reviewer or actor, occurred=occurred,
            evidence=evidence, note=note, quorum=1, actor=actor, today=today,
        )

