"""The empirical-Bayes prior that shrinks small records: a Beta fitted to every speaker's record.

Each speaker's record is k hits of n scored claims (k may be fractional under the partial and
decay policies). Their hit rates are taken to come from one Beta(alpha, beta); the prior is the
maximum of the beta-binomial marginal likelihood

    L(alpha, beta) = sum_i  lnB(k_i + alpha, n_i - k_i + beta) - lnB(alpha, beta)

found by Newton's method with the exact gradient and Hessian (digamma and trigamma), to a gradient
below 1e-9. Where there is no interior maximum the rule is fixed and named (``method``):

- ``none``: fewer than MIN_SPEAKERS speakers with a scored claim, or fewer than MIN_SCORED scored
  claims in all: nothing to learn a spread from, so no shrinkage (the shrunk rate is the raw rate);
- ``pooled``: the likelihood's maximum is its limit as the strength grows without bound (speakers
  differ no more than chance allows), or everyone hit, or everyone missed: complete pooling, the
  pooled rate worth every scored claim, Beta(hits + 1/2, misses + 1/2);
- ``flat``: the likelihood does not depend on the strength at all (every record is one claim, so
  nothing tells spread from chance): the pooled rate, worth a typical record (the median n, at
  least 2);
- ``weak``: the likelihood rises toward zero strength (speakers all-or-nothing): the pooled rate,
  worth one claim, so records speak nearly for themselves;
- ``mle``: the interior maximum.

Nothing here needs scipy; the tests check it against scipy on random ledgers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ledger.errors import InvalidInput

MIN_SPEAKERS = 3
MIN_SCORED = 10
# The search runs on log strength within these bounds; a maximum on either is a boundary.
LOG_STRENGTH_LOW, LOG_STRENGTH_HIGH = math.log(1e-6), math.log(1e8)
GRADIENT_TOLERANCE = 1e-9
WEAK_STRENGTH = 1.0
MIN_FLAT_STRENGTH = 2.0


class Beta(NamedTuple):
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


@dataclass(frozen=True)
class BetaPrior:
    """A Beta(alpha, beta) prior over speakers' hit rates, how it was obtained and why.

    ``method`` is ``mle``, ``pooled``, ``flat``, ``weak`` or ``none`` (see the module); ``none`` is
    Beta(0, 0), which leaves every record as it is. ``reason`` says in words why this method.
    """

    alpha: float
    beta: float
    method: str
    reason: str = ""

    @property
    def mean(self) -> float | None:
        return self.alpha / self.strength if self.strength else None

    @property
    def strength(self) -> float:
        """How many claims the prior is worth."""
        return self.alpha + self.beta

    @property
    def shrinks(self) -> bool:
        return self.method != "none"


def check_counts(k: float, n: float) -> None:
    if n < 0 or not 0 <= k <= n:
        raise InvalidInput(f"need 0 <= k <= n, got k={k}, n={n}")


def shrunk_rate(k: float, n: float, prior: BetaPrior | Beta) -> float | None:
    """Posterior mean hit rate: the record pulled toward the prior by the prior's strength.
    None with nothing scored and no prior to fall back on."""
    check_counts(k, n)
    total = n + prior.alpha + prior.beta
    return (k + prior.alpha) / total if total else None


def posterior(k: float, n: float, prior: BetaPrior | Beta) -> Beta:
    """Beta posterior of the hit rate after k hits in n; pass it to ``beta_interval``."""
    check_counts(k, n)
    return Beta(prior.alpha + k, prior.beta + n - k)


def fit_beta_prior(ks: Sequence[float], ns: Sequence[int]) -> BetaPrior:
    """The prior across speakers with ``ks[i]`` hits of ``ns[i]``; records with n = 0 carry no
    evidence and are left out."""
    if len(ks) != len(ns):
        raise InvalidInput(f"{len(ks)} hit counts but {len(ns)} record sizes")
    for k, n in zip(ks, ns):
        check_counts(k, n)
    records = Counter((float(k), int(n)) for k, n in zip(ks, ns) if n > 0)
    speakers = sum(records.values())
    scored = sum(n * c for (_, n), c in records.items())
    if speakers < MIN_SPEAKERS or scored < MIN_SCORED:
        return BetaPrior(0.0, 0.0, "none", (
            f"no shrinkage: {speakers} speaker{'s' if speakers != 1 else ''} with {scored} scored claim"
            f"{'s' if scored != 1 else ''}; a prior needs at least {MIN_SPEAKERS} speakers and {MIN_SCORED} scored claims"
        ))
    hits = sum(k * c for (k, _), c in records.items())
    pooled = hits / scored
    if hits == 0 or hits == scored:
        return _pooled(hits, scored, "everyone scored hit" if hits else "everyone scored missed")
    likelihood = _Likelihood(records)
    if likelihood.flat(pooled):
        strength = max(MIN_FLAT_STRENGTH, _median_size(records))
        return BetaPrior(pooled * strength, (1 - pooled) * strength, "flat", (
            "the likelihood is flat in the prior's strength (records of one claim each cannot tell spread from chance): "
            "the pooled rate, worth a typical record"
        ))
    mean, log_strength = likelihood.maximise(pooled)
    if log_strength <= LOG_STRENGTH_LOW + 1e-9:
        return BetaPrior(pooled * WEAK_STRENGTH, (1 - pooled) * WEAK_STRENGTH, "weak", (
            "speakers are all-or-nothing and the likelihood prefers no pooling: the pooled rate, worth one claim"
        ))
    if likelihood.at(mean, log_strength) <= likelihood.pooled_limit(pooled):
        return _pooled(hits, scored, "speakers differ no more than chance allows: the likelihood prefers complete pooling")
    a, b = mean * math.exp(log_strength), (1 - mean) * math.exp(log_strength)
    return BetaPrior(a, b, "mle", f"beta-binomial maximum likelihood over {speakers} speakers")


def _pooled(hits: float, scored: int, why: str) -> BetaPrior:
    """Complete pooling: the pooled rate, worth every scored claim (with half a hit and half a
    miss, which keep it inside (0, 1) when everyone hit or everyone missed)."""
    return BetaPrior(hits + 0.5, scored - hits + 0.5, "pooled", f"the pooled rate, worth every scored claim: {why}")


def _median_size(records: Counter[tuple[float, int]]) -> float:
    sizes = sorted(n for (_, n), c in records.items() for _ in range(c))
    middle = len(sizes) // 2
    return float(sizes[middle]) if len(sizes) % 2 else (sizes[middle - 1] + sizes[middle]) / 2


class _Likelihood:
    """The beta-binomial log-likelihood of grouped records, its gradient and Hessian in
    (log alpha, log beta), where the parameters stay positive and Newton's steps are well scaled."""

    def __init__(self, records: Counter[tuple[float, int]]):
        self.records = list(records.items())

    def value(self, a: float, b: float) -> float:
        return sum(
            c * (log_rising(a, k) + log_rising(b, n - k) - log_rising(a + b, n)) for (k, n), c in self.records
        )

    def derivatives(self, a: float, b: float) -> tuple[float, float, float, float, float]:
        """(dL/da, dL/db, d2L/da2, d2L/db2, d2L/dadb)."""
        s = a + b
        ga = gb = haa = hbb = hab = 0.0
        psi_s, psi_a, psi_b = digamma(s), digamma(a), digamma(b)
        tri_s, tri_a, tri_b = trigamma(s), trigamma(a), trigamma(b)
        for (k, n), c in self.records:
            psi_n, tri_n = digamma(n + s), trigamma(n + s)
            ga += c * (psi_s - psi_a + digamma(k + a) - psi_n)
            gb += c * (psi_s - psi_b + digamma(n - k + b) - psi_n)
            haa += c * (tri_s - tri_a + trigamma(k + a) - tri_n)
            hbb += c * (tri_s - tri_b + trigamma(n - k + b) - tri_n)
            hab += c * (tri_s - tri_n)
        return ga, gb, haa, hbb, hab

    def pooled_limit(self, mean: float) -> float:
        """The likelihood's limit as the strength grows without bound: the binomial likelihood."""
        return sum(c * (k * math.log(mean) + (n - k) * math.log1p(-mean)) for (k, n), c in self.records)

    def flat(self, mean: float) -> bool:
        """No information about the strength: the likelihood at the pooled mean is the same at
        the two ends of the search (exactly so when every record is a single claim)."""
        weak = self.value(mean * 1e-3, (1 - mean) * 1e-3)
        strong = self.value(mean * 1e6, (1 - mean) * 1e6)
        return abs(weak - strong) <= 1e-9 * (1 + abs(strong))

    def at(self, mean: float, log_strength: float) -> float:
        strength = math.exp(log_strength)
        return self.value(mean * strength, (1 - mean) * strength)

    def maximise(self, mean: float) -> tuple[float, float]:
        """(mean, log strength) at the maximum, the strength within the search bounds.

        A scan of log strength at the pooled mean (where the maximum lies as the strength grows
        without bound) finds the basin; Newton's method in (logit mean, log strength), damped
        (Levenberg-Marquardt) where the likelihood is not concave, then climbs to a gradient in
        alpha and beta below tolerance, or to a bound."""
        grid = [LOG_STRENGTH_LOW + i * (LOG_STRENGTH_HIGH - LOG_STRENGTH_LOW) / 32 for i in range(33)]
        best = max(grid, key=lambda t: self.at(mean, t))
        w, t = math.log(mean / (1 - mean)), best
        current, damping = self.at(mean, t), 0.0
        for _ in range(500):
            m, strength = 1 / (1 + math.exp(-w)), math.exp(t)
            a, b = m * strength, (1 - m) * strength
            ga, gb, haa, hbb, hab = self.derivatives(a, b)
            if max(abs(ga), abs(gb)) < GRADIENT_TOLERANCE * 1e-3:
                break  # well below the tolerance: along a flat ridge a gradient of 1e-9 is still 1e-5 away
            # The chain rule from (alpha, beta) to (w, t): alpha = s m, beta = s (1 - m).
            d = strength * m * (1 - m)  # d alpha / dw = -d beta / dw
            gw, gt = d * (ga - gb), a * ga + b * gb
            hww = d * d * (haa - 2 * hab + hbb) + d * (1 - 2 * m) * (ga - gb)
            htt = a * a * haa + 2 * a * b * hab + b * b * hbb + gt
            hwt = d * (a * haa + (b - a) * hab - b * hbb) + d * (ga - gb)
            moved = False
            for _ in range(60):
                # Solve (H - damping I) step = -g: for a large enough damping H - damping I is
                # negative definite and the step goes uphill.
                pww, ptt = hww - damping, htt - damping
                det = pww * ptt - hwt * hwt
                if pww < 0 and det > 0:
                    dw, dt = (-ptt * gw + hwt * gt) / det, (hwt * gw - pww * gt) / det
                    nw, nt = w + dw, min(LOG_STRENGTH_HIGH, max(LOG_STRENGTH_LOW, t + dt))
                    candidate = self.at(1 / (1 + math.exp(-nw)), nt)
                    # Near the top the likelihood changes by less than its rounding error: a step
                    # that loses no more than that is taken, and Newton's steps converge.
                    if candidate >= current - 1e-14 * max(1.0, abs(current)) or (damping == 0 and max(abs(dw), abs(dt)) < 1e-6):
                        moved = (nw, nt) != (w, t)
                        w, t, current = nw, nt, candidate
                        damping = damping / 4 if damping > 1e-9 * (abs(hww) + abs(htt)) else 0.0
                        break
                damping = max(4 * damping, 1e-9 * (abs(hww) + abs(htt)) + 1e-12)
            if not moved or (damping == 0 and max(abs(dw), abs(dt)) < 1e-14):
                break  # at a bound, converged, or no uphill step left in floating point
        return 1 / (1 + math.exp(-w)), t


