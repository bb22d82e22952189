"""`claims report`: the figures a journalist would quote, on ledgers built with the real commands
(`claims add`, `claims resolve`, `claims import`), on SQLite and PostgreSQL.

The reference figures are copied from tests/cases/scoring.md (computed there with numpy, scipy and
scikit-learn), or worked out by hand in the comments next to them; never taken from this code.
"""

from __future__ import annotations

import itertools
import math

import pytest

from conftest import ledger_state
from ledger.errors import ExitStatus

from recording import reviewed_long_ago  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True)
def _reviewed_long_ago(reviewed_long_ago):
    """These ledgers are reviewed as on 2000-01-01: every report below, as of a later date, sees
    every verdict (the tests of --as-of itself set the clock themselves)."""


AS_OF = "2030-01-01"  # every deadline below has passed by then
_texts = itertools.count(1)


def approx(value):
    return pytest.approx(value, abs=5e-7)  # six decimals, as the reference file gives them


def add(cli, speaker: str, said: str, deadline: str, *, probability=None, confidence=None, tags=()) -> int:
    args = ["add", f"prediction number {next(_texts)}", "--speaker", speaker, "--said", said, "--deadline", deadline, "--json"]
    if probability is not None:
        args += ["--probability", str(probability)]
    if confidence is not None:
        args += ["--confidence", confidence]
    for tag in tags:
        args += ["--tag", tag]
    result = cli(*args)
    assert result.status == 0, result.err
    return result.json["id"]


def resolve(cli, claim_id: int, outcome: str, occurred: str | None = None, reviewer: str = "Rita Reviewer") -> None:
    args = ["resolve", claim_id, "--outcome", outcome, "--reviewer", reviewer]
    if occurred:
        args += ["--occurred", occurred]
    result = cli(*args)
    assert result.status == 0, result.err


def speaker(cli, name: str) -> None:
    assert cli("speaker", "add", name).status == 0


def report(cli, *args) -> dict:
    result = cli("report", "--format", "json", *args)
    assert result.status == 0, result.err
    return result.json


def only(data: dict) -> dict:
    (row,) = data["speakers"]
    return row


# --- A. Ten claims with stated probabilities -----------------------------------------------------

FORECASTS = [0.9, 0.9, 0.9, 0.7, 0.7, 0.7, 0.5, 0.3, 0.3, 0.1]
OUTCOMES = [1, 1, 0, 1, 1, 0, 1, 0, 1, 0]


@ledger_state
def section_a(cli):
    speaker(cli, "Ada Forecaster")
    for p, y in zip(FORECASTS, OUTCOMES):
        claim = add(cli, "Ada Forecaster", "2020-01-01", "2020-12-31", probability=p)
        resolve(cli, claim, "true" if y else "false", "2020-06-01" if y else None)


def test_section_a_brier_and_log_score(section_a):
    ada = only(report(section_a, "--as-of", AS_OF))
    assert ada["brier_n"] == 10
    assert ada["brier"] == approx(0.234000)
    assert ada["log_score"] == approx(0.678978)  # nats
    # All ten are stated numbers; none comes from hedge words.
    assert ada["forecasts"]["stated"]["n"] == 10
    assert ada["forecasts"]["stated"]["brier"] == approx(0.234000)
    assert ada["forecasts"]["hedge"] == {"n": 0, "brier": None, "log_score": None}


def test_section_a_calibration_puts_each_forecast_in_its_nearest_bucket(section_a):
    buckets = only(report(section_a, "--as-of", AS_OF))["calibration"]
    assert [b["bucket"] for b in buckets] == pytest.approx([i / 10 for i in range(11)])
    # 0.7 belongs with 0.7 and 0.3 with 0.3 (not the bin below, as linspace edges would have it).
    filled = {round(b["bucket"], 1): (b["n"], b["observed"]) for b in buckets if b["n"]}
    assert filled == {0.1: (1, 0.0), 0.3: (2, 0.5), 0.5: (1, 1.0), 0.7: (3, pytest.approx(2 / 3)), 0.9: (3, pytest.approx(2 / 3))}
    empty = [b for b in buckets if not b["n"]]
    assert len(empty) == 6 and all(b["observed"] is None for b in empty)


