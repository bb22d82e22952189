"""The accuracy report's figures, made from the grouped rows its queries return (docs/report.md
documents every key and rule): counts per state, hit rates and their intervals, the prior fitted
across speakers, the record by year and by tag, Brier and log scores, calibration, lateness, and
the leaderboard's ranking. No database here: ``ledger.services.reports`` runs the queries and
hands the rows over; the statistics are ``ledger.domain.scoring``'s.

The shapes the report is read in (``SpeakerReport``, ``LeaderboardRow``, ...) are defined here
once; the renderers and ``--json`` read them.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Final, NotRequired, TypedDict

from ledger.domain import prior as eb
from ledger.domain import scoring
from ledger.domain.chain import canonical_json
from ledger.domain.claims import clean_tag
from ledger.domain.text import name_key
from ledger.domain.hedges import SOURCE as HEDGE_SOURCE
from ledger.domain.hedges import hedge_probability
from ledger.domain.restatements import ChainClaim, RestatementSummary
from ledger.domain.restatements import summary as restatement_summary
from ledger.errors import InvalidInput

LEADERBOARD_MIN_RESOLVED: Final = 5
# A report on this many speakers or fewer has each one's detail (calibration, years, tags) unasked.
DETAILED_SPEAKERS: Final = 5

# A claim's state on the report date: one code per claim, computed once by the database.
OPEN, OVERDUE, DISPUTED, AMBIGUOUS, AWAITING, FALSE, TRUE, TRUE_LATE, PARTIAL = range(9)
STATES: Final = 9
SCORED: Final = (FALSE, TRUE, TRUE_LATE, PARTIAL)

# The rows the queries return, one tuple each (speaker id first: every query is ordered by it).
StateRow = tuple[int, int, int, int]  # speaker, deadline year, state, claims
LateRow = tuple[int, date, date]  # speaker, deadline, occurred: a claim that came true late
TagRow = tuple[int, str, int, int]  # speaker, tag, state, claims
LateTagRow = tuple[int, str, date, date]  # speaker, tag, deadline, occurred
ForecastRow = tuple[int, "float | None", "str | None", int, int, "str | None"]  # speaker, stated p, hedge words, came true, claims, event
LatenessRow = tuple[int, date, date, "date | None"]  # speaker, said, deadline, the date it came true
EventRow = tuple[int, str, int, date, "date | None"]  # speaker, event, state, deadline, occurred: a scored claim naming an event
# A claim whose deadline has passed, one row each: speaker, state, stated probability, hedge words,
# event, said, deadline, the date its outcome occurred. The forecasts, lateness and events of a
# speaker are all made from these (``due_claims``): only a claim past its deadline is scored or late.
DueRow = tuple[int, int, "float | None", "str | None", "str | None", date, date, "date | None"]


# --- the shapes the report is read in ----------------------------------------------------------


class Filters(TypedDict):
    speakers: list[str]
    tag: str | None
    since: str | None
    until: str | None
    min_resolved: int


class PriorView(TypedDict):
    alpha: float
    beta: float
    mean: float | None
    strength: float
    method: str
    reason: str
    speakers: int
    fitted_on: str


class Withdrawn(TypedDict):
    count: int  # withdrawn claims within the report's dates, speakers and tag
    included: bool  # whether they were counted (`--all`)


class ReportHeader(TypedDict):
    as_of: str
    policy: str
    half_life_days: float | None
    filters: Filters
    prior: PriorView
    hedge_scale: str
    withdrawn: Withdrawn


class Scores(TypedDict):
    n: int
    brier: float | None
    log_score: float | None


class CalibrationBucket(TypedDict):
    bucket: float
    lo: float
    hi: float
    n: int
    observed: float | None
    mean_probability: float | None
    stated: int
    hedge: int


class Skill(TypedDict):
    """The headline of a speaker who states probabilities: over their stated forecasts only."""

    n: int
    brier: float
    brier_ci: list[float] | None
    units: int
    log_score: float
    base_rate: float
    brier_skill_base_rate: float | None
    brier_skill_50: float
    reliability: float
    resolution: float
    uncertainty: float
    bins: int


class ForecastSummary(TypedDict):
    brier: float | None
    brier_n: int
    log_score: float | None
    forecasts: dict[str, Scores]  # "stated" and "hedge"
    calibration: list[CalibrationBucket]
    skill: Skill | None


class Lateness(TypedDict):
    n: int
    delivered: int
    on_time: int
    on_time_share: float | None
    median_ratio: float | None
    curve: NotRequired[list[list[float]]]  # [time, survival] points, with ``curves``


class Record(TypedDict):
    """A group's record (a speaker's, a tag's): claims counted and scored, and the hit rate."""

    claims: int
    resolved: int
    scored: int
    hits: float
    hit_rate: float | None
    hit_rate_ci: list[float]


