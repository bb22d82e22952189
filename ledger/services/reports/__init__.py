"""Accuracy reports on repeat forecasters: how often a speaker's claims come true, how late, on
which topics, and whether it is getting better. docs/report.md documents every key and rule.

When a claim counts, on the report date D (``--as-of``, default today):

- A claim said after D, or outside --since/--until (dates said), is left out.
- Its verdict is the current one in the ledger, except that an outcome that occurred after D
  is not known yet on D.
- *open*: no verdict and the deadline not passed (deadline >= D); *overdue*: no verdict and the
  deadline passed: shown, never scored; *disputed*: reviewers disagree; *resolved*: a verdict.
- A verdict is *scored* only once the claim's deadline has passed (deadline < D). A claim that
  came true early waits for its deadline (``awaiting_deadline``): early trues arrive before the
  falses of the same cohort, which only arrive at the deadline, so counting them at once would
  flatter every speaker. Ambiguous verdicts are counted and shown, never scored.

How it is computed: the database gives every claim one state code (a single CASE). Claims not yet
due are only counted, grouped by speaker, year and state; claims past their deadline, the only ones
scored or late, are read once, one compact row each, and that pass feeds the counts, forecasts,
lateness and events of every speaker (``ledger.domain.report.due_claims``); the per-tag detail is
grouped by speaker and tag. The prior needs every speaker's counts, so those reads finish before the
first speaker is written; all run inside one read transaction so they see the same ledger.

The queries are in ``queries``; the figures made from the rows they return, and the shapes the
report is read in, in ``ledger.domain.report``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ledger.domain.report import (
    LEADERBOARD_MIN_RESOLVED, NO_DUE_CLAIMS, RANKED_BY, AccuracyReport, DueClaims, Leaderboard, Prior, ReportHeader,
    ReportOptions, SpeakerReport, Tallies, fit_prior, header, leaderboard_row, rank, shown,
    speaker_report as speaker_figures,
)
from ledger.services.reports.queries import (
    BySpeaker, Scope, late_tag_query, reading, report_claims, scope_of, speaker_claims, speaker_names, streamed,
    tag_query,
)
from ledger.domain.restatements import ChainClaim
from ledger.services.reports import priors
from ledger.services.reports.track import chain_query
from ledger.store.dialect import snapshot
from ledger.store.engine import Ledger

__all__ = ["LEADERBOARD_MIN_RESOLVED", "Report", "ReportOptions", "accuracy_report", "leaderboard", "open_report", "speaker_report"]


@dataclass
class Report:
    """A report being read: the header (date, policy, prior...) and the speakers, computed one at a
    time while they are iterated (inside ``open_report``)."""

    header: ReportHeader
    count: int  # how many speakers ``speakers`` will yield
    speakers: Iterator[SpeakerReport]


# --- public entry points -----------------------------------------------------------------------


@contextmanager
def open_report(ledger: Ledger, options: ReportOptions, *, curves: bool = False) -> Iterator[Report]:
    """The per-speaker report, streamed; ``curves`` adds each speaker's Kaplan–Meier lateness curve."""
    options = options.checked()
    # Several queries make one report: they must read one snapshot.
    with snapshot(ledger, analytic=True) as session:
        conn = reading(session)
        prepared = _prepare(session, conn, options)
        scope, prior, ids = prepared.scope, prepared.prior, prepared.ids
        detail = curves or options.detailed(len(ids))  # the HTML charts are drawn from the detail
        yield Report(header(options, prior, scope.withdrawn), len(ids), _speakers(conn, prepared, curves, detail))
    prepared.keep(ledger)


@dataclass
class _Prepared:
    """What both the report and the leaderboard start from: the scope, the tallies, each
    speaker's claims past their deadline, the fitted prior and the speakers to show, and whether
    the prior was fitted here (to be stored)."""

    scope: Scope
    tallies: Tallies
    due: dict[int, DueClaims]
    prior: Prior
    ids: list[int]
    key: priors.PriorKey
    fitted: bool
    tags: tuple[list, list, list] | None = None  # the per-tag and chain rows, when read with the claims

    def keep(self, ledger: Ledger) -> None:
        """Store a prior fitted here, once the report's snapshot is closed (a write beside an open
        read would wait on it where the database is not in WAL mode)."""
        if self.fitted:
            priors.store(ledger, self.key, self.prior)


