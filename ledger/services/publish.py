"""What the published site shows, read in one snapshot of the ledger: the leaderboard, each
speaker's report with charts, track record and chains, each claim with its source, verdict,
evidence and journal history (every entry with its hash), and the journal's head.

The speakers' track records and their claims' pages are read a chunk of speakers at a time
(``Site.chunks``), each through the indexes on the claims it holds, so what is in memory at once
is bounded by the chunk and not by the ledger; only the ids of the claims in scope are kept for
the whole site (a link to a restated claim, the sitemap).

The figures come from the report's own services, so the site never disagrees with `claims
report`; the pages are made by ledger.render.site and written by ledger.services.site_files.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ledger.domain.report import LEADERBOARD_MIN_RESOLVED, ReportOptions
from ledger.domain.restatements import ChainClaim, chain_view, chains
from ledger.domain.track import TrackRow
from ledger.services.reports import leaderboard, open_report
from ledger.services.reports.queries import Scope, reading, scope_of, streamed
from ledger.services.reports.track import track_rows
from ledger.store.dialect import snapshot
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, JournalEntry, Resolution, Source, Speaker

CHUNK_CLAIMS = 10_000  # claims read and rendered together: enough that a chunk's queries are few


@dataclass
class ClaimPage:
    row: TrackRow
    text: str
    quote: str | None
    source: dict | None
    resolved_on: str | None  # the date the current verdict was recorded
    history: list[dict] = field(default_factory=list)


@dataclass
class Chunk:
    speakers: list[dict]  # each speaker's report, with "slug", "track_record" and "chains"
    claims: dict[int, ClaimPage]  # their claims, by id


@dataclass
class Site:
    header: dict
    leaderboard: dict  # as `claims report --leaderboard --json` has it
    speakers: list[dict]  # each speaker's report, with "slug"
    tags: list[tuple[str, int]]
    head: tuple[int, str] | None
    claim_ids: array  # every claim in scope, in id order
    shown_ids: array  # those of the speakers shown, whose pages the site has
    _conn: Connection
    _scope: Scope
    _claims_of: dict[int, int]  # speaker id: claims in scope
    chunk_claims: int = CHUNK_CLAIMS

    def has_claim(self, claim_id: int | None) -> bool:
        """Whether the claim is in the site's scope (a link to it leads to its page)."""
        i = bisect_left(self.claim_ids, claim_id) if claim_id is not None else len(self.claim_ids)
        return i < len(self.claim_ids) and self.claim_ids[i] == claim_id

    def chunks(self) -> Iterator[Chunk]:
        """The speakers shown, a few at a time (about ``chunk_claims`` claims; a speaker is never split)."""
        group: list[dict] = []
        size = 0
        for figures in self.speakers:
            group.append(figures)
            size += self._claims_of.get(figures["speaker_id"], 0)
            if size >= self.chunk_claims:
                yield self._chunk(group)
                group, size = [], 0
        if group:
            yield self._chunk(group)

    def _chunk(self, group: list[dict]) -> Chunk:
        scope = replace(self._scope, speaker_ids=[s["speaker_id"] for s in group])
        rows = track_rows(self._conn, scope)
        by_speaker: dict[int, list[TrackRow]] = defaultdict(list)
        for row in rows:
            by_speaker[row["speaker_id"]].append(row)
        speakers = []
        for figures in group:
            mine = by_speaker.get(figures["speaker_id"], [])
            speakers.append({**figures, "track_record": mine,
                             "chains": [chain_view(c) for c in chains(map(_chain_claim, mine)) if len(c) > 1]})
        return Chunk(speakers, _claim_pages(self._conn, rows, scope))


@contextmanager
def open_site(ledger: Ledger, speakers: tuple[str, ...] = (), tag: str | None = None, as_of: date | None = None,
              *, chunk_claims: int = CHUNK_CLAIMS) -> Iterator[Site]:
    """Everything the site shows for these speakers (default: everyone with claims) and tag; the
    chunks are read while the block runs, in one snapshot."""
    options = ReportOptions(speakers=speakers, tag=tag, as_of=as_of)
    board = leaderboard(ledger, replace(options, min_resolved=LEADERBOARD_MIN_RESOLVED))
    with open_report(ledger, options, curves=True) as report:
        head, reports = dict(report.header), list(report.speakers)
    with snapshot(ledger, analytic=True) as session:
        conn = reading(session)
        scope = scope_of(session, options.checked())
        in_scope = select(Claim.id).where(*scope.details())
        slugs = dict(session.execute(select(Speaker.id, Speaker.slug)).all())
        shown = {figures["speaker_id"] for figures in reports}
        claim_ids, shown_ids, claims_of = array("q"), array("q"), defaultdict(int)
        for claim_id, speaker_id in streamed(conn, select(Claim.id, Claim.speaker_id).where(*scope.details()).order_by(Claim.id)):
            claim_ids.append(claim_id)
            if speaker_id in shown:
                shown_ids.append(claim_id)
                claims_of[speaker_id] += 1
        tags = conn.execute(select(ClaimTag.tag, func.count()).where(ClaimTag.claim_id.in_(in_scope)).group_by(ClaimTag.tag))
        counted = sorted((t, n) for t, n in tags)
        for figures in reports:
            figures["slug"] = slugs[figures["speaker_id"]]
        yield Site(header=head, leaderboard=board, speakers=sorted(reports, key=lambda s: s["speaker"].casefold()),
                   tags=counted, head=_head(session), claim_ids=claim_ids, shown_ids=shown_ids, _conn=conn,
                   _scope=scope, _claims_of=claims_of, chunk_claims=chunk_claims)