# --- B. Ten claims without probabilities, under each policy -----------------------------------------


@ledger_state
def section_b(cli):
    """true, true, false, true, partial, false, true, true-but-180-days-late, ambiguous, true."""
    speaker(cli, "Bo Pundit")
    deadline = "2021-06-30"
    outcomes = [("true", "2021-01-10"), ("true", "2021-02-01"), ("false", None), ("true", "2021-06-30"),
                ("partial", "2021-05-01"), ("false", None), ("true", "2021-03-03"),
                ("true", "2021-12-27"),  # 180 days after 2021-06-30
                ("ambiguous", None), ("true", "2020-11-11")]
    for outcome, occurred in outcomes:
        resolve(cli, add(cli, "Bo Pundit", "2020-07-01", deadline), outcome, occurred)


@pytest.mark.parametrize(
    "policy, hits, rate, ci",
    [
        ("strict", 5, 0.555556, (0.266651, 0.811221)),
        ("decay", 6.210472, 0.690052, (0.373944, 0.892455)),
        ("lenient", 6.5, 0.722222, None),
        # By hand: five on-time trues, half a partial, nothing for the late one: 5.5 / 9.
        ("partial", 5.5, 5.5 / 9, None),
    ],
)
def test_section_b_hit_rates_under_each_policy(section_b, policy, hits, rate, ci):
    bo = only(report(section_b, "--as-of", AS_OF, "--policy", policy))
    assert (bo["claims"], bo["resolved"], bo["ambiguous"], bo["scored"]) == (10, 10, 1, 9)
    assert bo["hits"] == approx(hits)
    assert bo["hit_rate"] == approx(rate)
    if ci:
        assert bo["hit_rate_ci"] == [approx(ci[0]), approx(ci[1])]


def test_decay_half_life_is_an_option(section_b):
    # 180 days late with a 180-day half-life earns exactly half: 5 + 0.5 (partial) + 0.5.
    bo = only(report(section_b, "--as-of", AS_OF, "--policy", "decay", "--half-life", "180"))
    assert bo["hits"] == approx(6.0)
    data = report(section_b, "--as-of", AS_OF, "--policy", "decay", "--half-life", "180")
    assert (data["policy"], data["half_life_days"]) == ("decay", 180.0)


# --- C. Lateness with claims still open ----------------------------------------------------------------


@ledger_state
def section_c(cli):
    """Six claims, each promised six days; r = (happened - said) / (deadline - said).

    r = 2.0, 0.833, 3.0 and 3.0 happened; r = 2.0 and 1.5 are still open on the report date
    (2024-03-01), censored at their current ratio.
    """
    speaker(cli, "Cy Promiser")
    for said, deadline, occurred in [("2023-01-01", "2023-01-07", "2023-01-13"),   # 12 / 6 = 2.0
                                     ("2023-02-01", "2023-02-07", "2023-02-06"),   # 5 / 6 = 0.833
                                     ("2023-03-01", "2023-03-07", "2023-03-19"),   # 18 / 6 = 3.0
                                     ("2023-05-01", "2023-05-07", "2023-05-19")]:  # 3.0
        resolve(cli, add(cli, "Cy Promiser", said, deadline), "true", occurred)
    add(cli, "Cy Promiser", "2024-02-18", "2024-02-24")  # open: (03-01 - 02-18) / 6 = 12 / 6 = 2.0
    add(cli, "Cy Promiser", "2024-02-21", "2024-02-27")  # open: 9 / 6 = 1.5


def test_section_c_median_lateness_by_kaplan_meier(section_c):
    cy = only(report(section_c, "--as-of", "2024-03-01"))
    late = cy["lateness"]
    assert late["median_ratio"] == approx(3.0)  # not 2.5, the naive median of the delivered ones
    assert (late["n"], late["delivered"], late["on_time"]) == (6, 4, 1)
    assert late["on_time_share"] == approx(1 / 6)
    assert (cy["overdue"], cy["scored"], cy["hits"]) == (2, 4, 1)


