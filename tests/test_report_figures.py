"""The report's figures from grouped rows, without a database: each expected number is worked out
by hand in the comment beside it."""

from datetime import date

import pytest

from ledger.domain.report import (
    AMBIGUOUS, FALSE, OPEN, OVERDUE, PARTIAL, TRUE, TRUE_LATE, Credit, LeaderboardRow, ReportOptions,
    add_late_days, count_states, forecast_summary, history, lateness_summary, rank, shown, tag_summary,
)
from ledger.errors import InvalidInput

D = date(2025, 6, 1)


def credit(policy="strict", half_life=None):
    return Credit(ReportOptions(policy=policy, half_life=half_life))


def test_counts_add_up_rows_in_any_order_per_speaker_and_year():
    rows = [(2, 2024, TRUE, 1), (1, 2023, FALSE, 2), (1, 2024, TRUE, 3), (1, 2023, OPEN, 4), (1, 2024, AMBIGUOUS, 1)]
    tallies = count_states(reversed(rows))
    one = tallies.totals[1]
    assert (one.claims, one.resolved, one.scored) == (10, 6, 5)  # 2+3+4+1; open is not resolved; ambiguous is not scored
    assert tallies.years[1][2023].claims == 6 and tallies.years[1][2024].scored == 3
    assert tallies.totals[2].claims == 1


@pytest.mark.parametrize("policy, hits", [
    ("strict", 3),  # on-time trues only
    ("partial", 4),  # + two partials at one half
    ("lenient", 5),  # + the late true at 1, partials at one half
])
def test_hits_follow_the_policy(policy, hits):
    tallies = count_states([(1, 2024, TRUE, 3), (1, 2024, PARTIAL, 2), (1, 2024, TRUE_LATE, 1), (1, 2024, FALSE, 4)])
    assert credit(policy).hits(tallies.totals[1]) == hits


def test_decay_credits_each_late_claim_by_how_late_it_came():
    tallies = count_states([(1, 2024, TRUE_LATE, 2)])
    add_late_days(tallies, [(1, date(2024, 1, 1), date(2024, 12, 31)), (1, date(2024, 3, 1), date(2024, 3, 1))])
    # 365 days late with a half-life of 365 days earns 1/2; on the deadline day itself, 1.
    assert credit("decay", 365).hits(tallies.totals[1]) == pytest.approx(1.5)
    assert tallies.years[1][2024].late_days == [365, 0]


def test_history_is_cumulative_and_stops_at_the_report_year():
    tallies = count_states([(1, 2020, TRUE, 1), (1, 2020, FALSE, 1), (1, 2021, TRUE, 2), (1, 2030, TRUE, 9)])
    years = history(tallies.years[1], credit(), date(2021, 6, 1))
    assert [y["year"] for y in years] == [2020, 2021]
    assert [y["rate"] for y in years] == [0.5, 1.0]
    assert [(y["cumulative_hits"], y["cumulative_scored"], y["cumulative_rate"]) for y in years] == [(1, 2, 0.5), (3, 4, 0.75)]


def test_tags_are_counted_separately_in_tag_order():
    rows = [(1, "ai", TRUE, 2), (1, "ai", FALSE, 2), (1, "cars", OVERDUE, 1)]
    tags = tag_summary(rows, [], credit())
    assert [(t["tag"], t["claims"], t["scored"], t["hits"], t["hit_rate"]) for t in tags] == [
        ("ai", 4, 4, 2, 0.5), ("cars", 1, 0, 0, None),
    ]
    assert tags[1]["hit_rate_ci"] == [0.0, 1.0]  # no evidence: anything


def test_forecasts_score_stated_probabilities_and_skip_unreadable_words():
    rows = [(1, 0.8, None, 1, 1, None), (1, 0.8, None, 0, 1, None), (1, None, "no idea what this means", 1, 5, None)]
    scores = forecast_summary(rows)
    # ((1 - 0.8)^2 + (0 - 0.8)^2) / 2 = (0.04 + 0.64) / 2
    assert scores["brier"] == pytest.approx(0.34)
    assert scores["brier_n"] == 2 and scores["forecasts"]["hedge"]["n"] == 0
    assert sum(b["stated"] for b in scores["calibration"]) == 2


