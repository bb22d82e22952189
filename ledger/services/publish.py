"""What the published site shows, read in one snapshot of the ledger: the leaderboard, each
speaker's report with charts, track record and chains, each claim with its source, verdict,
evidence and journal history (every entry with its hash), and the journal's head.

The figures come from the report's own services, so the site never disagrees with `claims
report`; the pages are made by ledger.render.site and written by ledger.services.site_files.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select

from ledger.domain.report import LEADERBOARD_MIN_RESOLVED, ReportOptions
from ledger.domain.restatements import ChainClaim, chain_view, chains
from ledger.domain.track import TrackRow
from ledger.services.reports import leaderboard, open_report
from ledger.services.reports.queries import streamed
from ledger.services.reports.track import open_track_record
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, JournalEntry, Resolution, Source, Speaker


@dataclass
class ClaimPage:
    row: TrackRow
    text: str
    quote: str | None
    source: dict | None
    resolved_on: str | None  # the date the current verdict was recorded
    history: list[dict] = field(default_factory=list)


@dataclass
class Site:
    header: dict
    leaderboard: dict  # as `claims report --leaderboard --json` has it
    speakers: list[dict]  # each speaker's report, with "slug", "track_record" and "chains"
    claims: dict[int, ClaimPage]
    tags: list[tuple[str, int]]
    head: tuple[int, str] | None


def site(ledger: Ledger, speakers: tuple[str, ...] = (), tag: str | None = None, as_of: date | None = None) -> Site:
    """Everything the site shows for these speakers (default: everyone with claims) and tag."""
    options = ReportOptions(speakers=speakers, tag=tag, as_of=as_of)
    board = leaderboard(ledger, replace(options, min_resolved=LEADERBOARD_MIN_RESOLVED))
    with open_report(ledger, options, curves=True) as report:
        head, reports = dict(report.header), list(report.speakers)
    with open_track_record(ledger, options) as record:
        rows = record.rows
    by_speaker: dict[int, list[TrackRow]] = defaultdict(list)
    for row in rows:
        by_speaker[row["speaker_id"]].append(row)
    with ledger.read() as session:
        slugs = dict(session.execute(select(Speaker.id, Speaker.slug)).all())
        pages = _claim_pages(session, rows)
        last = _head(session)
    for figures in reports:
        mine = by_speaker.get(figures["speaker_id"], [])
        figures.update({"slug": slugs[figures["speaker_id"]], "track_record": mine,
                        "chains": [chain_view(c) for c in chains(map(_chain_claim, mine)) if len(c) > 1]})
    counted: dict[str, int] = defaultdict(int)
    for row in rows:
        for t in row["tags"]:
            counted[t] += 1
    return Site(header=head, leaderboard=board, speakers=sorted(reports, key=lambda s: s["speaker"].casefold()),
                claims=pages, tags=sorted(counted.items()), head=last)


def journal_head(ledger: Ledger) -> tuple[int, str] | None:
    """The journal's last entry (seq, hash): every change to what the site shows moves it."""
    with ledger.read() as session:
        return _head(session)


def _head(session) -> tuple[int, str] | None:
    last = session.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else None


def claim_pages(ledger: Ledger, speakers: tuple[str, ...] = (), as_of: date | None = None) -> dict[int, ClaimPage]:
    """Every claim of these speakers (default: all) as its page shows it, for `claims export --format claimreview`."""
    with open_track_record(ledger, ReportOptions(speakers=speakers, as_of=as_of)) as record:
        rows = record.rows
    with ledger.read() as session:
        return _claim_pages(session, rows)


def _chain_claim(r: TrackRow) -> ChainClaim:
    occurred = date.fromisoformat(r["occurred"]) if r["occurred"] else None
    return ChainClaim(r["id"], date.fromisoformat(r["said"]), date.fromisoformat(r["deadline"]), r["deadline_text"],
                      r["restates"], r["outcome"], occurred, r["words"])


def _claim_pages(session, rows: list[TrackRow]) -> dict[int, ClaimPage]:
    conn = session.connection()
    wanted = [r["id"] for r in rows]
    if not wanted:
        return {}
    in_scope = set(wanted)
    details = {}
    query = (
        select(Claim.id, Claim.text, Claim.quote, Claim.resolved_at, Source.url, Source.title, Source.publisher,
               Source.published, Source.text_sha256)
        .outerjoin(Source, Source.id == Claim.source_id)
    )
    for cid, text, quote, resolved_at, url, title, publisher, published, sha in streamed(conn, query):
        if cid in in_scope:
            source = None if url is None and title is None and sha is None else {
                "url": url, "title": title, "publisher": publisher, "published": published.isoformat() if published else None,
                "text_sha256": sha}
            details[cid] = (text, quote, source, resolved_at.date().isoformat() if resolved_at else None)
    resolution_claim = {rid: cid for rid, cid in streamed(conn, select(Resolution.id, Resolution.claim_id)) if cid in in_scope}
    history: dict[int, list[dict]] = defaultdict(list)
    journal = (
        select(JournalEntry.seq, JournalEntry.at, JournalEntry.actor, JournalEntry.action, JournalEntry.entity,
               JournalEntry.entity_id, JournalEntry.payload, JournalEntry.hash)
        .where(JournalEntry.entity.in_(("claim", "resolution", "restatement", "change")))
        .order_by(JournalEntry.seq)
    )
    for seq, at, actor, action, entity, entity_id, payload, digest in streamed(conn, journal):
        if entity == "claim":
            cid = entity_id
        elif entity == "resolution":
            cid = resolution_claim.get(entity_id)
        else:  # a restatement or an edit: the claim it changed is in its payload
            cid = json.loads(payload).get("claim_id")
        if cid in in_scope:
            history[cid].append({"seq": seq, "at": at.isoformat(), "actor": actor, "action": action, "entity": entity,
                                 "entity_id": entity_id, "hash": digest})
    pages = {}
    for row in rows:
        text, quote, source, resolved_on = details[row["id"]]
        pages[row["id"]] = ClaimPage(row, text, quote, source, resolved_on, history.get(row["id"], []))
    return pages