def journal_head(ledger: Ledger) -> tuple[int, str] | None:
    """The journal's last entry (seq, hash): every change to what the site shows moves it."""
    with ledger.read() as session:
        return _head(session)


def _head(session) -> tuple[int, str] | None:
    last = session.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else None


def claim_pages(ledger: Ledger, speakers: tuple[str, ...] = (), as_of: date | None = None) -> dict[int, ClaimPage]:
    """Every claim of these speakers (default: all) as its page shows it, for `claims export --format claimreview`."""
    options = ReportOptions(speakers=speakers, as_of=as_of).checked()
    with snapshot(ledger, analytic=True) as session:
        conn = reading(session)
        scope = scope_of(session, options)
        return _claim_pages(conn, track_rows(conn, scope), scope)


def _chain_claim(r: TrackRow) -> ChainClaim:
    occurred = date.fromisoformat(r["occurred"]) if r["occurred"] else None
    return ChainClaim(r["id"], date.fromisoformat(r["said"]), date.fromisoformat(r["deadline"]), r["deadline_text"],
                      r["restates"], r["outcome"], occurred, r["words"])


_HISTORY = (JournalEntry.seq, JournalEntry.at, JournalEntry.actor, JournalEntry.action, JournalEntry.entity,
            JournalEntry.entity_id, JournalEntry.hash)


def _claim_pages(conn: Connection, rows: list[TrackRow], scope: Scope) -> dict[int, ClaimPage]:
    """The pages of ``rows``, the claims of ``scope``: each read through the indexes on the
    claims' and resolutions' ids, so a chunk costs what it holds."""
    if not rows:
        return {}
    in_scope = select(Claim.id).where(*scope.details())
    wanted = {r["id"] for r in rows}
    details = {}
    query = (
        select(Claim.id, Claim.text, Claim.quote, Claim.resolved_at, Source.url, Source.title, Source.publisher,
               Source.published, Source.text_sha256)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(*scope.details())
    )
    for cid, text, quote, resolved_at, url, title, publisher, published, sha in streamed(conn, query):
        source = None if url is None and title is None and sha is None else {
            "url": url, "title": title, "publisher": publisher, "published": published.isoformat() if published else None,
            "text_sha256": sha}
        details[cid] = (text, quote, source, resolved_at.date().isoformat() if resolved_at else None)
    history: dict[int, list[tuple]] = defaultdict(list)
    claims = select(*_HISTORY, JournalEntry.entity_id).where(JournalEntry.entity == "claim",
                                                             JournalEntry.entity_id.in_(in_scope))
    votes = (select(*_HISTORY, Resolution.claim_id).join(Resolution, Resolution.id == JournalEntry.entity_id)
             .where(JournalEntry.entity == "resolution", Resolution.claim_id.in_(in_scope)))
    for query in (claims, votes):
        for *entry, cid in streamed(conn, query):
            history[cid].append(entry)
    # A restatement or an edit names the claim it changed in its payload: these entries are few.
    changes = select(*_HISTORY, JournalEntry.payload).where(JournalEntry.entity.in_(("restatement", "change")))
    for *entry, payload in streamed(conn, changes):
        cid = json.loads(payload).get("claim_id")
        if cid in wanted:
            history[cid].append(entry)
    pages = {}
    for row in rows:
        text, quote, source, resolved_on = details[row["id"]]
        entries = sorted(history.get(row["id"], ()))  # by seq: the journal's order
        pages[row["id"]] = ClaimPage(row, text, quote, source, resolved_on, [
            {"seq": seq, "at": at.isoformat(), "actor": actor, "action": action, "entity": entity, "entity_id": entity_id,
             "hash": digest} for seq, at, actor, action, entity, entity_id, digest in entries])
    return pages
