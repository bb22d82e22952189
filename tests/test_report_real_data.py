"""The report on real public forecasts: FiveThirtyEight's US governor forecasts (tests/data, CC BY 4.0),
imported with `claims import`, scored by `claims report`, and checked against the same figures
computed here in plain Python straight from the CSV, without any of the ledger's code."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pytest

from recording import reviewed_long_ago  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True)
def _reviewed_long_ago(reviewed_long_ago):
    """These ledgers are reviewed as on 2000-01-01: every report below, as of a later date, sees
    every verdict (the tests of --as-of itself set the clock themselves)."""


SLICE = Path(__file__).parent / "data" / "governors_elections_slice.csv"
AS_OF = "2023-01-01"  # after every election in the slice


def model(row: dict) -> str:
    # The 2010 rows name no model; they are FiveThirtyEight's 2010 forecasts.
    return f"FiveThirtyEight {row['forecast_type'] or '2010'} model"


def forecasts() -> list[dict]:
    return list(csv.DictReader(SLICE.open(encoding="utf-8")))


def race(r: dict) -> str:
    return f"{r['year']} {r['state']} governor" + (" (special)" if r["special"] == "TRUE" else "")


def as_claims(rows: list[dict]) -> str:
    """Each candidate's chance of winning as a claim that they win, said on the forecast date and
    due on election day; it came true on election day if they won. The race is the event."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["speaker", "text", "said", "deadline", "probability", "outcome", "occurred", "reviewer", "tags", "event"])
    for r in rows:
        won = r["probwin_outcome"] == "1"
        writer.writerow([
            model(r), f"{r['candidate'] or r['party']} ({r['party']}) wins the {r['year']} {r['state']} governor election",
            r["forecast_date"], r["election_date"], r["probwin"], "true" if won else "false",
            r["election_date"] if won else "", "Election results", f"governor;{r['state'].lower()}", race(r),
        ])
    return out.getvalue()


def expected(rows: list[dict]) -> dict[str, dict]:
    """Brier, log score (nats, probabilities clipped to [1e-15, 1 - 1e-15]), hits and nearest-10 %
    calibration buckets (exact halves go up) for each model, from the CSV's own strings."""
    by_model: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in rows:
        by_model[model(r)].append((r["probwin"], int(r["probwin_outcome"])))
    out = {}
    for name, pairs in by_model.items():
        ps = [float(p) for p, _ in pairs]
        ys = [y for _, y in pairs]
        buckets: dict[int, list[int]] = defaultdict(list)
        for p, y in pairs:
            tenth = int((Decimal(p) * 10 + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))
            buckets[tenth].append(y)
        given = [min(max(p if y else 1 - p, 1e-15), 1 - 1e-15) for p, y in zip(ps, ys)]
        out[name] = {
            "n": len(pairs),
            "hits": sum(ys),
            "brier": sum((p - y) ** 2 for p, y in zip(ps, ys)) / len(ps),
            "log_score": -sum(math.log(g) for g in given) / len(given),
            "buckets": {t: (len(v), sum(v) / len(v)) for t, v in buckets.items()},
        }
    return out


@pytest.fixture
def governors(cli, tmp_path):
    path = tmp_path / "governors.csv"
    path.write_text(as_claims(forecasts()), encoding="utf-8")
    result = cli("import", path, "--json")
    assert result.status == 0, result.err
    assert result.json["claims_added"] == len(forecasts()) == 128
    return cli


def test_brier_log_score_and_calibration_match_an_independent_computation(governors):
    reference = expected(forecasts())
    result = governors("report", "--as-of", AS_OF, "--format", "json")
    assert result.status == 0, result.err
    report = {s["speaker"]: s for s in result.json["speakers"]}
    assert set(report) == set(reference) == {f"FiveThirtyEight {m} model" for m in ("lite", "classic", "deluxe", "2010")}
    for name, ref in reference.items():
        got = report[name]
        assert (got["claims"], got["scored"], got["hits"]) == (ref["n"], ref["n"], ref["hits"]), name
        assert got["brier_n"] == got["forecasts"]["stated"]["n"] == ref["n"]
        assert got["forecasts"]["hedge"]["n"] == 0
        assert got["brier"] == pytest.approx(ref["brier"], abs=1e-12), name
        assert got["log_score"] == pytest.approx(ref["log_score"], abs=1e-12), name
        buckets = {round(b["bucket"] * 10): (b["n"], b["observed"]) for b in got["calibration"]}
        assert len(buckets) == 11
        for tenth in range(11):
            n, observed = ref["buckets"].get(tenth, (0, None))
            assert buckets[tenth][0] == n, (name, tenth)
            assert buckets[tenth][1] == (None if observed is None else pytest.approx(observed, abs=1e-12)), (name, tenth)


def test_the_models_by_year_and_by_state(governors):
    rows = forecasts()
    result = governors("report", "--as-of", AS_OF, "--format", "json", "--speaker", "FiveThirtyEight deluxe model")
    deluxe = result.json["speakers"][0]
    mine = [r for r in rows if r["forecast_type"] == "deluxe"]
    years = {y["year"]: (y["scored"], y["hits"]) for y in deluxe["by_year"]}
    assert years == {
        int(year): (sum(r["year"] == year for r in mine), sum(r["year"] == year and r["probwin_outcome"] == "1" for r in mine))
        for year in {r["year"] for r in mine}
    }
    states = {t["tag"]: t["scored"] for t in deluxe["by_tag"] if t["tag"] != "governor"}
    assert states == {s.lower(): sum(r["state"] == s for r in mine) for s in {r["state"] for r in mine}}
    # Forecasts on election day itself were promised no time at all, so lateness counts them at
    # a one-day promise: all delivered ones on time.
    late = deluxe["lateness"]
    assert late["n"] == len(mine) and late["delivered"] == late["on_time"] == sum(r["probwin_outcome"] == "1" for r in mine)


def test_the_races_are_units_of_the_hit_rates_interval(governors):
    """Every candidate's forecasts of one race, on both forecast dates, are one unit: the interval
    is the Wilson interval at the effective sample size of a cluster-robust variance, computed
    here from the CSV."""
    z = 1.959963984540054
    by_model: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in forecasts():
        by_model[model(r)][race(r)].append(int(r["probwin_outcome"]))
    report = {s["speaker"]: s for s in governors("report", "--as-of", AS_OF, "--format", "json").json["speakers"]}
    for name, races in by_model.items():
        n = sum(len(ys) for ys in races.values())
        p = sum(sum(ys) for ys in races.values()) / n
        spread = sum((sum(ys) - p * len(ys)) ** 2 for ys in races.values())
        effective = n / max(1.0, spread / (n * p * (1 - p)))
        centre = (p + z * z / (2 * effective)) / (1 + z * z / effective)
        half = z / (1 + z * z / effective) * math.sqrt(p * (1 - p) / effective + z * z / (4 * effective ** 2))
        got = report[name]
        assert got["units"] == len(races), name
        assert got["effective_scored"] == pytest.approx(effective, rel=1e-9), name
        assert got["hit_rate_ci"] == pytest.approx([centre - half, centre + half], abs=1e-9), name
