"""Scoring against the independent reference figures of tests/cases/scoring.md.

The figures below are copied from that file (computed there with numpy, scipy and
scikit-learn), not from this code: if a constant here disagrees with it, the constant is wrong.
"""

import math
import random
from datetime import date, timedelta

import pytest

from ledger.domain.report import AMBIGUOUS, FALSE, PARTIAL, TRUE, TRUE_LATE, Credit, ReportOptions, add_late_days, count_states
from ledger.domain.prior import Beta, BetaPrior, fit_beta_prior, posterior, shrunk_rate
from ledger.domain.scoring import (
    Z95,
    beta_interval,
    beta_quantile,
    brier,
    calibration,
    credit,
    kaplan_meier,
    km_median,
    lateness_ratio,
    log_score,
    on_time_share,
    regularized_beta,
    wilson_interval,
)
from ledger.errors import InvalidInput


def approx(value):
    return pytest.approx(value, abs=5e-7)


# --- Section A: ten claims with stated probabilities ----------------------------------
FORECASTS = [0.9, 0.9, 0.9, 0.7, 0.7, 0.7, 0.5, 0.3, 0.3, 0.1]
OUTCOMES = [1, 1, 0, 1, 1, 0, 1, 0, 1, 0]
BRIER = 0.234000
LOG_LOSS_NATS = 0.678978
LOG_LOSS_BITS = 0.979559

# --- Section B: ten claims without probabilities --------------------------------------
RESOLUTIONS = [
    ("true", 0), ("true", 0), ("false", 0), ("true", 0), ("partial", 0),
    ("false", 0), ("true", 0), ("true", 180), ("ambiguous", 0), ("true", 0),
]
STRICT_RATE = 0.555556
STRICT_WILSON = (0.266651, 0.811221)
POSTERIOR_INTERVAL = (0.283571, 0.716429)
DECAY_K, DECAY_RATE = 6.210472, 0.690052
DECAY_WILSON = (0.373944, 0.892455)
LENIENT_RATE = 0.722222

# --- Section C: lateness with claims still open ---------------------------------------
RATIOS = [2.0, 0.833, 3.0, 2.0, 3.0, 1.5]
HAPPENED = [1, 1, 1, 0, 1, 0]
SURVIVAL = {0.833: 0.8333, 2.0: 0.6250, 3.0: 0.0}  # given to four decimals in the file
KM_MEDIAN = 3.0


def test_z95_is_the_two_sided_95_percent_normal_quantile():
    assert Z95 == 1.959963984540054


# --- credit and policies --------------------------------------------------------------

STATE = {"true": TRUE, "false": FALSE, "partial": PARTIAL, "ambiguous": AMBIGUOUS}
DEADLINE = date(2024, 1, 1)


def tally(resolutions, policy="strict"):
    """(hits, scored, ambiguous) of ``(outcome, days_late)`` pairs, as the report counts them."""
    late = [days for outcome, days in resolutions if outcome == "true" and days > 0]
    tallies = count_states(
        (1, DEADLINE.year, TRUE_LATE if outcome == "true" and days > 0 else STATE[outcome], 1) for outcome, days in resolutions
    )
    add_late_days(tallies, [(1, DEADLINE, DEADLINE + timedelta(days)) for days in late])
    counts = tallies.totals[1]
    k = Credit(ReportOptions(policy=policy)).hits(counts)
    return k, counts.scored, counts.states[AMBIGUOUS]


def rate(k, n):
    return k / n if n else None


def test_strict_policy_scores_five_of_nine():
    k, n, ambiguous = tally(RESOLUTIONS, "strict")
    assert (k, n, ambiguous) == (5, 9, 1)
    assert rate(k, n) == approx(STRICT_RATE)


def test_decay_policy_halves_partial_and_decays_late_credit():
    k, n, _ = tally(RESOLUTIONS, "decay")
    assert k == approx(DECAY_K)
    assert rate(k, n) == approx(DECAY_RATE)


def test_lenient_policy_counts_late_as_true_and_partial_as_half():
    assert rate(*tally(RESOLUTIONS, "lenient")[:2]) == approx(LENIENT_RATE)


def test_partial_policy_gives_half_for_partial_and_nothing_for_late():
    assert tally(RESOLUTIONS, "partial")[0] == 5.5