class TagRecord(Record):
    tag: str


class YearRecord(TypedDict):
    year: int
    claims: int
    resolved: int
    scored: int
    hits: float
    rate: float | None
    rate_ci: list[float]
    cumulative_scored: int
    cumulative_hits: float
    cumulative_rate: float | None


class SpeakerRecord(Record):
    speaker: str
    speaker_id: int
    units: int
    effective_scored: float
    shrunk_hit_rate: float | None
    shrunk_hit_rate_ci: list[float] | None
    brier: float | None
    brier_n: int
    headline: str
    headline_reason: str
    skill: Skill | None


class SpeakerReport(SpeakerRecord):
    """One speaker in `claims report`: the detail (calibration, by_tag, by_year) only for the
    speakers asked for (``ReportOptions.detailed``)."""

    open: int
    overdue: int
    disputed: int
    ambiguous: int
    awaiting_deadline: int
    log_score: float | None
    forecasts: dict[str, Scores]
    calibration: NotRequired[list[CalibrationBucket]]
    lateness: Lateness
    by_tag: NotRequired[list[TagRecord]]
    by_year: NotRequired[list[YearRecord]]
    restatements: RestatementSummary


class AccuracyReport(ReportHeader):
    speakers: list[SpeakerReport]


class LeaderboardRow(SpeakerRecord):
    """One speaker in `claims leaderboard`."""

    group: str  # the headline it is ranked by: "brier" or "hit_rate"
    rank: int  # within its group
    tied: bool


class Leaderboard(ReportHeader):
    ranked_by: str
    speakers: list[LeaderboardRow]


# --- options -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOptions:
    """What to report on and how to score it: the options of `claims report`."""

    speakers: tuple[str, ...] = ()
    tag: str | None = None
    since: date | None = None
    until: date | None = None
    as_of: date | None = None
    policy: str = "strict"
    half_life: float | None = None  # days; only with the decay policy
    min_resolved: int = 0  # leave out speakers with fewer scored claims
    withdrawn: bool = False  # count withdrawn claims too (`--all`)
    detail: bool = False  # each speaker's calibration, years and tags, however many speakers (`--detail`)

    def detailed(self, shown: int) -> bool:
        """Whether each speaker's detail is part of a report showing ``shown`` speakers: when asked
        for (--detail), for speakers named (--speaker), and for a few speakers. A report on every
        speaker of a big ledger is a summary: the detail of ten thousand speakers is tens of
        megabytes nobody reads whole."""
        return self.detail or bool(self.speakers) or shown <= DETAILED_SPEAKERS

    def checked(self) -> ReportOptions:
        if self.policy not in scoring.POLICIES:
            raise InvalidInput(f"unknown scoring policy {self.policy!r}; use one of {', '.join(scoring.POLICIES)}")
        if self.half_life is not None and self.policy != "decay":
            raise InvalidInput("--half-life applies only to --policy decay")
        if self.half_life is not None and not 0 < self.half_life < math.inf:
            raise InvalidInput(f"the half-life must be a positive number of days, got {self.half_life:g}"
                               + (" (for late credit that never decays, use --policy lenient)" if self.half_life == math.inf else ""))
        if self.min_resolved < 0:
            raise InvalidInput(f"--min-resolved must be 0 or more, got {self.min_resolved}")
        if self.as_of is None:  # the caller's today: the domain never reads the clock
            raise InvalidInput("a report needs its date (--as-of)")
        as_of = self.as_of
        if self.since and self.until and self.since > self.until:
            raise InvalidInput(f"--since {self.since} is after --until {self.until}")
        if self.since and self.since > as_of:
            raise InvalidInput(f"--since {self.since} is after the report date {as_of} (--as-of)")
        tag = clean_tag(self.tag) if self.tag is not None else None
        return replace(self, as_of=as_of, tag=tag)

    @property
    def report_date(self) -> date:
        """The report date of checked options."""
        if self.as_of is None:
            raise ValueError("options not checked: call checked() first")
        return self.as_of

    @property
    def decay_half_life(self) -> float:
        return self.half_life if self.half_life is not None else scoring.DEFAULT_HALF_LIFE


# --- counts ------------------------------------------------------------------------------------


