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

How it is computed: the database gives every claim one state code (a single CASE) and groups by
speaker and year, speaker and tag, and speaker and stated probability; only the lateness curve
needs one small tuple per due claim. Every query is ordered by speaker, so speakers are assembled
one at a time as the report is read, inside one read transaction so all the queries see the same
ledger. The results are aggregates, not claims: PostgreSQL sends each whole (the report peaks at
190 MB on a million claims), SQLite steps through them.

The queries are in ``queries``; the figures made from the rows they return (counts, rates,
calibration, lateness), which touch no database, in ``figures`` (with ``ledger.domain.scoring``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ledger.domain import scoring
from ledger.services.reports.figures import (
    Counts, Prior, ReportOptions, Tallies, fit_prior, forecast_summary, header, history, lateness_summary, rate,
    shown, tag_summary,
)
from ledger.services.reports.queries import (
    BySpeaker, Scope, forecast_query, late_tag_query, lateness_query, reading, speaker_names, scope_of, streamed,
    tag_query, tallies_of,
)
from ledger.store.engine import Ledger

__all__ = ["LEADERBOARD_MIN_RESOLVED", "Report", "ReportOptions", "accuracy_report", "leaderboard", "open_report", "speaker_report"]

LEADERBOARD_MIN_RESOLVED = 5


@dataclass
class Report:
    """A report being read: the header (date, policy, prior...) and the speakers, computed one at a
    time while they are iterated (inside ``open_report``)."""

    header: dict
    count: int  # how many speakers ``speakers`` will yield
    speakers: Iterator[dict]


# --- public entry points -----------------------------------------------------------------------


@contextmanager
def open_report(ledger: Ledger, options: ReportOptions = ReportOptions(), *, curves: bool = False) -> Iterator[Report]:
    """The per-speaker report, streamed; ``curves`` adds each speaker's Kaplan–Meier lateness curve."""
    options = options.checked()
    with reading(ledger) as session:
        conn = session.connection()
        scope, tallies, prior, ids = _prepare(session, conn, options)
        yield Report(header(options, prior), len(ids), _speakers(conn, scope, tallies, prior, ids, curves))


def _prepare(session: Session, conn: Connection, options: ReportOptions):
    """What both the report and the leaderboard start from: the scope, the tallies, the fitted
    prior and the speakers to show."""
    scope = scope_of(session, options)
    tallies = tallies_of(conn, scope)
    return scope, tallies, fit_prior(tallies, scope.credit), shown(tallies, scope.speaker_ids, options.min_resolved)


def accuracy_report(ledger: Ledger, options: ReportOptions = ReportOptions(), *, curves: bool = False) -> dict:
    """The whole report as one dict (JSON shape in docs/report.md); for big ledgers use ``open_report``."""
    with open_report(ledger, options, curves=curves) as report:
        return report.header | {"speakers": list(report.speakers)}


def speaker_report(ledger: Ledger, speaker: str, as_of: date | None = None, policy: str = "strict",
                   half_life: float | None = None) -> dict:
    """One speaker's report with the lateness curve: what `claims demo` shows and writes as HTML."""
    options = ReportOptions(speakers=(speaker,), as_of=as_of, policy=policy, half_life=half_life)
    return accuracy_report(ledger, options, curves=True)


def leaderboard(ledger: Ledger, options: ReportOptions = ReportOptions(min_resolved=LEADERBOARD_MIN_RESOLVED)) -> dict:
    """Speakers with at least ``min_resolved`` scored claims, ranked by the shrunk hit rate.

    Never by the raw rate: 2 out of 2 is not a better record than 45 out of 50. The Brier score
    ranks separately (``brier_rank``, lower is better) among speakers who gave probabilities.
    """
    options = options.checked()
    with reading(ledger) as session:
        conn = session.connection()
        scope, tallies, prior, ids = _prepare(session, conn, options)
        names = speaker_names(conn, ids)
        forecasts = BySpeaker(streamed(conn, forecast_query(scope)))
        rows = []
        for speaker_id in ids:
            counts = tallies.totals.get(speaker_id) or Counts()
            k, n = scope.credit.hits(counts), counts.scored
            scores = forecast_summary(forecasts.take(speaker_id))
            rows.append({
                "speaker": names[speaker_id], "speaker_id": speaker_id,
                "claims": counts.claims, "resolved": counts.resolved, "scored": n,
                **rate(k, n), "shrunk_hit_rate": scoring.shrunk_rate(k, n, prior.beta_prior),
                "brier": scores["brier"], "brier_n": scores["brier_n"],
            })
    rows.sort(key=lambda r: (-r["shrunk_hit_rate"], _or_worst(r["brier"]), r["speaker"].casefold()))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        row["brier_rank"] = None
    for rank, row in enumerate(sorted((r for r in rows if r["brier"] is not None), key=lambda r: (r["brier"], r["rank"])), 1):
        row["brier_rank"] = rank
    ranked_by = (
        "shrunk_hit_rate, highest first: each record pulled toward the prior fitted across all speakers, "
        "so a few lucky claims cannot top the table; never the raw hit rate. brier_rank ranks the speakers "
        "who gave probabilities (stated or hedge words) by Brier score, lowest first."
    )
    return header(options, prior) | {"ranked_by": ranked_by, "speakers": rows}


def _or_worst(brier: float | None) -> float:
    return 2.0 if brier is None else brier


# --- one speaker at a time ---------------------------------------------------------------------


def _speakers(conn: Connection, scope: Scope, tallies: Tallies, prior: Prior, ids: list[int], curves: bool) -> Iterator[dict]:
    options = scope.options
    if not ids:
        return
    names = speaker_names(conn, ids)
    tags = BySpeaker(streamed(conn, tag_query(scope)))
    late_tags = BySpeaker(streamed(conn, late_tag_query(scope))) if options.policy == "decay" else None
    forecasts = BySpeaker(streamed(conn, forecast_query(scope)))
    lateness = BySpeaker(streamed(conn, lateness_query(scope)))
    for speaker_id in ids:
        counts = tallies.totals.get(speaker_id) or Counts()
        k, n = scope.credit.hits(counts), counts.scored
        yield {
            "speaker": names[speaker_id],
            "speaker_id": speaker_id,
            **counts.view(),
            **rate(k, n),
            "shrunk_hit_rate": scoring.shrunk_rate(k, n, prior.beta_prior),
            **forecast_summary(forecasts.take(speaker_id)),
            "lateness": lateness_summary(lateness.take(speaker_id), options.as_of, curves),
            "by_tag": tag_summary(tags.take(speaker_id), late_tags.take(speaker_id) if late_tags else [], scope.credit),
            "by_year": history(tallies.years.get(speaker_id, {}), scope.credit, options.as_of),
        }