def test_lateness_counts_what_came_true_and_censors_the_rest_on_the_report_date():
    said, deadline = date(2025, 1, 1), date(2025, 1, 11)  # ten days promised
    rows = [(1, said, deadline, date(2025, 1, 6)), (1, said, deadline, None)]
    summary = lateness_summary(rows, date(2025, 1, 31), curves=True)
    # Came true after 5 of 10 days: ratio 0.5. Still open on day 30: censored at 3.0.
    assert summary == {
        "n": 2, "delivered": 1, "on_time": 1, "on_time_share": 0.5, "median_ratio": 0.5, "curve": [[0.5, 0.5]],
    }


def test_the_speakers_shown_have_enough_scored_claims():
    tallies = count_states([(1, 2024, TRUE, 5), (2, 2024, TRUE, 4), (3, 2024, OPEN, 9)])
    assert shown(tallies, None, 5) == [1]
    assert shown(tallies, [3, 2], 0) == [2, 3]


def row(name, shrunk, brier, stated_brier=None) -> LeaderboardRow:
    skill = None if stated_brier is None else {
        "n": 1, "brier": stated_brier, "brier_ci": None, "units": 1, "log_score": 0.0, "base_rate": 0.5, "brier_skill_base_rate": None,
        "brier_skill_50": 0.0, "reliability": 0.0, "resolution": 0.0, "uncertainty": 0.25, "bins": 1,
    }
    group = "brier" if skill else "hit_rate"
    return {
        "speaker": name, "speaker_id": 0, "claims": 0, "resolved": 0, "scored": 0, "hits": 0, "hit_rate": None,
        "hit_rate_ci": [0.0, 1.0], "units": 0, "effective_scored": 0, "shrunk_hit_rate": shrunk, "shrunk_hit_rate_ci": None,
        "brier": brier, "brier_n": 0, "headline": group, "headline_reason": "", "skill": skill, "group": group, "rank": 0,
        "tied": False,
    }


def test_the_leaderboard_ranks_by_shrunk_rate_breaking_ties_by_brier():
    ranked = rank([row("b", 0.5, None), row("a", 0.5, 0.3), row("c", 0.9, 0.1), row("d", 0.5, 0.3), row("e", 0.4, None)])
    # Equal shrunk rates are a tie: one rank, listed by Brier score (none is worst), then the name.
    assert [(r["speaker"], r["rank"], r["tied"]) for r in ranked] == [
        ("c", 1, False), ("a", 2, True), ("d", 2, True), ("b", 2, True), ("e", 5, False),
    ]


def test_speakers_who_state_probabilities_are_ranked_apart_by_their_stated_brier():
    ranked = rank([row("hedger", 0.9, 0.05), row("bold", 0.8, 0.4, 0.4), row("careful", 0.2, 0.1, 0.1),
                   row("same", 0.3, 0.1, 0.1004), row("plain", 0.5, None)])
    # The stated Brier ranks them, whatever their hit rate; then the hit-rate group, by its own rank.
    assert [(r["speaker"], r["group"], r["rank"], r["tied"]) for r in ranked] == [
        ("careful", "brier", 1, True), ("same", "brier", 1, True), ("bold", "brier", 3, False),
        ("hedger", "hit_rate", 1, False), ("plain", "hit_rate", 2, False),
    ]


def test_rates_that_print_the_same_are_a_tie_and_a_real_gap_is_not():
    ranked = rank([row("a", 0.42101, None), row("b", 0.42149, None), row("c", 0.4216, None)])
    assert [(r["speaker"], r["rank"], r["tied"]) for r in ranked] == [("c", 1, False), ("a", 2, True), ("b", 2, True)]


@pytest.mark.parametrize("options, message", [
    (ReportOptions(policy="generous"), "unknown scoring policy 'generous'"),
    (ReportOptions(half_life=30), "--half-life applies only to --policy decay"),
    (ReportOptions(since=date(2025, 2, 1), until=date(2025, 1, 1), as_of=D), "--since 2025-02-01 is after --until 2025-01-01"),
    (ReportOptions(since=date(2025, 7, 1), as_of=D), "after the report date 2025-06-01"),
    (ReportOptions(), "a report needs its date"),  # the domain never reads the clock
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(InvalidInput, match=message):
        options.checked()