class Counts:
    """Claims in each state for one group (a speaker, a year, a tag), and how late the late trues were."""

    __slots__ = ("states", "late_days")

    def __init__(self) -> None:
        self.states = [0] * STATES
        self.late_days: list[int] = []  # filled only under the decay policy

    @property
    def claims(self) -> int:
        return sum(self.states)

    @property
    def resolved(self) -> int:
        s = self.states
        return s[AMBIGUOUS] + s[AWAITING] + s[FALSE] + s[TRUE] + s[TRUE_LATE] + s[PARTIAL]

    @property
    def scored(self) -> int:
        s = self.states
        return s[FALSE] + s[TRUE] + s[TRUE_LATE] + s[PARTIAL]


class Credit:
    """What each scored outcome earns under the report's policy, as ``scoring.credit`` says."""

    def __init__(self, options: ReportOptions) -> None:
        self.policy, self.half_life = options.policy, options.decay_half_life
        self.on_time = self._credit("true", 0)
        self.partial = self._credit("partial", 0)
        # Only under decay does a late claim's credit depend on how late: then it is summed per claim.
        self.by_days = self.policy == "decay"
        self.late = self._credit("true", 1)

    def _credit(self, outcome: str, days_late: int) -> float:
        earned = scoring.credit(outcome, days_late, self.policy, self.half_life)
        assert earned is not None  # only an ambiguous outcome earns nothing, and it is never scored
        return earned

    def squares(self, counts: Counts) -> float:
        """The sum of each scored claim's credit squared (for ``scoring.effective_size``)."""
        s = counts.states
        k = s[TRUE] * self.on_time ** 2 + s[PARTIAL] * self.partial ** 2
        if self.by_days:
            return k + sum(self._credit("true", days) ** 2 for days in counts.late_days)
        return k + s[TRUE_LATE] * self.late ** 2

    def of(self, state: int, deadline: date, occurred: date | None) -> float:
        """What one scored claim in ``state`` earns."""
        if state == TRUE:
            return self.on_time
        if state == PARTIAL:
            return self.partial
        if state == TRUE_LATE:
            assert occurred is not None  # late means it occurred after the deadline
            return self._credit("true", (occurred - deadline).days) if self.by_days else self.late
        return 0.0

    def hits(self, counts: Counts) -> float:
        s = counts.states
        k = s[TRUE] * self.on_time + s[PARTIAL] * self.partial
        if self.by_days:
            return k + sum(self._credit("true", days) for days in counts.late_days)
        return k + s[TRUE_LATE] * self.late


@dataclass
class Tallies:
    totals: dict[int, Counts]  # every speaker with claims in scope
    years: dict[int, dict[int, Counts]]  # speaker -> deadline year -> counts


def count_states(rows: Iterable[StateRow]) -> Tallies:
    """Each speaker's claims per state, in all and per deadline year, from rows grouped by
    speaker, year and state (in any order)."""
    totals: dict[int, Counts] = {}
    years: dict[int, dict[int, Counts]] = {}
    for speaker_id, year, state, n in rows:
        total = totals.get(speaker_id) or totals.setdefault(speaker_id, Counts())
        total.states[state] += n
        by_year = years.get(speaker_id) or years.setdefault(speaker_id, {})
        (by_year.get(year) or by_year.setdefault(year, Counts())).states[state] += n
    return Tallies(totals, years)


def add_late_days(tallies: Tallies, rows: Iterable[LateRow]) -> None:
    """How late each late true claim came, for the decay policy, whose credit depends on it."""
    for speaker_id, deadline, occurred in rows:
        days = (occurred - deadline).days
        tallies.totals[speaker_id].late_days.append(days)
        tallies.years[speaker_id][deadline.year].late_days.append(days)


@dataclass
class DueClaims:
    """One speaker's claims past their deadline, as the figures read them: forecasts grouped by
    (stated probability, hedge words, came true, event), the lateness and event rows."""

    forecasts: dict[tuple["float | None", "str | None", int, "str | None"], int]  # (p, words, came true, event) -> claims
    lateness: list[LatenessRow]
    events: list[EventRow]

    def forecast_rows(self, speaker_id: int) -> list[ForecastRow]:
        """The forecasts ordered by probability (or hedge words), outcome and event, none first:
        the order their scores are summed in."""
        keys = sorted(self.forecasts, key=lambda k: (k[0] is None, k[0] or 0.0, k[1] or "", k[2], k[3] is not None, k[3] or ""))
        return [(speaker_id, p, words, y, self.forecasts[p, words, y, event], event) for p, words, y, event in keys]