@pytest.mark.parametrize(
    "outcome, days_late, policy, expected",
    [
        ("true", 0, "strict", 1.0),
        ("true", -3, "strict", 1.0),  # early is on time
        ("true", 1, "strict", 0.0),
        ("partial", 0, "strict", 0.0),
        ("partial", 0, "partial", 0.5),
        ("true", 10, "partial", 0.0),
        ("true", 400, "lenient", 1.0),
        ("partial", 0, "lenient", 0.5),
        ("true", 365, "decay", 0.5),
        ("true", 730, "decay", 0.25),
        ("partial", 0, "decay", 0.5),
        ("false", 0, "lenient", 0.0),
        ("ambiguous", 0, "lenient", None),
    ],
)
def test_credit_per_outcome_and_policy(outcome, days_late, policy, expected):
    assert credit(outcome, days_late, policy) == expected


def test_decay_half_life_is_adjustable():
    assert credit("true", 30, "decay", half_life=30) == 0.5


@pytest.mark.parametrize(
    "outcome, policy, half_life",
    [("maybe", "strict", 365), ("true", "generous", 365), ("true", "decay", 0)],
)
def test_unknown_outcome_policy_or_bad_half_life_is_refused(outcome, policy, half_life):
    with pytest.raises(InvalidInput):
        credit(outcome, 5, policy, half_life)


def test_a_record_of_only_ambiguous_claims_has_no_rate():
    assert rate(*tally([("ambiguous", 0)])[:2]) is None


# --- intervals ------------------------------------------------------------------------


def test_wilson_interval_for_five_of_nine():
    assert wilson_interval(5, 9) == approx(STRICT_WILSON)


def test_wilson_interval_accepts_fractional_hits():
    assert wilson_interval(DECAY_K, 9) == approx(DECAY_WILSON)


def test_intervals_with_no_evidence_span_everything():
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("k, n", [(-1, 5), (6, 5), (1, -1)])
def test_impossible_counts_are_refused(k, n):
    with pytest.raises(InvalidInput):
        wilson_interval(k, n)


def test_regularised_beta_matches_closed_forms():
    # I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; I_x(2, 2) = 3x^2 - 2x^3.
    for x in (0.01, 0.3, 0.5, 0.77, 0.999):
        assert regularized_beta(x, 1, 1) == pytest.approx(x, abs=1e-13)
        assert regularized_beta(x, 3.5, 1) == pytest.approx(x**3.5, abs=1e-13)
        assert regularized_beta(x, 1, 4) == pytest.approx(1 - (1 - x) ** 4, abs=1e-13)
        assert regularized_beta(x, 2, 2) == pytest.approx(3 * x**2 - 2 * x**3, abs=1e-13)


def test_beta_quantile_inverts_the_cdf():
    for a, b in [(0.5, 0.5), (9.5, 9.5), (2, 30), (200, 3)]:
        for q in (0.001, 0.025, 0.5, 0.975):
            assert regularized_beta(beta_quantile(q, a, b), a, b) == pytest.approx(q, abs=1e-12)


# --- shrinkage ------------------------------------------------------------------------


def test_posterior_of_five_of_nine_under_beta_4_5_5_5():
    prior = BetaPrior(4.5, 5.5, "given")
    assert posterior(5, 9, prior) == Beta(9.5, 9.5)
    assert shrunk_rate(5, 9, prior) == approx(0.5)
    assert beta_interval(*posterior(5, 9, prior)) == approx(POSTERIOR_INTERVAL)


def _synthetic_speakers(seed, alpha, beta, speakers, sizes=(5, 40)):
    rng = random.Random(seed)
    ks, ns = [], []
    for _ in range(speakers):
        n = rng.randint(*sizes)
        rate = rng.betavariate(alpha, beta)
        ks.append(sum(rng.random() < rate for _ in range(n)))
        ns.append(n)
    return ks, ns


def test_fitted_prior_recovers_the_generating_beta():
    ks, ns = _synthetic_speakers(seed=2023, alpha=3.0, beta=7.0, speakers=2000)
    prior = fit_beta_prior(ks, ns)
    assert prior.method == "mle"
    assert prior.mean == pytest.approx(0.3, abs=0.015)
    assert prior.strength == pytest.approx(10.0, rel=0.2)


def test_fitted_prior_is_the_likelihood_maximum():
    ks, ns = _synthetic_speakers(seed=7, alpha=2.0, beta=2.0, speakers=200)
    prior = fit_beta_prior(ks, ns)

    def log_likelihood(a, b):
        return sum(
            math.lgamma(k + a) + math.lgamma(n - k + b) - math.lgamma(n + a + b)
            - math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b)
            for k, n in zip(ks, ns)
        )

    best = log_likelihood(prior.alpha, prior.beta)
    for da, db in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05), (0.05, 0.05), (-0.05, -0.05)]:
        assert log_likelihood(prior.alpha + da, prior.beta + db) <= best