def test_section_c_survival_curve(section_c, ledger):
    from datetime import date

    from ledger.services.reports import speaker_report

    curve = speaker_report(ledger, "Cy Promiser", as_of=date(2024, 3, 1))["speakers"][0]["lateness"]["curve"]
    assert [round(t, 3) for t, _ in curve] == [0.833, 2.0, 3.0]
    assert [s for _, s in curve] == [approx(0.833333), approx(0.625), approx(0.0)]


# --- when a claim counts ---------------------------------------------------------------------------------


def test_a_claim_is_scored_only_once_its_deadline_has_passed(cli):
    speaker(cli, "Early Bird")
    early = add(cli, "Early Bird", "2024-01-01", "2026-12-31", probability=0.8)
    resolve(cli, early, "true", "2024-06-01")  # came true long before its deadline
    before = only(report(cli, "--as-of", "2025-01-01"))
    assert (before["resolved"], before["awaiting_deadline"], before["scored"], before["hits"]) == (1, 1, 0, 0)
    assert before["hit_rate"] is None and before["brier_n"] == 0
    assert all(b["n"] == 0 for b in before["calibration"])
    after = only(report(cli, "--as-of", "2027-01-01"))
    assert (after["awaiting_deadline"], after["scored"], after["hits"], after["brier_n"]) == (0, 1, 1, 1)


def test_an_overdue_claim_is_shown_not_scored(cli):
    speaker(cli, "Slow Coach")
    add(cli, "Slow Coach", "2020-01-01", "2021-01-01")
    resolve(cli, add(cli, "Slow Coach", "2020-01-01", "2021-06-01"), "false")
    add(cli, "Slow Coach", "2024-01-01", "2031-01-01")
    s = only(report(cli, "--as-of", "2025-01-01"))
    assert (s["claims"], s["open"], s["overdue"], s["resolved"], s["scored"], s["hits"]) == (3, 1, 1, 1, 1, 0)
    assert s["lateness"]["n"] == 2  # the overdue one counts as not delivered (censored), not as a miss


def test_as_of_sees_neither_later_claims_nor_outcomes_that_happened_later(cli):
    speaker(cli, "Time Traveller")
    resolve(cli, add(cli, "Time Traveller", "2020-01-01", "2021-01-01"), "true", "2022-05-01")  # late
    add(cli, "Time Traveller", "2023-01-01", "2024-01-01")
    s = only(report(cli, "--as-of", "2022-01-01"))
    # On 2022-01-01 the second claim was not said yet, and the first had not happened yet.
    assert (s["claims"], s["overdue"], s["resolved"], s["scored"]) == (1, 1, 0, 0)
    later = only(report(cli, "--as-of", "2025-01-01", "--policy", "lenient"))
    assert (later["claims"], later["scored"], later["hits"], later["overdue"]) == (2, 1, 1, 1)