NO_DUE_CLAIMS: Final = DueClaims({}, [], [])
_SCORED = frozenset(SCORED)
_CAME_TRUE = frozenset((TRUE, TRUE_LATE))


def due_claims(rows: Iterable[DueRow], tallies: Tallies, late_days: bool, as_of: date, lateness: bool = True) -> dict[int, DueClaims]:
    """Count claims into ``tallies`` (with how late each late true came, if ``late_days``), and
    make each speaker's forecasts, lateness (unless not ``lateness``: the leaderboard has none)
    and events from the same rows: only those of claims past their deadline on ``as_of`` have any.

    A stated probability wins over hedge words on the same claim, so each claim is scored once;
    the outcome forecast is the claim as stated, by the deadline (1), or not (0: false, late,
    partial), whatever the policy. Ambiguous claims say nothing about timing; a true outcome
    recorded without a date is on time in the hit rate, so it is delivered at its deadline here.
    """
    totals, years = tallies.totals, tallies.years
    out: dict[int, DueClaims] = {}
    for speaker_id, state, p, confidence, event, said, deadline, occurred in rows:
        total = totals.get(speaker_id) or totals.setdefault(speaker_id, Counts())
        by_year = years.get(speaker_id) or years.setdefault(speaker_id, {})
        year = by_year.get(deadline.year) or by_year.setdefault(deadline.year, Counts())
        total.states[state] += 1
        year.states[state] += 1
        mine = out.get(speaker_id) or out.setdefault(speaker_id, DueClaims({}, [], []))
        if state == TRUE_LATE and late_days:
            assert occurred is not None
            days = (occurred - deadline).days
            total.late_days.append(days)
            year.late_days.append(days)
        if lateness and state != AMBIGUOUS and deadline < as_of:
            came = (occurred or deadline) if state in _CAME_TRUE else None
            mine.lateness.append((speaker_id, said, deadline, came))
        if state not in _SCORED:
            continue
        if p is not None or confidence is not None:
            key = (p, confidence if p is None else None, 1 if state == TRUE else 0, event)
            mine.forecasts[key] = mine.forecasts.get(key, 0) + 1
        if event is not None:
            mine.events.append((speaker_id, event, state, deadline, occurred))
    return out


def tag_rows(claims: Iterable[tuple[int, str, int, date, "date | None"]]) -> tuple[list[TagRow], list[LateTagRow]]:
    """The rows of ``tag_summary`` (counts per speaker, tag and state; the late trues per tag),
    ordered by speaker and tag, from (speaker, tag, state, deadline, occurred) of each tag of
    each claim."""
    claims = list(claims)
    counts: dict[tuple[int, str, int], int] = {}
    for speaker_id, tag, state, _, _ in claims:
        counts[speaker_id, tag, state] = counts.get((speaker_id, tag, state), 0) + 1
    late: list[LateTagRow] = []
    for s, tag, state, deadline, occurred in claims:
        if state == TRUE_LATE:
            assert occurred is not None  # late means it occurred after the deadline
            late.append((s, tag, deadline, occurred))
    late.sort(key=itemgetter(0, 1))
    return [(s, tag, state, n) for (s, tag, state), n in sorted(counts.items())], late


def _whole(x: float) -> float:
    return int(x) if float(x).is_integer() else x


# A big report asks for the interval of the same few small records (2 of 3, 1 of 4...) hundreds of
# thousands of times, once per tag and year of every speaker.
_interval = lru_cache(maxsize=1 << 16)(scoring.wilson_interval)


def _wilson(k: float, n: float) -> list[float]:
    return list(_interval(k, n))


def units(counts: Counts, credit: Credit, events: Iterable[EventRow]) -> scoring.Units:
    """How many units a speaker's scored claims are worth, with the claims on one event (its name
    compared as names are: case and spacing folded) counted together; see docs/report.md, "Events"."""
    shared: dict[str, list[float]] = {}
    for _, event, state, deadline, occurred in events:
        earned = credit.of(state, deadline, occurred)
        tally = shared.setdefault(name_key(event), [0.0, 0, 0.0])
        tally[0] += earned
        tally[1] += 1
        tally[2] += earned * earned
    k, n = credit.hits(counts), counts.scored
    return scoring.effective_size(k, n, credit.squares(counts), [(h, int(m), s) for h, m, s in shared.values()])


class RateFigures(TypedDict):
    hit_rate: float | None
    hit_rate_ci: list[float]
    units: int
    effective_scored: float


