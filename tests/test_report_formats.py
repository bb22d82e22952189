"""The report in each format a user asks for: the terminal table, JSON with the documented keys, CSV
with one row per speaker, Markdown ready to paste, and one self-contained HTML page."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import ledger_state
from test_report import AS_OF, add, resolve, speaker

DOCS = Path(__file__).resolve().parent.parent / "docs" / "report.md"
REQUIRED_KEYS = {
    "speaker", "claims", "open", "overdue", "resolved", "ambiguous", "hits", "hit_rate", "hit_rate_ci",
    "shrunk_hit_rate", "brier", "brier_n", "log_score", "calibration", "lateness", "by_tag", "by_year",
}


@ledger_state
def two_speakers(cli):
    """Ada gives numbers (3 of 4 came true on time); Bo uses hedge words (1 of 2) and has one open."""
    speaker(cli, "Ada Forecaster")
    speaker(cli, "Bo Pundit")
    for p, outcome in ((0.9, "true"), (0.8, "true"), (0.7, "false"), (0.6, "true")):
        resolve(cli, add(cli, "Ada Forecaster", "2020-01-01", "2020-12-31", probability=p, tags=("energy",)),
                outcome, "2020-06-01" if outcome == "true" else None)
    resolve(cli, add(cli, "Bo Pundit", "2019-01-01", "2019-12-31", confidence="very likely", tags=("space",)), "true", "2019-03-01")
    resolve(cli, add(cli, "Bo Pundit", "2021-01-01", "2021-12-31", confidence="I doubt it"), "true", "2021-03-01")
    add(cli, "Bo Pundit", "2024-01-01", "2031-12-31")


def test_table(two_speakers):
    result = two_speakers("report", "--as-of", AS_OF)
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"Showing every speaker; tag any; said any time; as of {AS_OF}; policy strict."
    assert lines[2].split()[:3] == ["SPEAKER", "CLAIMS", "SCORED"]  # open, overdue, resolved: with --wide
    assert all(len(line) <= 80 for line in lines)
    wide = two_speakers("report", "--as-of", AS_OF, "--wide").out.splitlines()
    assert wide[2].split()[:3] == ["SPEAKER", "CLAIMS", "OPEN"]
    ada = next(line for line in wide if line.startswith("Ada Forecaster"))
    assert "75.0%" in ada and "0.175 (4)" in ada  # 3 of 4; Brier (0.01 + 0.04 + 0.49 + 0.16) / 4
    # Two speakers: each one's details follow, and the notes state the policy and the prior.
    assert "Hit rate            75.0% (3 of 4; 95% CI" in result.out
    assert "Brier, hedge words  " in result.out and "BUCKET" in result.out and "YEAR" in result.out
    assert "policy strict" in result.out
    # Two speakers are too few to fit a prior across: the report says the rates are not shrunk.
    assert "Rates are not shrunk: 2 speakers with" in result.out


def test_json_has_the_documented_keys(two_speakers):
    data = two_speakers("report", "--as-of", AS_OF, "--format", "json").json
    assert {"as_of", "policy", "prior", "speakers"} <= set(data)
    assert data["as_of"] == AS_OF and data["policy"] == "strict"
    assert {"alpha", "beta", "method"} <= set(data["prior"])
    for row in data["speakers"]:
        assert REQUIRED_KEYS <= set(row)
        assert len(row["hit_rate_ci"]) == 2
        assert {"on_time_share", "median_ratio"} <= set(row["lateness"])
        assert all({"bucket", "n", "observed"} <= set(b) for b in row["calibration"])
    bo = next(r for r in data["speakers"] if r["speaker"] == "Bo Pundit")
    assert (bo["claims"], bo["open"], bo["scored"], bo["hits"]) == (3, 1, 2, 2)
    # very likely = 0.875 and I doubt = 0.125, both came true: ((0.125)^2 + (0.875)^2) / 2.
    assert bo["forecasts"]["hedge"]["brier"] == pytest.approx((0.125 ** 2 + 0.875 ** 2) / 2)
    assert bo["forecasts"]["stated"]["n"] == 0


def _documented_keys(value, path=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, f"{path}.{key}"
            yield from _documented_keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _documented_keys(item, path)


def test_every_json_key_is_documented(two_speakers, ledger):
    from datetime import date

    from ledger.services.reports import speaker_report

    docs = DOCS.read_text(encoding="utf-8")
    report = two_speakers("report", "--as-of", AS_OF, "--format", "json").json
    board = two_speakers("report", "--leaderboard", "--min-resolved", "1", "--as-of", AS_OF, "--format", "json").json
    with_curve = speaker_report(ledger, "Ada Forecaster", as_of=date(2030, 1, 1))
    missing = {path for data in (report, board, with_curve) for key, path in _documented_keys(data) if f"`{key}`" not in docs}
    assert not missing, f"keys not in docs/report.md: {sorted(missing)}"


def test_csv_is_one_row_per_speaker(two_speakers):
    result = two_speakers("report", "--as-of", AS_OF, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert sorted(r["speaker"] for r in rows) == ["Ada Forecaster", "Bo Pundit"]
    ada = next(r for r in rows if r["speaker"] == "Ada Forecaster")
    assert (ada["claims"], ada["scored"], ada["hits"], ada["brier_stated_n"], ada["brier_hedge_n"]) == ("4", "4", "3", "4", "0")
    assert float(ada["hit_rate"]) == 0.75 and float(ada["brier"]) == pytest.approx(0.175)
    assert float(ada["hit_rate_low"]) < 0.75 < float(ada["hit_rate_high"])
    assert ada["as_of"] == AS_OF and ada["policy"] == "strict" and ada["prior_method"]


def test_markdown_is_ready_to_paste(two_speakers):
    md = two_speakers("report", "--as-of", AS_OF, "--format", "markdown").out
    assert md.startswith(f"## Prediction accuracy as of {AS_OF}")
    tables = [block for block in md.split("\n\n") if block.startswith("| ")]
    assert len(tables) >= 1 + 2 * 2  # the summary; each speaker's calibration and years
    for block in tables:
        rows = block.splitlines()
        assert re.fullmatch(r"\|(---:?\|)+", rows[1])  # the header separator GitHub needs
        assert len({row.count(" | ") for row in rows if row != rows[1]}) == 1  # same columns on every row
    assert "| Ada Forecaster | 4 | 0 | 0 | 4 | 4 | 3 | 75.0% |" in md
    assert "### Bo Pundit" in md and "ICD 203" in md


def test_html_is_one_self_contained_page(two_speakers, tmp_path):
    out = tmp_path / "report.html"
    result = two_speakers("report", "--as-of", AS_OF, "--format", "html", "--out", out)
    assert result.status == 0, result.err
    assert result.out == "" and str(out) in result.err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page and "<img" not in page
    # No address is ever fetched: the only URLs are the SVG namespaces, which are names, not links.
    assert set(re.findall(r"https?://[^\"'\s<>)]+", page)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)
    titles = re.findall(r"<svg [^>]*aria-label=\"([^\"]+)\"", page)
    assert titles == [f"{kind}: {name}" for name in ("Ada Forecaster", "Bo Pundit")
                      for kind in ("Calibration", "Hit rate over time", "Lateness")]
    assert len(set(re.findall(r'\bid="([^"]+)"', page))) == len(re.findall(r'\bid="([^"]+)"', page))  # unique ids


def test_out_writes_whole_files_and_refuses_a_folder(two_speakers, tmp_path):
    for fmt in ("table", "json", "csv", "markdown"):
        out = tmp_path / f"report.{fmt}"
        result = two_speakers("report", "--as-of", AS_OF, "--format", fmt, "--out", out)
        assert result.status == 0 and result.out == ""
        assert out.read_text(encoding="utf-8") == two_speakers("report", "--as-of", AS_OF, "--format", fmt).out
    assert json.loads((tmp_path / "report.json").read_text())["as_of"] == AS_OF
    folder = two_speakers("report", "--format", "csv", "--out", tmp_path)
    assert folder.status == 2 and "is a directory" in folder.err
    missing = two_speakers("report", "--out", tmp_path / "no" / "such" / "dir.csv")
    assert missing.status == 2 and "cannot write" in missing.err and "Traceback" not in missing.err


def test_a_failed_report_leaves_no_file(two_speakers, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    result = two_speakers("report", "--speaker", "Nobody Known", "--format", "html", "--out", folder / "report.html")
    assert result.status == 3
    assert list(folder.iterdir()) == []  # neither the page nor its temporary file


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown", "html"])
def test_leaderboard_formats(two_speakers, fmt):
    result = two_speakers("report", "--leaderboard", "--min-resolved", "2", "--as-of", AS_OF, "--format", fmt)
    assert result.status == 0, result.err
    assert "Ada Forecaster" in result.out and "Bo Pundit" in result.out
    if fmt == "json":
        # Ada states probabilities, Bo does not: each is first of their own group.
        assert [(s["speaker"], s["group"], s["rank"]) for s in result.json["speakers"]] == [
            ("Ada Forecaster", "brier", 1), ("Bo Pundit", "hit_rate", 1)]
    if fmt == "csv":
        assert list(csv.DictReader(io.StringIO(result.out)))[0]["rank"] == "1"
    if fmt in ("table", "markdown", "html"):
        assert "never the raw rate" in result.out
