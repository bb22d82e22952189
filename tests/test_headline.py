"""The right headline for each kind of forecaster, and events as units: Brier skill, Murphy's
decomposition and the event-clustered interval, each checked against an independent computation
in numpy straight from the forecasts (docs/report.md, "The headline" and "Events")."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ledger_state
from ledger.domain import scoring
from test_report import AS_OF, add, resolve, speaker

Z = 1.959963984540054


def murphy_reference(ps, ys) -> dict:
    """Brier, its decomposition over the distinct probabilities, and skill, in numpy."""
    p, y = np.asarray(ps, float), np.asarray(ys, float)
    base = y.mean()
    values, bin_of = np.unique(p, return_inverse=True)
    counts = np.bincount(bin_of)
    observed = np.bincount(bin_of, weights=y) / counts
    rel = float(np.sum(counts * (values - observed) ** 2) / len(p))
    res = float(np.sum(counts * (observed - base) ** 2) / len(p))
    unc = float(base * (1 - base))
    brier = float(np.mean((p - y) ** 2))
    return {"brier": brier, "reliability": rel, "resolution": res, "uncertainty": unc, "base_rate": float(base),
            "bins": len(values), "brier_skill_base_rate": 1 - brier / unc if unc > 0 else None, "brier_skill_50": 1 - brier / 0.25}


forecasts = st.lists(st.tuples(st.sampled_from([0.0, 0.05, 0.1, 0.3, 0.5, 0.55, 0.7, 0.9, 0.99, 1.0]), st.integers(0, 1)),
                     min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(forecasts)
def test_murphy_matches_numpy_and_its_identity_is_exact(pairs):
    ps, ys = [p for p, _ in pairs], [y for _, y in pairs]
    got = scoring.murphy(ps, ys)._asdict()
    ref = murphy_reference(ps, ys)
    for key, value in ref.items():
        assert got[key if key not in ("brier_skill_base_rate", "brier_skill_50") else key.replace("brier_", "")] == (
            None if value is None else pytest.approx(value, abs=1e-12)), key
    assert got["reliability"] - got["resolution"] + got["uncertainty"] == pytest.approx(got["brier"], abs=1e-12)


def clustered_reference(credits: list[float], events: list[str | None]) -> tuple[int, float]:
    """Units and effective sample size, from each claim's credit and event, in numpy: the
    cluster-robust variance of the mean (no small-sample factor) against the binomial one."""
    c = np.asarray(credits, float)
    n, p = len(c), c.mean()
    labels = [e if e is not None else f"lone {i}" for i, e in enumerate(events)]
    groups = sorted(set(labels))
    units = len(groups)
    if units == n:
        return units, float(n)
    if p in (0.0, 1.0) or units < 2:
        return units, float(units)
    sums = np.array([sum(ci - p for ci, g in zip(c, labels) if g == label) for label in groups])
    v_cluster = float(np.sum(sums ** 2)) / n ** 2
    deff = max(1.0, v_cluster / (p * (1 - p) / n))
    return units, n / deff


claims = st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 0.25]), st.sampled_from([None, None, "a", "b", "c"])),
                  min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(claims)
def test_the_effective_sample_size_matches_a_cluster_robust_variance(rows):
    credits, events = [c for c, _ in rows], [e for _, e in rows]
    by_event: dict[str, list[float]] = {}
    for c, e in rows:
        if e is not None:
            by_event.setdefault(e, []).append(c)
    got = scoring.effective_size(sum(credits), len(credits), sum(c * c for c in credits),
                                 [(sum(v), len(v), sum(x * x for x in v)) for v in by_event.values()])
    units, effective = clustered_reference(credits, events)
    assert got.units == units
    assert got.effective == pytest.approx(effective, rel=1e-9)


def wilson(k: float, n: float) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_forecasts_of_one_event_are_one_unit_for_the_interval(cli):
    """Ten daily updates of one forecast and ten claims on ten events: the same 6 of 10 hits, but
    the first is one event's story told ten times, and its interval is the wider."""
    speaker(cli, "Daily Dan")
    speaker(cli, "Spread Sam")
    for day in range(10):
        said = f"2020-01-{day + 1:02d}"
        hit = day >= 4
        for name, event in (("Daily Dan", "2020 race"), ("Spread Sam", f"race {day}")):
            claim = cli("add", f"{name} forecast {day}", "--speaker", name, "--said", said, "--deadline", "2020-12-31",
                        "--event", event, "--json").json["id"]
            resolve(cli, claim, *(("true", "2020-06-01") if hit else ("false",)))
    report = {s["speaker"]: s for s in cli("report", "--as-of", AS_OF, "--format", "json").json["speakers"]}
    dan, sam = report["Daily Dan"], report["Spread Sam"]
    assert dan["hit_rate"] == sam["hit_rate"] == 0.6
    assert (sam["units"], sam["effective_scored"]) == (10, 10)
    assert sam["hit_rate_ci"] == pytest.approx(wilson(6, 10), abs=1e-12)  # no shared event: plain Wilson
    # One event, one unit: the design effect cannot be estimated, so the record is worth one claim.
    assert (dan["units"], dan["effective_scored"]) == (1, 1)
    assert dan["hit_rate_ci"] == pytest.approx(wilson(0.6, 1), abs=1e-12)
    low, high = dan["hit_rate_ci"]
    assert high - low > 1.5 * (sam["hit_rate_ci"][1] - sam["hit_rate_ci"][0])


