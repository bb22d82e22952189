"""`claims report --claims`: the track record, one row per claim, in every format, on SQLite and
PostgreSQL. The expected rows are written out by hand from the claims logged below."""

from __future__ import annotations

import csv
import io

import pytest

from recording import record_at, reviewed_long_ago  # noqa: F401  (a fixture)


def _add(cli, text, said, deadline, *extra):
    result = cli("add", text, "--speaker", "Elon Musk", "--said", said, "--deadline", deadline, *extra, "--json")
    assert result.status == 0, result.err
    return result.json["id"]


@pytest.fixture
def record(cli, reviewed_long_ago):
    """Four claims by one speaker (one restating another) and one by someone else."""
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("speaker", "add", "Ada Other").status == 0
    first = _add(cli, "Full self-driving by the end of the year", "2016-10-19", "2017-12-31",
                 "--quote", "by the end of next year", "--tag", "autonomy")
    moved = _add(cli, "Full self-driving next year", "2019-04-22", "2020-12-31", "--restates", first, "--tag", "autonomy")
    mars = _add(cli, "People on Mars in 2024", "2016-09-27", "2024-12-31", "--tag", "space")
    open_ = _add(cli, "A robotaxi network in 2035", "2024-01-01", "2035-12-31", "--tag", "autonomy")
    assert cli("add", "Something else", "--speaker", "Ada Other", "--said", "2018-01-01", "--deadline", "2019-01-01").status == 0
    assert cli("resolve", first, "--outcome", "false", "--reviewer", "Rita", "--evidence", "https://example.org/fsd").status == 0
    assert cli("resolve", moved, "--outcome", "true", "--occurred", "2021-03-01", "--reviewer", "Sam",
               "--evidence", "https://example.org/a", "--evidence", "https://example.org/b").status == 0
    return {"first": first, "moved": moved, "mars": mars, "open": open_}


def track(cli, *args):
    result = cli("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--format", "json", *args)
    assert result.status == 0, result.err
    return result.json


def test_one_row_per_claim_oldest_said_first_with_every_column(cli, record):
    data = track(cli)
    rows = data["track_record"]
    assert [r["id"] for r in rows] == [record["mars"], record["first"], record["moved"], record["open"]]
    mars, first, moved, open_ = rows
    assert first["said"] == "2016-10-19" and first["words"] == "by the end of next year"  # the quote wins
    assert first["deadline_text"] == "2017-12-31" and first["deadline"] == "2017-12-31"
    assert (first["status"], first["outcome"], first["occurred"], first["days_late"]) == ("false", "false", None, None)
    assert first["reviewers"] == ["Rita"] and first["evidence"] == ["https://example.org/fsd"]
    assert moved["words"] == "Full self-driving next year"  # no quote: the claim's text
    assert moved["status"] == "true, late" and moved["occurred"] == "2021-03-01"
    assert moved["days_late"] == 60  # 2020-12-31 to 2021-03-01: 31 + 28 + 1
    assert moved["restates"] == record["first"]
    assert moved["evidence"] == ["https://example.org/a", "https://example.org/b"]
    assert mars["status"] == "overdue" and mars["reviewers"] == [] and mars["outcome"] is None
    assert open_["status"] == "open"
    assert data["filters"]["speakers"] == ["Elon Musk"] and data["as_of"] == "2026-01-01"


def test_filtered_like_the_rest_of_the_report(cli, record):
    assert [r["id"] for r in track(cli, "--tag", "space")["track_record"]] == [record["mars"]]
    assert [r["id"] for r in track(cli, "--since", "2017-01-01")["track_record"]] == [record["moved"], record["open"]]
    assert [r["id"] for r in track(cli, "--until", "2016-12-31")["track_record"]] == [record["mars"], record["first"]]
    # At the end of 2016 only claims said by then; a verdict before the deadline waits for it.
    stood = track(cli, "--as-of", "2016-12-31")["track_record"]
    assert [(r["id"], r["status"], r["outcome"]) for r in stood] == [
        (record["mars"], "open", None), (record["first"], "awaiting deadline", "false")]


def test_a_verdict_recorded_later_is_not_shown_as_of_earlier(cli, monkeypatch):
    assert cli("speaker", "add", "Elon Musk").status == 0
    claim = _add(cli, "Tunnels", "2017-01-01", "2018-01-01")
    record_at(monkeypatch, "2019-06-01T12:00:00+00:00")
    assert cli("resolve", claim, "--outcome", "false", "--reviewer", "Rita").status == 0
    (before,) = track(cli, "--as-of", "2019-05-31")["track_record"]
    assert (before["status"], before["reviewers"]) == ("overdue", [])
    (after,) = track(cli, "--as-of", "2019-06-01")["track_record"]
    assert (after["status"], after["reviewers"]) == ("false", ["Rita"])