def test_the_counts_add_up(cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[review]\nquorum = 2\n")
    speaker(cli, "Dee Mixed")
    add(cli, "Dee Mixed", "2020-01-01", "2031-01-01")                                   # open
    add(cli, "Dee Mixed", "2020-01-01", "2021-01-01")                                   # overdue
    disputed = add(cli, "Dee Mixed", "2020-01-01", "2021-01-01")
    for reviewer, outcome in (("Ann", "true"), ("Ben", "false")):
        args = ["--config", config, "resolve", disputed, "--outcome", outcome, "--reviewer", reviewer]
        assert cli(*args).status == 0
    for outcome in ("false", "ambiguous"):
        claim = add(cli, "Dee Mixed", "2020-01-01", "2021-01-01")
        for reviewer in ("Ann", "Ben"):
            assert cli("--config", config, "resolve", claim, "--outcome", outcome, "--reviewer", reviewer).status == 0
    d = only(report(cli, "--as-of", AS_OF))
    assert (d["claims"], d["open"], d["overdue"], d["disputed"], d["resolved"], d["ambiguous"], d["scored"]) == (5, 1, 1, 1, 2, 1, 1)
    assert d["claims"] == d["open"] + d["overdue"] + d["disputed"] + d["resolved"]


# --- hedge words --------------------------------------------------------------------------------------


def test_hedge_words_get_a_brier_score_kept_apart_from_stated_numbers(cli):
    speaker(cli, "Hedy Hedger")
    # "is likely to achieve" reads as ICD 203 "likely", 55-80 %, scored as 0.675; it came true.
    resolve(cli, add(cli, "Hedy Hedger", "2020-01-01", "2020-12-31", confidence="is likely to achieve"), "true", "2020-12-01")
    # A stated 90 % that did not happen; its hedge words are ignored because a number was stated.
    resolve(cli, add(cli, "Hedy Hedger", "2020-01-01", "2020-12-31", probability="90%", confidence="almost certainly"), "false")
    # Words the table cannot read give no probability at all.
    resolve(cli, add(cli, "Hedy Hedger", "2020-01-01", "2020-12-31", confidence="as sure as eggs"), "false")
    h = only(report(cli, "--as-of", AS_OF))
    assert h["forecasts"]["hedge"]["n"] == 1
    assert h["forecasts"]["hedge"]["brier"] == approx((1 - 0.675) ** 2)  # 0.105625
    assert h["forecasts"]["hedge"]["log_score"] == approx(-math.log(0.675))
    assert h["forecasts"]["stated"]["n"] == 1
    assert h["forecasts"]["stated"]["brier"] == approx(0.81)
    assert h["brier_n"] == 2
    assert h["brier"] == approx((0.105625 + 0.81) / 2)
    assert h["log_score"] == approx((-math.log(0.675) - math.log(0.1)) / 2)
    seventy = next(b for b in h["calibration"] if round(b["bucket"], 1) == 0.7)
    assert (seventy["n"], seventy["hedge"], seventy["stated"], seventy["mean_probability"]) == (1, 1, 0, approx(0.675))


def test_a_late_true_is_a_miss_for_the_brier_score_whatever_the_policy(cli):
    speaker(cli, "Lou Late")
    resolve(cli, add(cli, "Lou Late", "2020-01-01", "2020-06-30", probability=0.8), "true", "2020-09-01")
    for policy in ("strict", "lenient"):
        lou = only(report(cli, "--as-of", AS_OF, "--policy", policy))
        assert lou["brier"] == approx(0.64)  # (0.8 - 0) ** 2: it did not happen by the deadline
    assert only(report(cli, "--as-of", AS_OF, "--policy", "lenient"))["hits"] == 1


# --- by year, by tag, filters ---------------------------------------------------------------------------


def test_by_year_gives_each_years_rate_and_the_record_so_far(cli):
    speaker(cli, "Yan Yearly")
    for deadline, outcome in [("2020-06-30", "true"), ("2020-09-30", "false"), ("2021-03-31", "true"), ("2021-12-31", "true")]:
        resolve(cli, add(cli, "Yan Yearly", "2019-01-01", deadline), outcome, "2019-06-01" if outcome == "true" else None)
    years = only(report(cli, "--as-of", AS_OF))["by_year"]
    assert [(y["year"], y["scored"], y["hits"]) for y in years] == [(2020, 2, 1), (2021, 2, 2)]
    assert [y["rate"] for y in years] == [approx(0.5), approx(1.0)]
    assert [y["cumulative_rate"] for y in years] == [approx(0.5), approx(0.75)]


def test_by_tag_and_the_tag_filter(cli):
    speaker(cli, "Tia Topics")
    resolve(cli, add(cli, "Tia Topics", "2019-01-01", "2020-01-01", tags=("energy", "cars")), "true", "2019-05-01")
    resolve(cli, add(cli, "Tia Topics", "2019-01-01", "2020-01-01", tags=("energy",)), "false")
    resolve(cli, add(cli, "Tia Topics", "2019-01-01", "2020-01-01", tags=("space",)), "false")
    tia = only(report(cli, "--as-of", AS_OF))
    by_tag = {t["tag"]: (t["claims"], t["scored"], t["hits"]) for t in tia["by_tag"]}
    assert by_tag == {"cars": (1, 1, 1), "energy": (2, 2, 1), "space": (1, 1, 0)}
    energy = only(report(cli, "--as-of", AS_OF, "--tag", "Energy"))
    assert (energy["claims"], energy["hits"], energy["hit_rate"]) == (2, 1, 0.5)


def test_speaker_and_date_filters(cli):
    for name in ("Ann Alpha", "Bob Beta", "Cat Gamma"):
        speaker(cli, name)
        add(cli, name, "2018-05-01", "2019-01-01")
        add(cli, name, "2021-05-01", "2022-01-01")
    data = report(cli, "--as-of", AS_OF, "--speaker", "bob beta", "--speaker", "Ann Alpha")
    assert sorted(s["speaker"] for s in data["speakers"]) == ["Ann Alpha", "Bob Beta"]
    data = report(cli, "--as-of", AS_OF, "--since", "2020-01-01")
    assert [s["claims"] for s in data["speakers"]] == [1, 1, 1]
    data = report(cli, "--as-of", AS_OF, "--until", "2018-12-31", "--speaker", "Cat Gamma")
    assert only(data)["claims"] == 1 and data["filters"]["until"] == "2018-12-31"


# --- shrinkage and the leaderboard -------------------------------------------------------------------------


def import_records(cli, tmp_path, records: dict[str, tuple[int, int]]) -> None:
    """Each speaker's (hits, scored) as resolved claims, imported with `claims import`."""
    lines = ["speaker,text,said,deadline,outcome,occurred,reviewer"]
    for name, (hits, scored) in records.items():
        for i in range(scored):
            outcome, occurred = ("true", "2020-03-01") if i < hits else ("false", "")
            lines.append(f"{name},{name} forecast {i},2020-01-01,2020-12-31,{outcome},{occurred},Rita Reviewer")
    path = tmp_path / "records.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", path)
    assert result.status == 0, result.err