def test_two_events_told_several_times_widen_the_interval_by_the_design_effect(cli):
    speaker(cli, "Twice Tom")
    outcomes = {"Race A": [1, 1, 1, 1, 0], "Race B": [0, 0, 0, 0, 1], None: [1, 0]}
    credits, events = [], []
    for event, ys in outcomes.items():
        for i, y in enumerate(ys):
            args = ["--event", event] if event else []
            claim = cli("add", f"{event} {i}", "--speaker", "Twice Tom", "--said", f"2020-02-{i + 1:02d}",
                        "--deadline", "2020-12-31", *args, "--json").json["id"]
            resolve(cli, claim, *(("true", "2020-06-01") if y else ("false",)))
            credits.append(y)
            events.append(event)
    tom = cli("report", "--as-of", AS_OF, "--format", "json").json["speakers"][0]
    units, effective = clustered_reference(credits, events)
    assert (tom["units"], tom["effective_scored"]) == (units, pytest.approx(effective, rel=1e-12)) and units == 4
    assert tom["hit_rate_ci"] == pytest.approx(wilson(sum(credits) / len(credits) * effective, effective), abs=1e-12)


@ledger_state
def two_kinds(cli):
    """Ada states probabilities (0.9, 0.8, 0.7, 0.6; the 0.7 came false); Bo only hedges."""
    speaker(cli, "Ada Forecaster")
    speaker(cli, "Bo Pundit")
    for p, outcome in ((0.9, "true"), (0.8, "true"), (0.7, "false"), (0.6, "true")):
        resolve(cli, add(cli, "Ada Forecaster", "2020-01-01", "2020-12-31", probability=p), outcome,
                "2020-06-01" if outcome == "true" else None)
    for words in ("very likely", "I doubt it"):
        resolve(cli, add(cli, "Bo Pundit", "2020-01-01", "2020-12-31", confidence=words), "true", "2020-03-01")


def test_each_kind_of_speaker_gets_its_headline_with_its_reason_in_every_format(two_kinds):
    data = two_kinds("report", "--as-of", AS_OF, "--format", "json").json
    ada, bo = sorted(data["speakers"], key=lambda s: s["speaker"])
    assert ada["headline"] == "brier" and "states probabilities" in ada["headline_reason"]
    assert bo["headline"] == "hit_rate" and bo["skill"] is None and "no probabilities" in bo["headline_reason"]
    ref = murphy_reference([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 1])
    for key, value in ref.items():
        assert ada["skill"][key] == pytest.approx(value, abs=1e-12), key
    b = np.array([0.01, 0.04, 0.49, 0.16])  # no events: each forecast a unit
    half = Z * math.sqrt(np.sum((b - b.mean()) ** 2)) / 4
    assert ada["skill"]["units"] == 4 and ada["skill"]["brier_ci"] == pytest.approx([max(0, b.mean() - half), b.mean() + half])
    assert ada["skill"]["log_score"] == pytest.approx(-(math.log(0.9) + math.log(0.8) + math.log(0.3) + math.log(0.6)) / 4)
    rows = {r["speaker"]: r for r in csv.DictReader(io.StringIO(two_kinds("report", "--as-of", AS_OF, "--format", "csv").out))}
    assert rows["Ada Forecaster"]["headline"] == "brier" and rows["Bo Pundit"]["headline"] == "hit_rate"
    assert float(rows["Ada Forecaster"]["brier_skill_base_rate"]) == pytest.approx(ref["brier_skill_base_rate"])
    assert float(rows["Ada Forecaster"]["reliability"]) == pytest.approx(ref["reliability"]) and rows["Bo Pundit"]["reliability"] == ""
    for fmt in ("table", "markdown", "html"):
        out = two_kinds("report", "--as-of", AS_OF, "--format", fmt, "--wide").out if fmt == "table" else \
            two_kinds("report", "--as-of", AS_OF, "--format", fmt).out
        assert "Brier score 0.175 over 4 stated probabilities, because" in out, fmt
        assert "states no probabilities" in out and "Headline" in out, fmt
        assert "Murphy" in out and "reliability 0.1750" in out and "resolution 0.1875" in out, fmt


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from([None, None, "a", "b"])), min_size=1, max_size=30))
def test_the_brier_interval_counts_an_events_forecasts_as_one_unit(rows):
    values, events = [v for v, _ in rows], [e for _, e in rows]
    got = scoring.clustered_mean_interval(values, events)
    labels = [e if e is not None else f"lone {i}" for i, e in enumerate(events)]
    v = np.asarray(values)
    assert got.units == len(set(labels))
    if got.units < 2:
        assert got.interval is None
        return
    sums = [float(np.sum(v[[g == label for g in labels]] - v.mean())) for label in set(labels)]
    half = Z * math.sqrt(sum(s * s for s in sums)) / len(v)
    assert got.interval == pytest.approx((max(0.0, v.mean() - half), min(1.0, v.mean() + half)), abs=1e-12)