def test_a_verdict_whose_claim_was_edited_since_says_so_in_every_format(cli, monkeypatch, tmp_path):
    assert cli("speaker", "add", "Elon Musk").status == 0
    moved, worded, tagged = (_add(cli, text, "2017-01-01", "2018-01-01") for text in ("Tunnels", "Hyperloop", "Roads"))
    record_at(monkeypatch, "2019-06-01T12:00:00+00:00")
    for claim in (moved, worded, tagged):
        assert cli("resolve", claim, "--outcome", "false", "--reviewer", "Rita").status == 0
    record_at(monkeypatch, "2020-02-03T09:00:00+00:00")
    assert cli("edit", moved, "--deadline", "2019-12-31", "--reason", "the deadline was misread").status == 0
    assert cli("edit", worded, "--text", "A hyperloop", "--reason", "a typo").status == 0
    assert cli("edit", tagged, "--tag", "roads", "--reason", "a topic").status == 0  # not what was judged
    record_at(monkeypatch, "2020-03-01T09:00:00+00:00")
    assert cli("resolve", worded, "--outcome", "false", "--reviewer", "Rita", "--amend",
               "--reason", "judged again as it now reads").status == 0

    rows = {r["id"]: r for r in track(cli)["track_record"]}
    assert {cid: rows[cid]["edited_after_verdict"] for cid in rows} == {moved: "2020-02-03", worded: None, tagged: None}
    before = {r["id"]: r["edited_after_verdict"] for r in track(cli, "--as-of", "2020-02-02")["track_record"]}
    assert before == {moved: None, worded: None, tagged: None}  # the edit had not happened yet

    table = cli("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--wide").out
    assert "false (edited 2020-02-03)" in table and table.count("(edited ") == 2  # the row, and the note saying what it means
    assert "after its verdict" in table
    csv_rows = list(csv.DictReader(io.StringIO(track_format(cli, "csv"))))
    assert [r["edited_after_verdict"] for r in csv_rows] == ["2020-02-03", "", ""]
    for fmt in ("markdown", "html"):
        assert "false (edited 2020-02-03)" in track_format(cli, fmt) and "after its verdict" in track_format(cli, fmt)
    assert cli("publish", "--out", tmp_path / "site").status == 0
    pages = {cid: (tmp_path / "site" / "claims" / f"{cid}.html").read_text(encoding="utf-8") for cid in rows}
    assert [cid for cid, page in pages.items() if "Edited after the verdict" in page] == [moved]
    assert "<dd>on 2020-02-03:" in pages[moved]


def track_format(cli, fmt):
    result = cli("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--format", fmt)
    assert result.status == 0, result.err
    return result.out


def test_the_terminal_table_fits_80_columns_and_states_its_filters(cli, record):
    result = cli("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--tag", "autonomy")
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("Showing Elon Musk; tag autonomy;") and "as of 2026-01-01" in lines[0]
    assert max(len(line) for line in lines if "|" not in line and not line.startswith("Columns")) <= 80
    assert "true, late" in result.out and "60 late" in result.out
    assert "https://example.org/a" not in result.out  # evidence only with --wide
    wide = cli("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--wide")
    assert "https://example.org/a" in wide.out and "Rita" in wide.out


def test_csv_markdown_and_html_carry_the_same_rows(cli, record):
    base = ("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--format")
    rows = list(csv.DictReader(io.StringIO(cli(*base, "csv").out)))
    assert [int(r["id"]) for r in rows] == [record["mars"], record["first"], record["moved"], record["open"]]
    assert rows[2]["evidence"] == "https://example.org/a | https://example.org/b" and rows[2]["days_late"] == "60"
    md = cli(*base, "markdown").out
    assert md.splitlines()[2].startswith("_Showing Elon Musk;") and "true, late" in md
    page = cli(*base, "html").out
    assert page.count('<tr><td>#') == 4 and '<a href="https://example.org/a"' in page
    assert "Showing Elon Musk;" in page


def test_every_report_format_states_its_filters_at_the_top(cli, record):
    base = ("report", "--speaker", "Elon Musk", "--as-of", "2026-01-01", "--tag", "autonomy")
    assert cli(*base).out.splitlines()[0].startswith("Showing Elon Musk; tag autonomy;")
    assert cli(*base, "--format", "markdown").out.splitlines()[2].startswith("_Showing Elon Musk; tag autonomy;")
    assert "Showing Elon Musk; tag autonomy;" in cli(*base, "--format", "html").out.split("<h2>")[0]
    keys = list(cli(*base, "--format", "json").json)
    assert keys.index("filters") < keys.index("as_of") + 4 and keys[-1] == "speakers"  # the header comes first


def test_the_report_table_fits_80_columns_unless_wide(cli, record):
    narrow = cli("report", "--as-of", "2026-01-01").out.splitlines()
    summary = narrow[2:5]
    assert all(len(line) <= 80 for line in summary)
    assert any(line.startswith("Left out to fit 80 columns") for line in narrow)
    wide = cli("report", "--as-of", "2026-01-01", "--wide").out.splitlines()
    assert "MEDIAN LATENESS" in wide[2]


def test_empty_calibration_buckets_collapse_to_one_line(cli, record):
    out = cli("report", "--speaker", "Elon Musk", "--as-of", "2026-01-01").out
    assert "No forecasts to calibrate" in out
    assert "BUCKET" not in out


def test_an_empty_track_record_says_so(cli, record):
    result = cli("report", "--speaker", "Elon Musk", "--claims", "--as-of", "2026-01-01", "--until", "2000-01-01")
    assert result.status == 0 and "No claim matches these filters." in result.out


def test_claims_and_leaderboard_are_two_reports(cli, record):
    result = cli("report", "--claims", "--leaderboard")
    assert result.status == 2 and result.err.count("\n") == 1