def log_rising(x: float, d: float) -> float:
    """ln Gamma(x + d) - ln Gamma(x), without the cancellation of two large lgammas: for large x by
    the difference of Stirling's series, (x - 1/2) ln(1 + d/x) + d ln(x + d) - d + S(x + d) - S(x),
    so that the likelihood stays exact to the last digits as the strength grows without bound."""
    if d == 0:
        return 0.0
    if x < 1000:
        return math.lgamma(x + d) - math.lgamma(x)
    return (x - 0.5) * math.log1p(d / x) + d * math.log(x + d) - d + _stirling_tail(x + d) - _stirling_tail(x)


def _stirling_tail(z: float) -> float:
    inv2 = 1 / (z * z)
    return (1 / 12 - inv2 * (1 / 360 - inv2 / 1260)) / z


def digamma(x: float) -> float:
    """psi(x) for x > 0: the recurrence up to x >= 10, then the asymptotic series (error < 1e-15)."""
    result = 0.0
    while x < 10:
        result -= 1 / x
        x += 1
    inv = 1 / x
    inv2 = inv * inv
    return result + math.log(x) - 0.5 * inv - inv2 * (
        1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132))))
    )


def trigamma(x: float) -> float:
    """psi'(x) for x > 0: the recurrence up to x >= 10, then the asymptotic series."""
    result = 0.0
    while x < 10:
        result += 1 / (x * x)
        x += 1
    inv = 1 / x
    inv2 = inv * inv
    return result + inv + 0.5 * inv2 + inv * inv2 * (
        1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30 - inv2 * (5 / 66))))
    )