def test_a_few_stated_numbers_among_hedged_claims_keep_the_hit_rate_headline(cli):
    speaker(cli, "Mostly Hedged")
    speaker(cli, "Half Stated")
    for name, stated in (("Mostly Hedged", 1), ("Half Stated", 2)):
        for i in range(4):
            extra = {"probability": "70%"} if i < stated else {"confidence": "likely"}
            resolve(cli, add(cli, name, "2020-01-01", "2020-12-31", **extra), "true", "2020-06-01")
    board = {s["speaker"]: s for s in cli("report", "--leaderboard", "--min-resolved", "1", "--as-of", AS_OF,
                                          "--format", "json").json["speakers"]}
    mostly, half = board["Mostly Hedged"], board["Half Stated"]
    assert (mostly["group"], mostly["skill"]["n"]) == ("hit_rate", 1)  # 1 of 4: still a hit-rate speaker
    assert (half["group"], half["skill"]["n"]) == ("brier", 2)  # 2 of 4: half, a forecaster of probabilities
    assert half["skill"]["brier"] == pytest.approx(0.3 ** 2)


def test_the_shrunk_rate_counts_an_events_claims_at_their_effective_size(cli):
    """With a prior to shrink toward (four speakers), a record of ten updates on two events is
    shrunk as the few units it is worth, not as ten independent claims; scipy gives the quantiles."""
    from scipy.stats import beta as beta_dist

    records = {"Ann Alone": [1, 0, 1, 1, 0, 1], "Bo Alone": [0, 0, 1, 0, 1], "Cy Alone": [1, 1, 1, 0, 1, 1, 0]}
    for name, ys in records.items():
        speaker(cli, name)
        for y in ys:
            resolve(cli, add(cli, name, "2020-01-01", "2020-12-31"), *(("true", "2020-06-01") if y else ("false",)))
    speaker(cli, "Updating Uma")
    outcomes = {"Race A": [1] * 5, "Race B": [0] * 5}  # each race told five times over
    credits, events = [], []
    for event, ys in outcomes.items():
        for i, y in enumerate(ys):
            claim = cli("add", f"{event} update {i}", "--speaker", "Updating Uma", "--said", f"2020-03-{i + 1:02d}",
                        "--deadline", "2020-12-31", "--event", event, "--json").json["id"]
            resolve(cli, claim, *(("true", "2020-06-01") if y else ("false",)))
            credits.append(y)
            events.append(event)
    data = cli("report", "--as-of", AS_OF, "--format", "json").json
    prior = data["prior"]
    assert prior["method"] != "none"
    uma = next(s for s in data["speakers"] if s["speaker"] == "Updating Uma")
    units, effective = clustered_reference(credits, events)
    assert (uma["units"], uma["effective_scored"]) == (2, pytest.approx(effective)) and effective < 10
    k = sum(credits) / len(credits) * effective
    a, b = prior["alpha"] + k, prior["beta"] + effective - k
    assert uma["shrunk_hit_rate"] == pytest.approx(a / (a + b), abs=1e-12)
    assert uma["shrunk_hit_rate_ci"] == pytest.approx([beta_dist.ppf(0.025, a, b), beta_dist.ppf(0.975, a, b)], abs=1e-9)
    ann = next(s for s in data["speakers"] if s["speaker"] == "Ann Alone")  # no events: as before
    assert ann["shrunk_hit_rate"] == pytest.approx((4 + prior["alpha"]) / (6 + prior["alpha"] + prior["beta"]), abs=1e-12)