def rate_figures(k: float, n: int, worth: scoring.Units) -> RateFigures:
    """The hit rate and its Wilson interval at the effective sample size: the plain Wilson
    interval of k in n when no two scored claims share an event."""
    p = k / n if n else None
    ci = _wilson(k, n) if worth.effective == n else _wilson((p or 0.0) * worth.effective, worth.effective)
    return {"hit_rate": p, "hit_rate_ci": ci, "units": worth.units, "effective_scored": _whole(worth.effective)}


HEADLINES: Final = {
    "brier": "the speaker states probabilities on at least half of the scored claims: how good those "
             "probabilities are is the record, not how often the claims came true",
    "hit_rate": "the speaker states no probabilities on most scored claims (hedge words at most): the record is "
                "how often the claims came true, shrunk toward what is typical",
}


def headline_of(skill: Skill | None, scored: int) -> str:
    """``brier`` when at least half of the speaker's scored claims state a probability: one number
    among a hundred hedged claims does not make a forecaster of probabilities."""
    return "brier" if skill is not None and 2 * skill["n"] >= scored else "hit_rate"


# --- the prior and the speakers shown ----------------------------------------------------------


@dataclass
class Prior:
    beta_prior: eb.BetaPrior
    speakers: int


def fit_prior(tallies: Tallies, credit: Credit) -> Prior:
    """The beta prior of hit rates, fitted by empirical Bayes across every speaker in scope."""
    # In speaker order, so the fit does not depend on the order the database grouped rows in.
    records = [(credit.hits(c), c.scored) for _, c in sorted(tallies.totals.items()) if c.scored]
    fitted = eb.fit_beta_prior([k for k, _ in records], [n for _, n in records])
    return Prior(fitted, len(records))


def prior_scope(options: ReportOptions, rules: str) -> str:
    """The report options the fitted prior depends on, as canonical JSON, with ``rules`` (a digest
    of the code that fits it): every speaker in scope is fitted, so neither --speaker nor
    --min-resolved is part of it. Two reports whose scopes are equal, on the same journal head,
    fit the same prior."""
    return canonical_json({
        "as_of": options.report_date.isoformat(),
        "since": options.since.isoformat() if options.since else None,
        "until": options.until.isoformat() if options.until else None,
        "tag": options.tag,
        "policy": options.policy,
        "half_life": options.decay_half_life if options.policy == "decay" else None,
        "withdrawn": options.withdrawn,
        "rules": rules,
    })


def scope_options(scope: str) -> tuple[ReportOptions, str]:
    """The options and the rules digest a ``prior_scope`` was made from (for `claims verify`)."""
    fields = json.loads(scope)
    policy = fields["policy"]
    options = ReportOptions(
        as_of=_day(fields["as_of"]), since=_day(fields["since"]), until=_day(fields["until"]), tag=fields["tag"],
        policy=policy, half_life=fields["half_life"] if policy == "decay" else None, withdrawn=fields["withdrawn"],
    )
    return options, fields["rules"]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def stored_prior(alpha: float, beta: float, method: str, reason: str, speakers: int) -> Prior:
    return Prior(eb.BetaPrior(alpha, beta, method, reason), speakers)


class Shrunk(TypedDict):
    shrunk_hit_rate: float | None
    shrunk_hit_rate_ci: list[float] | None


def shrunk(k: float, n: int, prior: Prior, worth: scoring.Units | None = None) -> Shrunk:
    """The record pulled toward the prior, and its 95 % posterior interval (Beta quantiles). With
    no prior (method ``none``) the rate is the raw rate and there is no posterior to state. Claims
    that share an event count at their effective sample size (``worth``): ten updates of one
    forecast are not ten claims' worth of evidence."""
    p = prior.beta_prior
    if not p.shrinks:
        return {"shrunk_hit_rate": k / n if n else None, "shrunk_hit_rate_ci": None}
    size: float = n
    if worth is not None and n and worth.effective != n:
        k, size = k / n * worth.effective, worth.effective
    a, b = eb.posterior(k, size, p)
    return {"shrunk_hit_rate": eb.shrunk_rate(k, size, p), "shrunk_hit_rate_ci": list(_posterior_interval(a, b))}


@lru_cache(maxsize=4096)
def _posterior_interval(a: float, b: float) -> scoring.Interval:
    # Many speakers share a small record (3 of 5...), so their intervals are computed once.
    return scoring.beta_interval(a, b)


