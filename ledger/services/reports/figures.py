"""The report's figures, made from the grouped rows the queries return: counts per state, hit
rates and their intervals, the fitted prior, the record by year and tag, Brier and log scores,
calibration and lateness. No database here; the statistics are ``ledger.domain.scoring``'s."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from operator import itemgetter

from ledger.domain import scoring
from ledger.domain.claims import clean_tag
from ledger.domain.hedges import SOURCE as HEDGE_SOURCE
from ledger.domain.hedges import hedge_probability
from ledger.errors import InvalidInput

# A claim's state on the report date: one code per claim, computed once by the database.
OPEN, OVERDUE, DISPUTED, AMBIGUOUS, AWAITING, FALSE, TRUE, TRUE_LATE, PARTIAL = range(9)
STATES = 9
SCORED = (FALSE, TRUE, TRUE_LATE, PARTIAL)


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

    def checked(self) -> ReportOptions:
        if self.policy not in scoring.POLICIES:
            raise InvalidInput(f"unknown scoring policy {self.policy!r}; use one of {', '.join(scoring.POLICIES)}")
        if self.half_life is not None and self.policy != "decay":
            raise InvalidInput("--half-life applies only to --policy decay")
        if self.half_life is not None and not self.half_life > 0:
            raise InvalidInput(f"the half-life must be a positive number of days, got {self.half_life:g}")
        if self.min_resolved < 0:
            raise InvalidInput(f"--min-resolved must be 0 or more, got {self.min_resolved}")
        as_of = self.as_of or date.today()
        if self.since and self.until and self.since > self.until:
            raise InvalidInput(f"--since {self.since} is after --until {self.until}")
        if self.since and self.since > as_of:
            raise InvalidInput(f"--since {self.since} is after the report date {as_of} (--as-of)")
        tag = clean_tag(self.tag) if self.tag is not None else None
        return replace(self, as_of=as_of, tag=tag)

    @property
    def decay_half_life(self) -> float:
        return self.half_life if self.half_life is not None else scoring.DEFAULT_HALF_LIFE



class Credit:
    """What each scored outcome earns under the report's policy, as ``scoring.credit`` says."""

    def __init__(self, options: ReportOptions):
        self.policy, self.half_life = options.policy, options.decay_half_life
        self.on_time = scoring.credit("true", 0, self.policy, self.half_life)
        self.partial = scoring.credit("partial", 0, self.policy, self.half_life)
        # Only under decay does a late claim's credit depend on how late: then it is summed per claim.
        self.by_days = self.policy == "decay"
        self.late = scoring.credit("true", 1, self.policy, self.half_life)

    def hits(self, counts: Counts) -> float:
        s = counts.states
        k = s[TRUE] * self.on_time + s[PARTIAL] * self.partial
        if self.by_days:
            return k + sum(scoring.credit("true", days, self.policy, self.half_life) for days in counts.late_days)
        return k + s[TRUE_LATE] * self.late


class Counts:
    """Claims in each state for one group (a speaker, a year, a tag), and how late the late trues were."""

    __slots__ = ("states", "late_days")

    def __init__(self):
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

    def view(self) -> dict:
        s = self.states
        return {
            "claims": self.claims, "open": s[OPEN], "overdue": s[OVERDUE], "disputed": s[DISPUTED],
            "resolved": self.resolved, "ambiguous": s[AMBIGUOUS], "awaiting_deadline": s[AWAITING],
            "scored": self.scored,
        }


def rate(k: float, n: int) -> dict:
    return {"hits": _whole(k), "hit_rate": k / n if n else None, "hit_rate_ci": list(_wilson(k, n))}


# A big report asks for the interval of the same few small records (2 of 3, 1 of 4...) hundreds of
# thousands of times, once per tag and year of every speaker.
_wilson = lru_cache(maxsize=1 << 16)(scoring.wilson_interval)


def _whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


@dataclass
class Tallies:
    totals: dict[int, Counts]  # every speaker with claims in scope
    years: dict[int, dict[int, Counts]]  # speaker -> deadline year -> counts



@dataclass
class Prior:
    beta_prior: scoring.BetaPrior
    speakers: int


def fit_prior(tallies: Tallies, credit: Credit) -> Prior:
    """The beta prior of hit rates, fitted by empirical Bayes across every speaker in scope."""
    # In speaker order, so the fit does not depend on the order the database grouped rows in.
    records = [(credit.hits(c), c.scored) for _, c in sorted(tallies.totals.items()) if c.scored]
    fitted = scoring.fit_beta_prior([k for k, _ in records], [n for _, n in records])
    return Prior(fitted, len(records))


def shown(tallies: Tallies, speaker_ids: list[int] | None, minimum: int) -> list[int]:
    """The speakers the report is about (those asked for, or every one with claims in scope) with at
    least ``minimum`` scored claims, in id order (the order every query streams them in)."""
    ids = speaker_ids if speaker_ids is not None else tallies.totals
    return sorted(i for i in ids if (tallies.totals.get(i) or Counts()).scored >= minimum)


