"""The report on FiveThirtyEight's NFL game forecasts for the 2021 season (tests/data, CC BY 4.0):
each game is one event with two claims, one per team ("the Rams beat the Bengals"), imported with
`claims import` and scored by `claims report`; every figure is checked against the same figure
computed here with numpy straight from the CSV, without any of the ledger's code.

A tie (one in this season: Steelers v Lions, 2021-11-14) is a draw, not a win: both claims are
false."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest

from recording import reviewed_long_ago  # noqa: F401  (a fixture)

SLICE = Path(__file__).parent / "data" / "nfl_games_2021.csv"
AS_OF = "2022-03-01"  # after the Super Bowl
MODEL = "FiveThirtyEight NFL model"
Z = 1.959963984540054


@pytest.fixture(autouse=True)
def _reviewed_long_ago(reviewed_long_ago):
    """Reviewed as on 2000-01-01, so every report after the season sees every verdict."""


def games() -> list[dict]:
    return list(csv.DictReader(SLICE.open(encoding="utf-8")))


def game_event(g: dict) -> str:
    return f"NFL {g['date']} {g['team1']} v {g['team2']}"


def forecasts(rows: list[dict]) -> list[tuple[str, str, str, float, int]]:
    """(event, team, opponent, probability, won) for both teams of every game; a tie is won by neither."""
    out = []
    for g in rows:
        for team, other, p, outcome in ((g["team1"], g["team2"], g["prob1"], g["prob1_outcome"]),
                                        (g["team2"], g["team1"], g["prob2"], g["prob2_outcome"])):
            out.append((game_event(g), team, other, float(p), 1 if outcome == "1" else 0))
    return out


def as_claims(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["speaker", "text", "said", "deadline", "probability", "outcome", "occurred", "reviewer", "tags", "event"])
    for g in rows:
        for team, other, p, outcome in ((g["team1"], g["team2"], g["prob1"], g["prob1_outcome"]),
                                        (g["team2"], g["team1"], g["prob2"], g["prob2_outcome"])):
            won = outcome == "1"
            writer.writerow([MODEL, f"The {team} beat the {other} on {g['date']}", g["date"], g["date"], p,
                             "true" if won else "false", g["date"] if won else "", "Game results", "nfl", game_event(g)])
    return out.getvalue()


@pytest.fixture
def nfl(cli, tmp_path):
    path = tmp_path / "nfl.csv"
    path.write_text(as_claims(games()), encoding="utf-8")
    result = cli("import", path, "--json")
    assert result.status == 0, result.err
    assert result.json["claims_added"] == 2 * len(games()) == 570
    return cli


def reference() -> dict:
    rows = forecasts(games())
    p = np.array([r[3] for r in rows])
    y = np.array([r[4] for r in rows], float)
    n = len(p)
    base = y.mean()
    values, inverse = np.unique(p, return_inverse=True)
    counts = np.bincount(inverse)
    observed = np.bincount(inverse, weights=y) / counts
    brier = float(np.mean((p - y) ** 2))
    unc = float(base * (1 - base))
    given = np.clip(np.where(y == 1, p, 1 - p), 1e-15, 1 - 1e-15)
    # The event-clustered interval: each game one unit, cluster-robust variance of the hit rate.
    rate = base
    games_of = {}
    for (event, *_), yi in zip(rows, y):
        games_of.setdefault(event, []).append(yi)
    v = sum((sum(ys) - rate * len(ys)) ** 2 for ys in games_of.values()) / n ** 2
    deff = max(1.0, v / (rate * (1 - rate) / n))
    effective = n / deff
    centre = (rate + Z * Z / (2 * effective)) / (1 + Z * Z / effective)
    half = Z / (1 + Z * Z / effective) * math.sqrt(rate * (1 - rate) / effective + Z * Z / (4 * effective ** 2))
    # The Brier score's interval, each game one unit.
    b = (p - y) ** 2
    by_game: dict[str, float] = {}
    for (event, *_), bi in zip(rows, b):
        by_game[event] = by_game.get(event, 0.0) + (bi - brier)
    se = math.sqrt(sum(s * s for s in by_game.values())) / n
    tenths = np.floor(np.round(p * 10, 9) + 0.5).astype(int)
    return {
        "n": n, "hits": int(y.sum()), "brier": brier, "log_score": float(-np.mean(np.log(given))), "base_rate": float(base),
        "reliability": float(np.sum(counts * (values - observed) ** 2) / n),
        "resolution": float(np.sum(counts * (observed - base) ** 2) / n), "uncertainty": unc,
        "brier_skill_base_rate": 1 - brier / unc, "brier_skill_50": 1 - brier / 0.25, "bins": len(values),
        "brier_ci": (max(0.0, brier - Z * se), min(1.0, brier + Z * se)),
        "units": len(games_of), "effective": effective, "ci": (centre - half, centre + half),
        "buckets": {t: (int(np.sum(tenths == t)), float(y[tenths == t].mean()) if np.any(tenths == t) else None) for t in range(11)},
    }


def test_the_season_matches_an_independent_computation(nfl):
    ref = reference()
    data = nfl("report", "--as-of", AS_OF, "--format", "json").json
    (got,) = data["speakers"]
    assert (got["claims"], got["scored"], got["hits"]) == (ref["n"], ref["n"], ref["hits"]) == (570, 570, 284)  # the tie: no winner
    assert got["headline"] == "brier"
    skill = got["skill"]
    assert skill["n"] == ref["n"] and skill["bins"] == ref["bins"]
    for key in ("brier", "log_score", "base_rate", "reliability", "resolution", "uncertainty", "brier_skill_base_rate", "brier_skill_50"):
        assert skill[key] == pytest.approx(ref[key], abs=1e-9), key
    assert skill["reliability"] - skill["resolution"] + skill["uncertainty"] == pytest.approx(skill["brier"], abs=1e-12)
    assert skill["units"] == 285 and skill["brier_ci"] == pytest.approx(list(ref["brier_ci"]), abs=1e-9)
    # 285 games, two claims each: 285 units. The two claims of a game are complementary (one wins),
    # so they never look less certain than independent claims: the design effect is held at 1.
    assert got["units"] == ref["units"] == 285
    assert got["effective_scored"] == pytest.approx(ref["effective"], rel=1e-9)
    assert got["hit_rate_ci"] == pytest.approx(list(ref["ci"]), abs=1e-9)
    buckets = {round(b["bucket"] * 10): (b["n"], b["observed"]) for b in got["calibration"]}
    for tenth, (n, observed) in ref["buckets"].items():
        assert buckets[tenth][0] == n, tenth
        assert buckets[tenth][1] == (None if observed is None else pytest.approx(observed, abs=1e-12)), tenth


def test_the_leaderboard_ranks_the_model_by_its_brier_score(nfl):
    board = nfl("report", "--leaderboard", "--as-of", AS_OF, "--format", "json").json
    (row,) = board["speakers"]
    assert (row["group"], row["rank"]) == ("brier", 1)
    assert row["skill"]["brier"] == pytest.approx(reference()["brier"], abs=1e-9)


def test_each_game_is_one_event_with_two_claims(nfl):
    exported = list(csv.DictReader(io.StringIO(nfl("export").out)))
    by_event: dict[str, list[dict]] = {}
    for row in exported:
        by_event.setdefault(row["event"], []).append(row)
    assert len(by_event) == 285 and all(len(pair) == 2 for pair in by_event.values())
    tie = by_event["NFL 2021-11-14 Steelers v Lions"]
    assert [r["outcome"] for r in tie] == ["false", "false"]
    assert sum(float(r["probability"]) for r in tie) == pytest.approx(1.0)