def shown(tallies: Tallies, speaker_ids: Sequence[int] | None, minimum: int) -> list[int]:
    """The speakers the report is about (those asked for, or every one with claims in scope) with at
    least ``minimum`` scored claims, in id order (the order every query streams them in)."""
    ids = speaker_ids if speaker_ids is not None else list(tallies.totals)
    return sorted(i for i in ids if (tallies.totals.get(i) or Counts()).scored >= minimum)


def header(options: ReportOptions, prior: Prior, withdrawn: int = 0) -> ReportHeader:
    p = prior.beta_prior
    return {
        "withdrawn": {"count": withdrawn, "included": options.withdrawn},
        "as_of": options.report_date.isoformat(),
        "policy": options.policy,
        "half_life_days": options.decay_half_life if options.policy == "decay" else None,
        "filters": {
            "speakers": list(options.speakers),
            "tag": options.tag,
            "since": options.since.isoformat() if options.since else None,
            "until": options.until.isoformat() if options.until else None,
            "min_resolved": options.min_resolved,
        },
        "prior": {
            "alpha": p.alpha, "beta": p.beta, "mean": p.mean, "strength": p.strength, "method": p.method,
            "reason": p.reason, "speakers": prior.speakers,
            "fitted_on": "the scored claims of every speaker in the ledger within the report's dates and tag",
        },
        "hedge_scale": f"hedge words are scored as the midpoints of {HEDGE_SOURCE}; see docs/hedges.md",
    }


# --- one speaker -------------------------------------------------------------------------------


def speaker_report(
    speaker: str,
    speaker_id: int,
    tallies: Tallies,
    credit: Credit,
    prior: Prior,
    as_of: date,
    *,
    forecasts: Sequence[ForecastRow],
    lateness: Sequence[LatenessRow],
    tags: Sequence[TagRow],
    late_tags: Sequence[LateTagRow] = (),
    events: Sequence[EventRow] = (),
    restatements: Iterable[ChainClaim] = (),
    curves: bool = False,
    detail: bool = True,
) -> SpeakerReport:
    """One speaker's figures from their rows of each query; with ``detail``, calibration, years
    and tags too (``tags`` is not read without it)."""
    counts = tallies.totals.get(speaker_id) or Counts()
    k, n = credit.hits(counts), counts.scored
    s = counts.states
    scores = forecast_summary(forecasts, calibrated=detail)
    headline = headline_of(scores["skill"], n)
    report: SpeakerReport = {
        "speaker": speaker,
        "speaker_id": speaker_id,
        "headline": headline, "headline_reason": HEADLINES[headline],
        "claims": counts.claims, "open": s[OPEN], "overdue": s[OVERDUE], "disputed": s[DISPUTED],
        "resolved": counts.resolved, "ambiguous": s[AMBIGUOUS], "awaiting_deadline": s[AWAITING],
        "scored": n,
        "hits": _whole(k), **rate_figures(k, n, worth := units(counts, credit, events)),
        **shrunk(k, n, prior, worth),
        "brier": scores["brier"], "brier_n": scores["brier_n"], "log_score": scores["log_score"],
        "skill": scores["skill"],
        "forecasts": scores["forecasts"], "calibration": scores["calibration"],
        "lateness": lateness_summary(lateness, as_of, curves),
        "by_tag": tag_summary(tags, late_tags, credit) if detail else [],
        "by_year": history(tallies.years.get(speaker_id, {}), credit, as_of) if detail else [],
        "restatements": restatement_summary(restatements),
    }
    if not detail:
        del report["calibration"], report["by_tag"], report["by_year"]
    return report


def history(years: dict[int, Counts], credit: Credit, as_of: date) -> list[YearRecord]:
    """Claims by the year their deadline fell in, up to the report date, with the record as it
    stood at the end of each year (cumulative)."""
    out: list[YearRecord] = []
    total_k, total_n = 0.0, 0
    for year in sorted(y for y in years if y <= as_of.year):
        counts = years[year]
        k, n = credit.hits(counts), counts.scored
        total_k, total_n = total_k + k, total_n + n
        out.append({
            "year": year, "claims": counts.claims, "resolved": counts.resolved, "scored": n, "hits": _whole(k),
            "rate": k / n if n else None, "rate_ci": _wilson(k, n),
            "cumulative_scored": total_n, "cumulative_hits": _whole(total_k),
            "cumulative_rate": total_k / total_n if total_n else None,
        })
    return out