def header(options: ReportOptions, prior: Prior) -> dict:
    p = prior.beta_prior
    return {
        "as_of": options.as_of.isoformat(),
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
            "speakers": prior.speakers,
            "fitted_on": "the scored claims of every speaker in the ledger within the report's dates and tag",
        },
        "hedge_scale": f"hedge words are scored as the midpoints of {HEDGE_SOURCE}; see docs/hedges.md",
    }



def history(years: dict[int, Counts], credit: Credit, as_of: date) -> list[dict]:
    """Claims by the year their deadline fell in, up to the report date, with the record as it
    stood at the end of each year (cumulative)."""
    out, total_k, total_n = [], 0.0, 0
    for year in sorted(y for y in years if y <= as_of.year):
        counts = years[year]
        k, n = credit.hits(counts), counts.scored
        total_k, total_n = total_k + k, total_n + n
        out.append({
            "year": year, "claims": counts.claims, "resolved": counts.resolved, "scored": n, "hits": _whole(k),
            "rate": k / n if n else None, "rate_ci": list(_wilson(k, n)),
            "cumulative_scored": total_n, "cumulative_hits": _whole(total_k),
            "cumulative_rate": total_k / total_n if total_n else None,
        })
    return out



def tag_summary(rows: list, late_rows: list, credit: Credit) -> list[dict]:
    """Each tag's record, in tag order: ``rows`` come one per tag and state, ordered by tag."""
    late_days: dict[str, list[int]] = {}
    for _, tag, deadline, occurred in late_rows:
        late_days.setdefault(tag, []).append((occurred - deadline).days)
    out = []
    for tag, group in itertools.groupby(rows, itemgetter(1)):
        counts = Counts()
        states = counts.states
        for _, _, state, n in group:
            states[state] = n
        counts.late_days = late_days.get(tag, counts.late_days)
        k, n = credit.hits(counts), counts.scored
        out.append({"tag": tag, "claims": counts.claims, "resolved": counts.resolved, "scored": n, **rate(k, n)})
    return out



@lru_cache(maxsize=8192)
def _hedge(words: str) -> float | None:
    found = hedge_probability(words)
    return found.probability if found else None



def forecast_summary(rows: list) -> dict:
    ps: dict[str, list[float]] = {"stated": [], "hedge": []}
    ys: dict[str, list[int]] = {"stated": [], "hedge": []}
    stated_in: dict[int, int] = {}  # calibration bucket -> stated forecasts in it
    for _, stated, words, y, n in rows:
        kind, p = ("stated", stated) if stated is not None else ("hedge", _hedge(words))
        if p is None:  # words the hedge table cannot read: no probability to score
            continue
        ps[kind].extend([float(p)] * n)
        ys[kind].extend([int(y)] * n)
        if kind == "stated":
            bucket = _bucket(float(p))
            stated_in[bucket] = stated_in.get(bucket, 0) + n
    by_kind = {kind: _scores(ps[kind], ys[kind]) for kind in ps}
    all_ps, all_ys = ps["stated"] + ps["hedge"], ys["stated"] + ys["hedge"]
    # Most speakers give one kind only: then the totals are that kind's, not computed again.
    both = by_kind["hedge"] if not ps["stated"] else by_kind["stated"] if not ps["hedge"] else _scores(all_ps, all_ys)
    return {
        "brier": both["brier"],
        "brier_n": both["n"],
        "log_score": both["log_score"],
        "forecasts": by_kind,
        "calibration": [
            {"bucket": b.bucket, "lo": b.lo, "hi": b.hi, "n": b.n, "observed": b.observed,
             "mean_probability": b.mean_p, "stated": stated_in.get(i, 0), "hedge": b.n - stated_in.get(i, 0)}
            for i, b in enumerate(scoring.calibration(all_ps, all_ys))
        ],
    }


@lru_cache(maxsize=1024)
def _bucket(p: float) -> int:
    """The calibration bucket of a probability, by scoring.calibration's own rule: the stated
    forecasts in each bucket are counted per distinct probability, not calibrated a second time."""
    return next(i for i, b in enumerate(scoring.calibration([p], [0])) if b.n)


def _scores(ps: list[float], ys: list[int]) -> dict:
    return {"n": len(ps), "brier": scoring.brier(ps, ys), "log_score": scoring.log_score(ps, ys)}



def lateness_summary(rows: list, as_of: date, curves: bool) -> dict:
    """Time taken as a multiple of the time promised, over claims whose deadline has passed: a
    claim that came true is an event at its ratio; any other (false, partial, overdue, disputed)
    has not delivered and is censored at its ratio on the report date."""
    times = [scoring.lateness_ratio(said, deadline, occurred or as_of) for _, said, deadline, occurred in rows]
    events = [0 if occurred is None else 1 for *_, occurred in rows]
    share = scoring.on_time_share(times, events)
    summary = {
        "n": len(times),
        "delivered": sum(events),
        "on_time": share.count,
        "on_time_share": share.rate,
        "median_ratio": scoring.km_median(times, events),
    }
    if curves:
        summary["curve"] = [[p.time, p.survival] for p in scoring.kaplan_meier(times, events)]
    return summary