RECORDS = {"Lucky Lou": (2, 2), "Steady Sue": (45, 50), "Middling Max": (25, 50), "Poor Pat": (10, 40), "Average Al": (30, 50)}


def test_shrunk_rates_use_one_prior_fitted_across_all_speakers(cli, tmp_path):
    import_records(cli, tmp_path, RECORDS)
    everyone = report(cli, "--as-of", AS_OF)
    prior = everyone["prior"]
    assert prior["speakers"] == 5 and prior["method"] in ("mle", "moments", "pooled")
    assert prior["alpha"] > 0 and prior["beta"] > 0
    for s in everyone["speakers"]:
        k, n = RECORDS[s["speaker"]]
        assert (s["hits"], s["scored"]) == (k, n)
        assert s["shrunk_hit_rate"] == approx((k + prior["alpha"]) / (n + prior["alpha"] + prior["beta"]))
        # Pulled from the raw rate toward the prior's mean, never past it.
        low, high = sorted((k / n, prior["mean"]))
        assert low - 1e-12 <= s["shrunk_hit_rate"] <= high + 1e-12
    # Asking for one speaker does not change the prior they are shrunk toward.
    assert report(cli, "--as-of", AS_OF, "--speaker", "Lucky Lou")["prior"] == prior


def test_the_leaderboard_ranks_by_the_shrunk_rate_never_the_raw_one(cli, tmp_path):
    import_records(cli, tmp_path, RECORDS)
    result = cli("report", "--leaderboard", "--min-resolved", "2", "--as-of", AS_OF, "--format", "json")
    assert result.status == 0, result.err
    board = result.json
    ranked = [s["speaker"] for s in board["speakers"]]
    assert ranked[0] == "Steady Sue"  # 45 of 50 beats 2 of 2
    assert ranked.index("Lucky Lou") > 0 and board["speakers"][ranked.index("Lucky Lou")]["hit_rate"] == 1.0
    assert [s["rank"] for s in board["speakers"]] == [1, 2, 3, 4, 5]
    rates = [s["shrunk_hit_rate"] for s in board["speakers"]]
    assert rates == sorted(rates, reverse=True)
    assert "shrunk" in board["ranked_by"] and "never the raw" in board["ranked_by"]
    # The default minimum of 5 scored claims leaves the 2-claim record out; the table says why.
    table = cli("report", "--leaderboard", "--as-of", AS_OF)
    assert table.status == 0 and "Lucky Lou" not in table.out and "Steady Sue" in table.out
    assert "ranked by the shrunk hit rate" in table.out and "never the raw rate" in table.out