def tag_summary(rows: Iterable[TagRow], late_rows: Iterable[LateTagRow], credit: Credit) -> list[TagRecord]:
    """Each tag's record, in tag order: ``rows`` come one per tag and state, ordered by tag."""
    late_days: dict[str, list[int]] = {}
    for _, tag, deadline, occurred in late_rows:
        late_days.setdefault(tag, []).append((occurred - deadline).days)
    out: list[TagRecord] = []
    for tag, group in itertools.groupby(rows, itemgetter(1)):
        counts = Counts()
        states = counts.states
        for _, _, state, n in group:
            states[state] = n
        counts.late_days = late_days.get(tag, counts.late_days)
        k, scored = credit.hits(counts), counts.scored
        out.append({
            "tag": tag, "claims": counts.claims, "resolved": counts.resolved, "scored": scored,
            "hits": _whole(k), "hit_rate": k / scored if scored else None, "hit_rate_ci": _wilson(k, scored),
        })
    return out


# --- probabilities: Brier, log score, calibration ---------------------------------------------


@lru_cache(maxsize=8192)
def _hedge(words: str) -> float | None:
    found = hedge_probability(words)
    return found.probability if found else None


def forecast_summary(rows: Iterable[ForecastRow], calibrated: bool = True) -> ForecastSummary:
    """Brier and log scores and calibration of a speaker's scored forecasts, from rows of (stated
    probability or else hedge words, whether it came true by the deadline, how many claims, the
    event they name); the calibration empty unless ``calibrated`` (the summary and the leaderboard
    have none)."""
    ps: dict[str, list[float]] = {"stated": [], "hedge": []}
    ys: dict[str, list[int]] = {"stated": [], "hedge": []}
    events: list[str | None] = []  # of the stated forecasts, folded as names are
    stated_in: dict[int, int] = {}  # calibration bucket -> stated forecasts in it
    for _, stated, words, y, n, event in rows:
        p: float | None
        if stated is not None:
            kind, p = "stated", float(stated)
        else:
            kind, p = "hedge", _hedge(words) if words is not None else None
        if p is None:  # words the hedge table cannot read: no probability to score
            continue
        ps[kind].extend([p] * n)
        ys[kind].extend([int(y)] * n)
        if kind == "stated":
            events.extend([name_key(event) if event is not None else None] * n)
            if calibrated:
                bucket = _bucket(p)
                stated_in[bucket] = stated_in.get(bucket, 0) + n
    by_kind = {kind: _scores(ps[kind], ys[kind]) for kind in ps}
    all_ps, all_ys = ps["stated"] + ps["hedge"], ys["stated"] + ys["hedge"]
    # Most speakers give one kind only: then the totals are that kind's, not computed again.
    both = by_kind["hedge"] if not ps["stated"] else by_kind["stated"] if not ps["hedge"] else _scores(all_ps, all_ys)
    return {
        "skill": _skill(ps["stated"], ys["stated"], events, by_kind["stated"]["log_score"]),
        "brier": both["brier"],
        "brier_n": both["n"],
        "log_score": both["log_score"],
        "forecasts": by_kind,
        "calibration": [
            {"bucket": b.bucket, "lo": b.lo, "hi": b.hi, "n": b.n, "observed": b.observed,
             "mean_probability": b.mean_p, "stated": stated_in.get(i, 0), "hedge": b.n - stated_in.get(i, 0)}
            for i, b in enumerate(scoring.calibration(all_ps, all_ys) if calibrated else ())
        ],
    }


@lru_cache(maxsize=1024)
def _bucket(p: float) -> int:
    """The calibration bucket of a probability, by scoring.calibration's own rule: the stated
    forecasts in each bucket are counted per distinct probability, not calibrated a second time."""
    return next(i for i, b in enumerate(scoring.calibration([p], [0])) if b.n)


def _skill(ps: list[float], ys: list[int], events: list[str | None], log: float | None) -> Skill | None:
    """The headline figures of stated probabilities (hedge words are not the speaker's numbers),
    with their log score (``scoring.log_score``, computed once for these and the totals)."""
    d = scoring.murphy(ps, ys)
    if d is None:
        return None
    assert log is not None
    ci = scoring.clustered_mean_interval([(p - y) ** 2 for p, y in zip(ps, ys)], events)
    return {
        "n": d.n, "brier": d.brier, "brier_ci": list(ci.interval) if ci.interval else None, "units": ci.units,
        "log_score": log, "base_rate": d.base_rate,
        "brier_skill_base_rate": d.skill_base_rate, "brier_skill_50": d.skill_50,
        "reliability": d.reliability, "resolution": d.resolution, "uncertainty": d.uncertainty, "bins": d.bins,
    }


