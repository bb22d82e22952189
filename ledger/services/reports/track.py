"""The track record's queries: every claim in the report's scope, oldest said first, with its
state, outcome and occurred date on the report date (the report's own CASE expressions), and the
resolutions recorded by the end of that day, so ``--as-of`` shows the record as it stood."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ledger.domain.report import ReportHeader, ReportOptions, fit_prior, header
from ledger.domain.track import ClaimFacts, Edit, TrackRow, Vote, track_row, verdict_behind
from ledger.domain.vocab import ChangeKind
from ledger.services.reports.queries import Scope, _end_of, reading, outcome_of, scope_of, streamed, tallies_of
from ledger.store.dialect import snapshot
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimChange, ClaimTag, Resolution, Source, Speaker


@dataclass
class TrackRecord:
    header: ReportHeader
    rows: list[TrackRow]


@contextmanager
def open_track_record(ledger: Ledger, options: ReportOptions = ReportOptions()) -> Iterator[TrackRecord]:
    """The claims behind the report with ``options``, read in one snapshot."""
    options = options.checked()
    with snapshot(ledger, analytic=True) as session:
        conn = reading(session)
        scope = scope_of(session, options)
        prior = fit_prior(tallies_of(conn, scope), scope.credit)
        yield TrackRecord(header(options, prior, scope.withdrawn), track_rows(conn, scope))


def track_record(ledger: Ledger, options: ReportOptions = ReportOptions()) -> dict:
    """The track record as one dict: the report's header and ``track_record``, a list of rows."""
    with open_track_record(ledger, options) as record:
        return {**record.header, "track_record": record.rows}


def chain_query(scope: Scope):
    """The claims in scope of the speakers shown, as a chain reads them, in speaker order; links
    to a claim outside the scope are not followed (it is not in the report)."""
    return (
        select(Claim.speaker_id, Claim.id, Claim.said, Claim.deadline, Claim.deadline_text, Claim.restates_id,
               outcome_of(scope.options.report_date), scope.occurred)
        # The claims that restate one and the claims restated, both found through the index on
        # restates_id: an OR of the two would read every claim.
        .where(*scope.details(), Claim.id.in_(
            select(Claim.id).where(Claim.restates_id.isnot(None))
            .union(select(Claim.restates_id).where(Claim.restates_id.isnot(None)))
        ))
        .order_by(Claim.speaker_id + 0)
    )


def track_rows(conn: Connection, scope: Scope) -> list[TrackRow]:
    in_scope = select(Claim.id).where(*scope.details())
    claims = (
        select(
            Claim.id, Speaker.name, Claim.speaker_id, Claim.said, Claim.text, Claim.quote, Claim.deadline_text,
            Claim.deadline, scope.state, outcome_of(scope.options.report_date), scope.occurred, Claim.restates_id,
            Source.url,
        )
        .join(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(Source, Source.id == Claim.source_id)
        .where(*scope.details())
        .order_by(Claim.said, Claim.id)
    )
    end = _end_of(scope.options.report_date)
    votes: dict[int, list[Vote]] = defaultdict(list)
    resolutions = (
        select(Resolution.claim_id, Resolution.round, Resolution.reviewer, Resolution.outcome, Resolution.occurred,
               Resolution.evidence, Resolution.recorded_at)
        .where(Resolution.claim_id.in_(in_scope), Resolution.recorded_at < end)
        .order_by(Resolution.claim_id, Resolution.id)
    )
    for claim_id, round_, reviewer, outcome, occurred, evidence, recorded_at in streamed(conn, resolutions):
        votes[claim_id].append(Vote(round_, reviewer, outcome, occurred, json.loads(evidence) if evidence else [],
                                    recorded_at))
    edits: dict[int, list[Edit]] = defaultdict(list)
    changes = select(ClaimChange.claim_id, ClaimChange.at, ClaimChange.changes).where(
        ClaimChange.claim_id.in_(in_scope), ClaimChange.action == ChangeKind.EDITED.value, ClaimChange.at < end)
    for claim_id, at, changed in streamed(conn, changes):
        edits[claim_id].append(Edit(at, json.loads(changed)))
    tags: dict[int, list[str]] = defaultdict(list)
    for claim_id, tag in streamed(conn, select(ClaimTag.claim_id, ClaimTag.tag).where(ClaimTag.claim_id.in_(in_scope))):
        tags[claim_id].append(tag)
    rows = []
    for values in streamed(conn, claims):
        facts = ClaimFacts(*values)
        verdict = verdict_behind(votes.get(facts.id, ()), facts.outcome, facts.occurred, edits.get(facts.id, ()))
        rows.append(track_row(facts, verdict, tags.get(facts.id, ())))
    return rows