def test_a_mixed_leaderboard_ranks_stated_probabilities_by_brier_and_the_rest_by_shrunk_rate(cli):
    # Olly says 99 % and is right 3 times in 5; Cara says 10 % and 1 in 5 comes true. Olly has the
    # higher hit rate; Cara's probabilities are far better, and she ranks first among forecasters.
    for name, p, trues in (("Overconfident Olly", 0.99, 3), ("Careful Cara", 0.1, 1)):
        speaker(cli, name)
        for i in range(5):
            resolve(cli, add(cli, name, "2020-01-01", "2020-12-31", probability=p), *(("true", "2020-06-01") if i < trues else ("false",)))
    for name, words in (("Numberless Nell", None), ("Hedging Hal", "very likely")):
        speaker(cli, name)
        for i in range(5):
            resolve(cli, add(cli, name, "2020-01-01", "2020-12-31", confidence=words), *(("true", "2020-06-01") if i < 4 else ("false",)))
    board = cli("report", "--leaderboard", "--as-of", AS_OF, "--format", "json").json
    rows = [(s["speaker"], s["group"], s["rank"]) for s in board["speakers"]]
    assert rows[:2] == [("Careful Cara", "brier", 1), ("Overconfident Olly", "brier", 2)]
    assert {r[1] for r in rows[2:]} == {"hit_rate"} and sorted(r[2] for r in rows[2:]) == [1, 1]  # 4 of 5 each: tied
    by_name = {s["speaker"]: s for s in board["speakers"]}
    # Reference figures by hand: Brier = mean (p - y)^2.
    assert by_name["Careful Cara"]["skill"]["brier"] == approx((4 * 0.1 ** 2 + 0.9 ** 2) / 5)
    assert by_name["Overconfident Olly"]["skill"]["brier"] == approx((3 * 0.01 ** 2 + 2 * 0.99 ** 2) / 5)
    assert by_name["Overconfident Olly"]["hit_rate"] == 0.6 > by_name["Careful Cara"]["hit_rate"] == 0.2
    assert by_name["Hedging Hal"]["skill"] is None and by_name["Hedging Hal"]["headline"] == "hit_rate"
    assert "Brier" in board["ranked_by"] and "shrunk_hit_rate" in board["ranked_by"]
    for fmt in ("table", "markdown", "html"):
        out = cli("report", "--leaderboard", "--as-of", AS_OF, "--format", fmt).out
        first, second = out.index("state probabilities, ranked by the Brier score"), out.index("ranked by the shrunk hit rate (highest")
        assert first < out.index("Careful Cara") < out.index("Overconfident Olly") < second < out.index("Hedging Hal")
    lines = cli("report", "--leaderboard", "--as-of", AS_OF, "--format", "csv").out.splitlines()
    assert lines[0].startswith("group,rank,") and lines[1].startswith("brier,1,") and lines[3].startswith("hit_rate,1,")


def test_min_resolved_leaves_out_short_records(cli, tmp_path):
    import_records(cli, tmp_path, RECORDS)
    names = [s["speaker"] for s in report(cli, "--as-of", AS_OF, "--min-resolved", "41")["speakers"]]
    assert sorted(names) == ["Average Al", "Middling Max", "Steady Sue"]


# --- mistakes: one line, the right exit status, nothing written --------------------------------------------


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--speaker", "Nobody Known"], ExitStatus.NOT_FOUND, "unknown speaker 'Nobody Known'"),
        (["--tag", "no-such-topic"], ExitStatus.NOT_FOUND, "no claim is tagged 'no-such-topic'"),
        (["--half-life", "90"], ExitStatus.USAGE, "--half-life applies only to --policy decay"),
        (["--policy", "decay", "--half-life", "-3"], ExitStatus.USAGE, "half-life must be a positive number"),
        (["--since", "2024-01-01", "--until", "2023-01-01"], ExitStatus.USAGE, "--since 2024-01-01 is after --until 2023-01-01"),
        (["--as-of", "2024-02-30"], ExitStatus.USAGE, "2024-02-30"),
        (["--policy", "generous"], ExitStatus.USAGE, "generous"),
        (["--min-resolved", "-1"], ExitStatus.USAGE, "-1"),
    ],
)
def test_mistakes_are_one_line_errors(cli, args, status, message):
    speaker(cli, "Known Speaker")
    add(cli, "Known Speaker", "2020-01-01", "2021-01-01", tags=("energy",))
    result = cli("report", *args)
    assert result.status == status, result.err
    assert message in result.err and "Traceback" not in result.err
    assert result.out == ""