def _prepare(session: Session, conn: Connection, options: ReportOptions, lateness: bool = True) -> _Prepared:
    key = priors.key_of(conn, options)
    prior = priors.stored(conn, key)
    # The prior is all that needs every speaker: with it stored, only those asked for are read.
    mine = prior is not None and bool(options.speakers)
    scope = scope_of(session, options, count_withdrawn=not mine)
    tags = None
    if mine:
        read = speaker_claims(conn, scope)
        tallies, due, tags, scope.withdrawn = read.tallies, read.due, (read.tags, read.late_tags, read.chained), read.withdrawn
    else:
        tallies, due = report_claims(conn, scope, scope.where, lateness)
    fitted = prior is None
    if prior is None:
        prior = fit_prior(tallies, scope.credit)
    return _Prepared(scope, tallies, due, prior, shown(tallies, scope.speaker_ids, options.min_resolved), key, fitted, tags)


def accuracy_report(ledger: Ledger, options: ReportOptions, *, curves: bool = False) -> AccuracyReport:
    """The whole report as one dict (JSON shape in docs/report.md); for big ledgers use ``open_report``."""
    with open_report(ledger, options, curves=curves) as report:
        return {**report.header, "speakers": list(report.speakers)}


def speaker_report(ledger: Ledger, speaker: str, as_of: date, policy: str = "strict",
                   half_life: float | None = None) -> AccuracyReport:
    """One speaker's report with the lateness curve: what `claims demo` shows and writes as HTML."""
    options = ReportOptions(speakers=(speaker,), as_of=as_of, policy=policy, half_life=half_life)
    return accuracy_report(ledger, options, curves=True)


def leaderboard(ledger: Ledger, options: ReportOptions) -> Leaderboard:
    """Speakers with at least ``min_resolved`` scored claims in two groups, each ranked by its
    headline: those who state probabilities by their Brier score, the others by the shrunk hit rate
    (never the raw rate: 2 out of 2 is not a better record than 45 out of 50)."""
    options = options.checked()
    with snapshot(ledger, analytic=True) as session:
        conn = reading(session)
        prepared = _prepare(session, conn, options, lateness=False)
        scope, tallies, prior, ids = prepared.scope, prepared.tallies, prepared.prior, prepared.ids
        names = speaker_names(conn, ids)
        rows = []
        for i in ids:
            due = prepared.due.get(i, NO_DUE_CLAIMS)
            rows.append(leaderboard_row(names[i], i, tallies, scope.credit, prior, due.forecast_rows(i), due.events))
    prepared.keep(ledger)
    return {**header(options, prior, scope.withdrawn), "ranked_by": RANKED_BY, "speakers": rank(rows)}


# --- one speaker at a time ---------------------------------------------------------------------


def _speakers(conn: Connection, prepared: _Prepared, curves: bool, detail: bool) -> Iterator[SpeakerReport]:
    scope, tallies, prior, ids = prepared.scope, prepared.tallies, prepared.prior, prepared.ids
    options = scope.options
    if not ids:
        return
    names = speaker_names(conn, ids)
    if prepared.tags is not None:
        tags, late_tags, linked = (BySpeaker(rows) for rows in prepared.tags)
    else:
        tags = BySpeaker(streamed(conn, tag_query(scope)) if detail else ())
        late_tags = BySpeaker(streamed(conn, late_tag_query(scope))) if detail and options.policy == "decay" else None
        linked = BySpeaker(streamed(conn, chain_query(scope)))
    for speaker_id in ids:
        due = prepared.due.get(speaker_id, NO_DUE_CLAIMS)
        yield speaker_figures(
            names[speaker_id], speaker_id, tallies, scope.credit, prior, options.report_date,
            forecasts=due.forecast_rows(speaker_id), lateness=due.lateness, tags=tags.take(speaker_id),
            late_tags=late_tags.take(speaker_id) if late_tags else (), events=due.events,
            restatements=[ChainClaim(*row[1:]) for row in linked.take(speaker_id)], curves=curves, detail=detail,
        )
