"""How good a speaker's predictions were: hit rates, intervals, shrinkage, Brier, lateness.

Pure arithmetic on plain numbers. The report service aggregates rows in SQL and calls these
per speaker; nothing here knows about claims as rows. Reference figures for every function
are in ``tests/cases/scoring.md``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from ledger.domain.prior import Beta, BetaPrior, check_counts, fit_beta_prior, posterior, shrunk_rate
from ledger.domain.vocab import Outcome, values
from ledger.errors import InvalidInput

# The empirical-Bayes prior lives in ledger.domain.prior; its names are part of scoring's vocabulary.
__all__ = ["Beta", "BetaPrior", "fit_beta_prior", "posterior", "shrunk_rate"]

Z95 = 1.959963984540054

OUTCOMES = values(Outcome)
POLICIES = ("strict", "partial", "lenient", "decay")
DEFAULT_HALF_LIFE = 365.0


# --- crediting outcomes ---------------------------------------------------------------


def credit(
    outcome: str, days_late: int, policy: str = "strict", half_life: float = DEFAULT_HALF_LIFE
) -> float | None:
    """Credit one resolved claim earns under ``policy``; None for 'ambiguous' (not scored).

    ``days_late`` matters only for 'true' outcomes; zero or negative means on time.
    strict: on-time true 1, everything else 0. partial: partial 0.5, late true 0.
    lenient: late true 1, partial 0.5. decay: partial 0.5, late true 0.5 ** (days_late / half_life).
    """
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if policy not in POLICIES:
        raise InvalidInput(
            f"unknown scoring policy {policy!r}; expected one of {', '.join(POLICIES)}"
        )
    if half_life <= 0:
        raise InvalidInput(f"half-life must be positive, got {half_life}")
    if outcome == "ambiguous":
        return None
    if outcome == "false":
        return 0.0
    if outcome == "partial":
        return 0.0 if policy == "strict" else 0.5
    if days_late <= 0:
        return 1.0
    if policy == "lenient":
        return 1.0
    if policy == "decay":
        return float(0.5 ** (days_late / half_life))
    return 0.0


# --- intervals for a rate -------------------------------------------------------------


class Interval(NamedTuple):
    low: float
    high: float


def wilson_interval(k: float, n: float, z: float = Z95) -> Interval:
    """Wilson score interval for k hits in n; k may be fractional (partial credit), and so may n
    (an effective sample size, see ``effective_size``).

    With n = 0 there is no evidence, so the interval is the whole range (0.0, 1.0) rather
    than None: a report can always draw it, and it honestly says "anything".
    """
    check_counts(k, n)
    if n == 0:
        return Interval(0.0, 1.0)
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


class Units(NamedTuple):
    """How many independent units a record of n scored claims is worth once claims on one event
    are counted together: ``units`` events and lone claims, ``effective`` the sample size."""

    units: int
    effective: float


def effective_size(k: float, n: int, squares: float, events: Sequence[tuple[float, int, float]]) -> Units:
    """The effective sample size of k hits in n claims, of which those in ``events`` share an event.

    ``squares`` is the sum of each claim's credit squared, over all n; each event is (its hits,
    its claims, its credits squared). Every claim with no event, or alone on its event, is a unit
    of its own. The variance of the hit rate p = k/n that treats units as independent and the
    claims within one as they come (cluster-robust, without a small-sample factor) is

        V = sum over units g of (k_g - p n_g)^2 / n^2,

    against p (1 - p) / n for independent claims; their ratio is the design effect
    ``deff = max(1, V n / (p (1 - p)))`` (never below 1: claims on one event are never taken as
    worth more than independent ones), and ``effective = n / deff``. Where the ratio cannot be
    formed (p is 0 or 1, or there is one unit) the record is worth its units. A record with no
    shared event has ``effective == n`` exactly, so its interval is the plain Wilson interval.
    """
    check_counts(k, n)
    shared = [e for e in events if e[1] > 1]
    units = n - sum(m for _, m, _ in shared) + len(shared)
    if not shared or n == 0:
        return Units(units, float(n))
    p = k / n
    if not 0 < p < 1 or units < 2:
        return Units(units, float(units))
    lone_k = k - sum(h for h, _, _ in shared)
    lone_n = n - sum(m for _, m, _ in shared)
    lone_squares = squares - sum(s for _, _, s in shared)
    # sum over lone claims of (c - p)^2, from their sums: no claim needs to be kept
    spread = lone_squares - 2 * p * lone_k + p * p * lone_n
    spread += sum((h - p * m) ** 2 for h, m, _ in shared)
    deff = max(1.0, spread / (n * p * (1 - p)))
    return Units(units, n / deff)


class MeanInterval(NamedTuple):
    units: int
    interval: Interval | None  # None with fewer than two units: no spread to measure


def clustered_mean_interval(values: Sequence[float], events: Sequence[str | None], z: float = Z95) -> MeanInterval:
    """A 95 % interval for the mean of ``values`` (each claim's Brier term) that counts the values
    sharing an event as one unit: mean ± z·SE with SE^2 = sum over units g of (sum of v_i - mean
    in g)^2 / n^2 (cluster-robust, no small-sample factor; a value with no event is a unit of
    its own), clipped to [0, 1]."""
    if len(values) != len(events):
        raise InvalidInput(f"{len(values)} values but {len(events)} events")
    n = len(values)
    if not n:
        return MeanInterval(0, None)
    mean = sum(values) / n
    sums: dict[str, float] = defaultdict(float)
    spread = 0.0
    for v, event in zip(values, events):
        if event is None:
            spread += (v - mean) ** 2
        else:
            sums[event] += v - mean
    units = sum(1 for e in events if e is None) + len(sums)
    if units < 2:
        return MeanInterval(units, None)
    spread += sum(s * s for s in sums.values())
    half = z * math.sqrt(spread) / n
    return MeanInterval(units, Interval(max(0.0, mean - half), min(1.0, mean + half)))


def beta_interval(a: float, b: float, level: float = 0.95) -> Interval:
    """Equal-tailed ``level`` interval of a Beta(a, b) distribution."""
    if not 0 < level < 1:
        raise InvalidInput(f"level must lie strictly between 0 and 1, got {level}")
    tail = (1 - level) / 2
    return Interval(beta_quantile(tail, a, b), beta_quantile(1 - tail, a, b))


def beta_quantile(q: float, a: float, b: float) -> float:
    """x with I_x(a, b) = q: Newton's method on the CDF, kept inside a bisection bracket that
    shrinks with every step, so it converges in a handful of CDF evaluations and never diverges."""
    if a <= 0 or b <= 0:
        raise InvalidInput(f"beta parameters must be positive, got a={a}, b={b}")
    if not 0 <= q <= 1:
        raise InvalidInput(f"quantile must lie in [0, 1], got {q}")
    if q in (0.0, 1.0):
        return q
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    lo, hi = 0.0, 1.0
    x = a / (a + b)
    for _ in range(200):
        error = regularized_beta(x, a, b) - q
        if error < 0:
            lo = x
        else:
            hi = x
        if hi - lo <= 1e-15 * max(x, 1e-300) or error == 0:
            break
        density = math.exp(log_norm + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))
        step = x - error / density if density > 0 else -1.0
        if not lo < step < hi:  # Newton left the bracket: bisect instead
            step = (lo + hi) / 2
        if abs(step - x) <= 1e-15 * x:
            x = step
            break
        x = step
    return x


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the beta CDF, via the continued fraction of Numerical Recipes §6.4."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The fraction converges fast only left of the mean; beyond it use
    # the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(x, a, b) / a
    return 1.0 - front * _beta_fraction(1 - x, b, a) / b


_TINY = 1e-300
_EPS = 1e-15


def _beta_fraction(x: float, a: float, b: float, max_terms: int = 500) -> float:
    """Continued fraction for I_x(a, b), evaluated by the modified Lentz method."""

    def nudge(v: float) -> float:  # Lentz: keep a zero denominator from stopping the recurrence
        return _TINY if abs(v) < _TINY else v

    c = 1.0
    d = 1.0 / nudge(1.0 - (a + b) * x / (a + 1))
    h = d
    for m in range(1, max_terms + 1):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 / nudge(1.0 + even * d)
        c = nudge(1.0 + even / c)
        h *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 / nudge(1.0 + odd * d)
        c = nudge(1.0 + odd / c)
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


# --- probabilistic forecasts ------------------------------------------------------------

_CLIP = 1e-15


class Bucket(NamedTuple):
    """One calibration bucket: forecasts nearest to ``bucket``, in [lo, hi)."""

    bucket: float
    lo: float
    hi: float
    n: int
    observed: float | None
    mean_p: float | None


def _check_forecasts(ps: Sequence[float], ys: Sequence[int]) -> None:
    if len(ps) != len(ys):
        raise InvalidInput(f"{len(ps)} forecasts but {len(ys)} outcomes")
    for p in ps:
        if not 0 <= p <= 1:
            raise InvalidInput(f"probability must lie in [0, 1], got {p}")
    for y in ys:
        if y not in (0, 1):
            raise InvalidInput(f"outcome must be 0 or 1, got {y!r}")


def brier(ps: Sequence[float], ys: Sequence[int]) -> float | None:
    """Mean squared error of the stated probabilities: 0 best, 1 worst; None if nothing to score."""
    _check_forecasts(ps, ys)
    if not ps:
        return None
    return sum((p - y) ** 2 for p, y in zip(ps, ys)) / len(ps)


def log_score(ps: Sequence[float], ys: Sequence[int]) -> float | None:
    """Mean log loss in nats: lower is better, 0 is perfect, ln 2 is always saying 50 %.

    p is clipped to [1e-15, 1 - 1e-15] so a confident miss costs ~34.5 nats, not infinity.
    """
    _check_forecasts(ps, ys)
    if not ps:
        return None
    total = 0.0
    for p, y in zip(ps, ys):
        # Clip the probability given to what happened: 1 - (1 - 1e-15) is not 1e-15 in floats.
        given = min(max(p if y else 1 - p, _CLIP), 1 - _CLIP)
        total -= math.log(given)
    return total / len(ps)


class Decomposition(NamedTuple):
    """Murphy's decomposition of the Brier score, ``brier = reliability - resolution + uncertainty``,
    with one bin per distinct probability (so the identity is exact), and the skill scores."""

    n: int
    brier: float
    base_rate: float  # share of the forecasts that came true
    reliability: float
    resolution: float
    uncertainty: float  # base_rate * (1 - base_rate): the Brier score of always forecasting it
    bins: int  # distinct probabilities
    skill_base_rate: float | None  # 1 - brier / uncertainty; None when uncertainty is 0
    skill_50: float  # 1 - brier / 0.25: against always saying 50 %


def murphy(ps: Sequence[float], ys: Sequence[int]) -> Decomposition | None:
    """The Brier score's decomposition and skill scores; None with no forecast.

    Bins are the distinct probabilities: reliability = sum n_k (p_k - o_k)^2 / N, resolution =
    sum n_k (o_k - o)^2 / N, uncertainty = o (1 - o), where bin k has n_k forecasts of p_k of which
    a share o_k came true, and o is the share over all N.
    """
    _check_forecasts(ps, ys)
    if not ps:
        return None
    n = len(ps)
    bins: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for p, y in zip(ps, ys):
        tally = bins[p]
        tally[0] += 1
        tally[1] += y
    base = sum(ys) / n
    reliability = sum(m * (p - hits / m) ** 2 for p, (m, hits) in bins.items()) / n
    resolution = sum(m * (hits / m - base) ** 2 for m, hits in bins.values()) / n
    uncertainty = base * (1 - base)
    score = sum((p - y) ** 2 for p, y in zip(ps, ys)) / n
    return Decomposition(
        n, score, base, reliability, resolution, uncertainty, len(bins),
        1 - score / uncertainty if uncertainty > 0 else None, 1 - score / 0.25,
    )


def calibration(ps: Sequence[float], ys: Sequence[int]) -> list[Bucket]:
    """Eleven buckets 0.0, 0.1, ..., 1.0, each forecast in the nearest; empty ones listed too.

    Nearest, not floor: 0.7 belongs with 0.7 (linspace edges put it in [0.6, 0.7)). Exact
    halves (0.05, 0.15...) go up. Buckets are [lo, hi), except 1.0 which includes 1.0.
    """
    _check_forecasts(ps, ys)
    members: list[list[tuple[float, int]]] = [[] for _ in range(11)]
    for p, y in zip(ps, ys):
        # Round first so 0.15 * 10 = 1.4999999999999998 still counts as a half.
        members[math.floor(round(p * 10, 9) + 0.5)].append((p, y))
    buckets = []
    for tenth, inside in enumerate(members):
        centre = tenth / 10
        lo, hi = max(0.0, round(centre - 0.05, 2)), min(1.0, round(centre + 0.05, 2))
        n = len(inside)
        observed = sum(y for _, y in inside) / n if n else None
        mean_p = sum(p for p, _ in inside) / n if n else None
        buckets.append(Bucket(centre, lo, hi, n, observed, mean_p))
    return buckets


# --- lateness -------------------------------------------------------------------------


class SurvivalPoint(NamedTuple):
    time: float
    survival: float


def lateness_ratio(said: date, deadline: date, happened: date) -> float:
    """Time taken as a multiple of the time promised: 1.0 is exactly on the deadline.

    For a claim still open, pass the report date as ``happened`` (right-censored). A deadline
    on the very day of the claim promises zero time; it is counted as one day so the ratio
    stays finite and a same-day delivery still scores 0.
    """
    promised = deadline.toordinal() - said.toordinal()
    if promised < 0:
        raise InvalidInput(f"deadline {deadline} is before the claim was made ({said})")
    return (happened.toordinal() - said.toordinal()) / max(promised, 1)


def kaplan_meier(times: Sequence[float], events: Sequence[int]) -> list[SurvivalPoint]:
    """Survival curve S(t) at each event time; events 1 = happened, 0 = still open (censored).

    At a tie, events are counted before censorings: a claim open at ratio t was still at risk
    when others happened at t.
    """
    if len(times) != len(events):
        raise InvalidInput(f"{len(times)} times but {len(events)} event flags")
    happened_at: dict[float, int] = defaultdict(int)
    leaving_at: dict[float, int] = defaultdict(int)
    for t, event in zip(times, events):
        if event not in (0, 1):
            raise InvalidInput(f"event flag must be 0 or 1, got {event!r}")
        happened_at[t] += event
        leaving_at[t] += 1
    at_risk = len(times)
    survival = 1.0
    curve = []
    for t in sorted(leaving_at):
        if happened_at[t]:
            survival *= 1 - happened_at[t] / at_risk
            curve.append(SurvivalPoint(t, survival))
        at_risk -= leaving_at[t]
    return curve


def km_median(times: Sequence[float], events: Sequence[int]) -> float | None:
    """Smallest time at which S(t) <= 0.5; None if half the claims never happened."""
    for point in kaplan_meier(times, events):
        if point.survival <= 0.5:
            return point.time
    return None


@dataclass(frozen=True)
class Share:  # not a NamedTuple: a field named count would hide tuple.count
    count: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.count / self.total if self.total else None


def on_time_share(times: Sequence[float], events: Sequence[int]) -> Share:
    """Claims that happened by their deadline (ratio <= 1) out of all, open ones included."""
    if len(times) != len(events):
        raise InvalidInput(f"{len(times)} times but {len(events)} event flags")
    return Share(sum(1 for t, e in zip(times, events) if e and t <= 1), len(times))