def test_a_speaker_without_claims_in_scope_shows_zeros(cli):
    speaker(cli, "New Voice")
    speaker(cli, "Old Hand")
    resolve(cli, add(cli, "Old Hand", "2020-01-01", "2020-12-31"), "true", "2020-05-05")
    new = only(report(cli, "--as-of", AS_OF, "--speaker", "New Voice"))
    assert (new["claims"], new["scored"], new["hit_rate"], new["hit_rate_ci"]) == (0, 0, None, [0.0, 1.0])
    assert new["shrunk_hit_rate"] == approx(report(cli, "--as-of", AS_OF)["prior"]["mean"])
    board = cli("report", "--leaderboard", "--speaker", "New Voice", "--min-resolved", "0", "--format", "json")
    assert board.status == 0, board.err
    assert [(s["speaker"], s["scored"], s["rank"]) for s in board.json["speakers"]] == [("New Voice", 0, 1)]


def test_an_empty_ledger_reports_nobody(cli):
    data = report(cli, "--as-of", AS_OF)
    assert data["speakers"] == [] and data["prior"]["method"] == "none"
    table = cli("report")
    assert table.status == 0 and "No speaker matches" in table.out


def test_two_speakers_are_too_few_to_shrink_and_the_report_says_so(cli, tmp_path):
    """90 of 100 used to print as 70 %: every record pulled halfway to the mean of two speakers."""
    rows = ["speaker,text,said,deadline,outcome,occurred"]
    rows += [f"Ninety,Claim {i},2020-01-01,2020-06-30," + ("true,2020-06-01" if i < 90 else "false,") for i in range(100)]
    rows += [f"Two,Claim {i},2020-01-01,2020-06-30," + ("true,2020-06-01" if i < 1 else "false,") for i in range(2)]
    (tmp_path / "claims.csv").write_text("\n".join(rows) + "\n")
    imported = cli("import", tmp_path / "claims.csv")
    assert imported.status == 0, imported.err
    report = cli("report", "--format", "json", "--as-of", "2021-01-01").json
    assert report["prior"]["method"] == "none" and "2 speakers" in report["prior"]["reason"]
    ninety = next(s for s in report["speakers"] if s["speaker"] == "Ninety")
    assert ninety["shrunk_hit_rate"] == ninety["hit_rate"] == 0.9 and ninety["shrunk_hit_rate_ci"] is None
    table = cli("report", "--speaker", "Ninety", "--as-of", "2021-01-01").out
    assert "Rates are not shrunk: 2 speakers with 102 scored claims" in table and "fitted across" not in table


def test_a_true_outcome_without_a_date_is_on_time_in_the_hit_rate_and_in_lateness(cli):
    """Both figures read the same claims the same way: a hit, delivered at its deadline."""
    speaker(cli, "Dee Undated")
    resolve(cli, add(cli, "Dee Undated", "2023-01-01", "2023-01-31"), "true")  # no --occurred
    resolve(cli, add(cli, "Dee Undated", "2023-02-01", "2023-02-28"), "false")
    dee = only(report(cli, "--as-of", "2024-01-01"))
    assert (dee["scored"], dee["hits"]) == (2, 1)
    late = dee["lateness"]
    assert (late["n"], late["delivered"], late["on_time"]) == (2, 1, 1)
    assert late["on_time_share"] == approx(0.5) == dee["hit_rate"]


def test_a_claim_one_day_late_never_reads_as_on_time(cli):
    speaker(cli, "Lou Late")
    # 366 days promised, 367 taken: 1.0027x, which two decimals would print as 1.00x.
    resolve(cli, add(cli, "Lou Late", "2023-01-01", "2024-01-02"), "true", "2024-01-03")
    out = cli("report", "--speaker", "Lou Late", "--as-of", "2024-06-01").out
    assert "0 of 1 delivered by the deadline" in out and "1.003× the time promised" in out
    assert "1.00×" not in out