def test_fitted_prior_accepts_fractional_credit():
    ks, ns = _synthetic_speakers(seed=11, alpha=4.0, beta=4.0, speakers=300)
    halved = [k - 0.5 if k >= 1 else k for k in ks]
    prior = fit_beta_prior(halved, ns)
    assert prior.method == "mle" and 0.4 < prior.mean < 0.55


def test_speakers_without_resolved_claims_do_not_move_the_prior():
    ks, ns = _synthetic_speakers(seed=3, alpha=3.0, beta=5.0, speakers=100)
    assert fit_beta_prior(ks + [0, 0], ns + [0, 0]) == fit_beta_prior(ks, ns)


def test_shrinkage_ranks_a_long_record_above_a_lucky_streak():
    prior = BetaPrior(3.0, 7.0, "given")
    assert shrunk_rate(30, 40, prior) > shrunk_rate(2, 2, prior)


# --- probabilistic forecasts ----------------------------------------------------------


def test_brier_score():
    assert brier(FORECASTS, OUTCOMES) == approx(BRIER)


def test_log_loss_in_nats_and_bits():
    nats = log_score(FORECASTS, OUTCOMES)
    assert nats == approx(LOG_LOSS_NATS)
    assert nats / math.log(2) == approx(LOG_LOSS_BITS)


def test_log_loss_of_a_confident_miss_is_finite():
    assert log_score([1.0], [0]) == pytest.approx(-math.log(1e-15), rel=1e-6)


def test_nothing_to_score_gives_none():
    assert brier([], []) is None
    assert log_score([], []) is None


@pytest.mark.parametrize("ps, ys", [([0.5], [1, 0]), ([1.2], [1]), ([0.5], [2])])
def test_malformed_forecasts_are_refused(ps, ys):
    with pytest.raises(InvalidInput):
        brier(ps, ys)


def test_calibration_lists_all_eleven_buckets_by_nearest_tenth():
    buckets = calibration(FORECASTS, OUTCOMES)
    assert [b.bucket for b in buckets] == [i / 10 for i in range(11)]
    by_centre = {b.bucket: b for b in buckets}
    # The pitfall: 0.7 and 0.3 must land in their own buckets, not the ones below.
    assert (by_centre[0.7].n, by_centre[0.3].n) == (3, 2)
    assert by_centre[0.7].observed == approx(2 / 3)
    assert by_centre[0.7].mean_p == approx(0.7)
    assert by_centre[0.3].observed == approx(0.5)
    assert (by_centre[0.6].n, by_centre[0.6].observed, by_centre[0.6].mean_p) == (0, None, None)
    assert sum(b.n for b in buckets) == len(FORECASTS)


def test_calibration_bucket_edges_and_halves():
    buckets = calibration([0.0, 0.04, 0.05, 0.15, 0.25, 0.95, 1.0], [0] * 7)
    counts = {b.bucket: b.n for b in buckets}
    assert counts[0.0] == 2 and counts[0.1] == 1 and counts[0.2] == 1 and counts[0.3] == 1
    assert counts[1.0] == 2
    assert (buckets[7].lo, buckets[7].hi) == (0.65, 0.75)
    assert (buckets[0].lo, buckets[-1].hi) == (0.0, 1.0)


# --- lateness -------------------------------------------------------------------------


def test_kaplan_meier_with_open_claims():
    curve = kaplan_meier(RATIOS, HAPPENED)
    assert {round(t, 3): s for t, s in curve} == pytest.approx(SURVIVAL, abs=5e-5)


def test_kaplan_meier_median_is_not_the_naive_median():
    assert km_median(RATIOS, HAPPENED) == KM_MEDIAN


def test_median_is_none_when_half_never_happen():
    assert km_median([1.0, 2.0, 3.0], [1, 0, 0]) is None


def test_events_are_counted_before_censorings_at_a_tie():
    # Two at risk at t=1: one happens, one is still open, so S drops to 1/2, not to 0.
    assert kaplan_meier([1.0, 1.0], [1, 0]) == [(1.0, 0.5)]


def test_on_time_share_counts_open_claims_in_the_total():
    share = on_time_share(RATIOS, HAPPENED)
    assert (share.count, share.total) == (1, 6)


def test_lateness_ratio_in_days():
    from datetime import date

    said, deadline = date(2020, 1, 1), date(2020, 1, 11)
    assert lateness_ratio(said, deadline, date(2020, 1, 21)) == 2.0
    assert lateness_ratio(said, deadline, date(2020, 1, 6)) == 0.5
    # A same-day deadline promises one day, not zero.
    assert lateness_ratio(said, said, date(2020, 1, 4)) == 3.0
    with pytest.raises(InvalidInput):
        lateness_ratio(deadline, said, deadline)
