"""`claims import --format predictionbook`: a PredictionBook scrape becomes claims, one per
prediction, with the creator's first credence and the site's judgement."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ledger.errors import ExitStatus
from recording import reviewed_long_ago  # noqa: F401  (a fixture)

SAMPLE = Path(__file__).parent / "data" / "predictionbook_sample.json"


def exported(cli) -> list[dict]:
    return list(csv.DictReader(io.StringIO(cli("export").out)))


def test_a_scrape_imports_as_claims(cli):
    result = cli("import", SAMPLE, "--format", "predictionbook", "--json")
    assert result.status == 0, result.err
    assert (result.json["claims_added"], result.json["speakers_created"], result.json["resolutions"]) == (4, 3, 2)
    rows = exported(cli)
    assert [(r["speaker"], r["said"], r["deadline"], r["probability"], r["outcome"]) for r in rows] == [
        # alice said 80 first, then 90: the first credence is the prediction
        ("alice", "2011-05-14", "2012-12-31", "0.8", "true"),
        ("bob", "2011-06-01", "2012-06-01", "0.3", "false"),
        ("alice", "2012-01-02", "2040-01-01", "0.05", ""),
        # only someone else gave a credence: the creator stated none
        ("carol", "2015-03-01", "2016-09-30", "", ""),
    ]
    higgs = rows[0]
    assert higgs["text"] == "The Large Hadron Collider reports evidence of the Higgs boson"
    assert (higgs["reviewer"], higgs["occurred"]) == ("bob", "2012-07-04")  # who judged it, and when
    assert (higgs["source_url"], higgs["source_title"], higgs["source_publisher"]) == (
        "https://predictionbook.com/predictions/1001", "PredictionBook #1001", "PredictionBook",
    )
    assert (rows[1]["reviewer"], rows[1]["occurred"]) == ("bob", "")  # a wrong outcome has no date it happened

    again = cli("import", SAMPLE, "--format", "predictionbook", "--json")
    assert (again.json["claims_added"], again.json["claims_present"]) == (0, 4)
    assert cli("verify").status == 0


def test_a_scrape_as_json_lines(cli, tmp_path):
    items = json.loads(SAMPLE.read_text(encoding="utf-8"))
    file = tmp_path / "scrape.jsonl"
    file.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    result = cli("import", file, "--format", "predictionbook", "--json")
    assert result.status == 0, result.err
    assert result.json["claims_added"] == 4


def test_bad_predictions_are_reported_with_their_lines(cli, tmp_path):
    file = tmp_path / "scrape.json"
    file.write_text(
        "[\n"
        '  {"number": 1, "event": "Fine", "outcome": "right", "user": "a", "time_created": "2011-01-01T00:00:00Z",\n'
        '   "time_known": "2012-01-01T00:00:00Z", "responses": []},\n'
        '  {"number": 2, "event": "Odd verdict", "outcome": "maybe", "user": "a", "time_created": "2011-01-01T00:00:00Z",\n'
        '   "time_known": "2012-01-01T00:00:00Z"},\n'
        '  {"number": 3, "event": "Known before made", "outcome": null, "user": "a", "time_created": "2011-01-01T00:00:00Z",\n'
        '   "time_known": "2010-01-01T00:00:00Z"},\n'
        '  {"number": 4, "event": "No time", "user": "a", "time_known": "2010-01-01T00:00:00Z"},\n'
        '  {"number": 5, "event": "Broken", "user": \n'
        "]\n",
        encoding="utf-8",
    )
    result = cli("import", file, "--format", "predictionbook")
    assert result.status == ExitStatus.USAGE
    reported = [line.split(":", 2)[1:] for line in result.err.splitlines() if line.startswith(str(file))]
    assert [(int(n), m.strip().split(";")[0]) for n, m in reported] == [
        (4, "prediction #2: outcome: unknown PredictionBook outcome 'maybe'"),
        (6, "deadline: '2010-01-01' ends on 2010-01-01, before the date it was said (2011-01-01)"),
        (8, "prediction #4: time_created: missing"),
        (10, "malformed JSON: Expecting value"),  # where the parser gave up
    ]
    assert cli("list", "--json").json == []


def test_a_large_scrape_is_read_item_by_item_with_the_right_lines(cli, tmp_path):
    items = [
        {"number": i, "event": f"Prediction {i}", "outcome": None, "user": f"user{i % 5}",
         "time_created": "2011-01-01T00:00:00Z", "time_known": "2030-01-01T00:00:00Z",
         "responses": [{"user": f"user{i % 5}", "time": "2011-01-01T00:00:00Z", "actions": {"credence": i % 100}}]}
        for i in range(3000)
    ]
    items[2999]["time_known"] = "2001-01-01T00:00:00Z"  # the last one is bad
    text = json.dumps(items, indent=2)  # some 800 KB: items straddle the reader's chunks
    file = tmp_path / "scrape.json"
    file.write_text(text, encoding="utf-8")
    last = text.splitlines().index('    "number": 2999,') + 1  # its "{" is on the line before
    result = cli("import", file, "--format", "predictionbook", "--dry-run")
    assert result.status == ExitStatus.USAGE
    reported = [line for line in result.err.splitlines() if line.startswith(str(file))]
    assert len(reported) == 1
    assert reported[0].startswith(f"{file}:{last - 1}: deadline: '2001-01-01' ends on 2001-01-01, before the date it was said")
    assert "1 of 3000 rows" in result.err


def test_a_right_prediction_happened_the_day_it_was_judged_right(cli, tmp_path):
    """Judged wrong, then right, then a bystander's "wrong" overruled by the final verdict: the day
    it came true is the day of the last "right", not of the last judgement of any kind."""
    item = {
        "number": 77, "user": "dana", "event": "A crewed Mars landing", "time_created": "2010-01-01T00:00:00Z",
        "time_known": "2012-01-01T00:00:00Z", "outcome": "right",
        "responses": [
            {"user": "dana", "time": "2010-01-01T00:00:00Z", "actions": {"credence": 60}},
            {"user": "erin", "time": "2011-03-01T00:00:00Z", "actions": {"outcome": "wrong"}},
            {"user": "finn", "time": "2011-06-15T00:00:00Z", "actions": {"outcome": "right"}},
            {"user": "gus", "time": "2011-09-30T00:00:00Z", "actions": {"outcome": "wrong"}},
        ],
    }
    (tmp_path / "scrape.json").write_text(json.dumps([item]))
    assert cli("import", tmp_path / "scrape.json", "--format", "predictionbook").status == 0
    row = exported(cli)[0]
    assert (row["outcome"], row["occurred"], row["reviewer"]) == ("true", "2011-06-15", "finn")


def test_the_sample_reports_figures_recomputed_from_the_scrape(cli, reviewed_long_ago):
    """The report on the sample, against figures computed here from the JSON alone: each
    creator's first credence, scored 1 when judged right by the day it was to be known."""
    import math
    from datetime import datetime

    import pytest

    def day(text: str):
        return datetime.fromisoformat(text.replace(" UTC", "+00:00").replace("Z", "+00:00")).date()

    assert cli("import", SAMPLE, "--format", "predictionbook").status == 0
    as_of = "2020-01-01"
    expected: dict[str, list[tuple[float, int]]] = {}
    for item in json.loads(SAMPLE.read_text(encoding="utf-8")):
        mine = [r for r in item["responses"] if r["user"] == item["user"] and "credence" in r["actions"]]
        judged = [r for r in item["responses"] if r["actions"].get("outcome") == item["outcome"]]
        if not mine or item["outcome"] not in ("right", "wrong") or day(item["time_known"]).isoformat() >= as_of:
            continue
        came_true = item["outcome"] == "right" and day(judged[-1]["time"]) <= day(item["time_known"])
        expected.setdefault(item["user"], []).append((mine[0]["actions"]["credence"] / 100, int(came_true)))
    assert expected == {"alice": [(0.8, 1)], "bob": [(0.3, 0)]}
    report = {s["speaker"]: s for s in cli("report", "--as-of", as_of, "--format", "json").json["speakers"]}
    for user, pairs in expected.items():
        got = report[user]
        brier = sum((p - y) ** 2 for p, y in pairs) / len(pairs)
        assert got["headline"] == "brier" and got["skill"]["n"] == len(pairs)
        assert got["skill"]["brier"] == pytest.approx(brier, abs=1e-12)
        assert got["skill"]["log_score"] == pytest.approx(-sum(math.log(p if y else 1 - p) for p, y in pairs) / len(pairs))
        assert got["skill"]["brier_skill_50"] == pytest.approx(1 - brier / 0.25)
        assert got["skill"]["brier_skill_base_rate"] is None  # one outcome: no uncertainty to beat
        assert got["hit_rate"] == sum(y for _, y in pairs) / len(pairs)
    # carol's only prediction has no credence of her own and no verdict: overdue, no headline figures.
    assert report["carol"]["overdue"] == 1 and report["carol"]["headline"] == "hit_rate"