def _scores(ps: list[float], ys: list[int]) -> Scores:
    return {"n": len(ps), "brier": scoring.brier(ps, ys), "log_score": scoring.log_score(ps, ys)}


# --- lateness ----------------------------------------------------------------------------------


def lateness_summary(rows: Iterable[LatenessRow], as_of: date, curves: bool) -> Lateness:
    """Time taken as a multiple of the time promised, over claims whose deadline has passed: a
    claim that came true is an event at its ratio; any other (false, partial, overdue, disputed)
    has not delivered and is censored at its ratio on the report date."""
    rows = list(rows)
    times = [scoring.lateness_ratio(said, deadline, occurred or as_of) for _, said, deadline, occurred in rows]
    events = [0 if occurred is None else 1 for *_, occurred in rows]
    share = scoring.on_time_share(times, events)
    summary: Lateness = {
        "n": len(times),
        "delivered": sum(events),
        "on_time": share.count,
        "on_time_share": share.rate,
        "median_ratio": scoring.km_median(times, events),
    }
    if curves:
        summary["curve"] = [[p.time, p.survival] for p in scoring.kaplan_meier(times, events)]
    return summary


# --- the leaderboard ---------------------------------------------------------------------------

RANKED_BY: Final = (
    "in two groups, each ranked by its own headline. Speakers who state probabilities (group brier): by the Brier "
    "score of their stated probabilities, lowest first; scores equal to 0.001 are a tie. The others (group "
    "hit_rate): by shrunk_hit_rate, highest first, each record pulled toward the prior fitted across all speakers, "
    "so a few lucky claims cannot top the table; never the raw hit rate; rates equal to 0.1 % are a tie. Tied "
    "speakers share a rank and are listed by name (hit_rate group: by Brier score first)."
)


def leaderboard_row(
    speaker: str, speaker_id: int, tallies: Tallies, credit: Credit, prior: Prior, forecasts: Sequence[ForecastRow],
    events: Sequence[EventRow] = (),
) -> LeaderboardRow:
    """One speaker's row, unranked (``rank`` sets the ranks)."""
    counts = tallies.totals.get(speaker_id) or Counts()
    k, n = credit.hits(counts), counts.scored
    scores = forecast_summary(forecasts, calibrated=False)
    headline = headline_of(scores["skill"], n)
    return {
        "speaker": speaker, "speaker_id": speaker_id, "group": headline,
        "headline": headline, "headline_reason": HEADLINES[headline],
        "claims": counts.claims, "resolved": counts.resolved, "scored": n,
        "hits": _whole(k), **rate_figures(k, n, worth := units(counts, credit, events)),
        **shrunk(k, n, prior, worth),
        "brier": scores["brier"], "brier_n": scores["brier_n"], "skill": scores["skill"], "rank": 0, "tied": False,
    }


TIE_DIGITS: Final = 3  # shrunk rates equal to 0.1 % and Brier scores equal to 0.001, as every format prints them, tie
GROUPS: Final = ("brier", "hit_rate")  # the order the groups are listed in


def rank(rows: list[LeaderboardRow]) -> list[LeaderboardRow]:
    """The rows in their groups (``GROUPS``), each group ranked by its headline: the stated Brier
    score, lowest first, or the shrunk hit rate, highest first (never the raw rate: 2 out of 2 is
    not a better record than 45 out of 50). Rows whose figure is equal to TIE_DIGITS places share
    a rank and are marked ``tied``."""
    def key(r: LeaderboardRow) -> float:
        if r["group"] == "brier":
            assert r["skill"] is not None
            return round(r["skill"]["brier"], TIE_DIGITS)
        return -1.0 if r["shrunk_hit_rate"] is None else -round(r["shrunk_hit_rate"], TIE_DIGITS)

    out: list[LeaderboardRow] = []
    for group in GROUPS:
        ranked = sorted((r for r in rows if r["group"] == group),
                        key=lambda r: (key(r), _or_worst(r["brier"]) if group == "hit_rate" else 0.0, r["speaker"].casefold()))
        for place, row in enumerate(ranked, start=1):
            row["rank"] = place
            row["tied"] = False
        for _, same in itertools.groupby(ranked, key=key):
            tied = list(same)
            for row in tied:
                row["rank"] = tied[0]["rank"]
                row["tied"] = len(tied) > 1
        out += ranked
    return out


def _or_worst(brier: float | None) -> float:
    return 2.0 if brier is None else brier
