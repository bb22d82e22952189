"""`claims search`: full text over claims, quotes, speakers' names and sources, kept up to date in
the transaction of every write, on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from ledger.cli.app import run
from ledger.cli.environment import Environment
from ledger.store.engine import open_ledger

SPREADSHEET = """speaker,text,said,deadline,tags
Sam Altman,GPT-5 is released,2024-01-18,within two years,ai
Sam Altman,Superintelligence arrives,2024-09-23,by 2035,ai
"""


@pytest.fixture
def ledger_with_claims(musk):
    """The seed article's speaker and source, and three claims."""
    assert musk("source", "add", "https://example.org/talk", "--title", "Mars colony keynote", "--published", "2016-09-27").status == 0
    ids = {}
    for name, args in {
        "robotaxi": ["Robotaxis carry paying riders in Austin", "--said", "2025-01-29", "--deadline", "2025-06-30"],
        "fsd": ["Full self-driving at level 4 or 5", "--said", "2023-07-06", "--deadline", "2023-12-31",
                "--quote", "later this year, robotaxi ready", "--source", "https://example.org/waic-2023"],
        "mars": ["People land on Mars", "--said", "2016-09-27", "--deadline", "2024-12-31", "--source", "https://example.org/talk"],
    }.items():
        result = musk("add", args[0], "--speaker", "Musk", *args[1:], "--json")
        assert result.status == 0, result.err
        ids[name] = result.json["id"]
    return ids


def found(cli, *args) -> list[int]:
    result = cli("search", *args, "--json")
    assert result.status == 0, result.err
    return [c["id"] for c in result.json["claims"]]


def test_search_finds_text_quote_names_and_sources_most_relevant_first(musk, ledger_with_claims):
    ids = ledger_with_claims
    assert found(musk, "robotaxi") == [ids["robotaxi"], ids["fsd"]]  # its text, then a quote ("robotaxis" stems alike)
    assert found(musk, "colony") == [ids["mars"]]  # the source's title
    assert set(found(musk, "Elon")) == set(ids.values())  # the speaker's name
    assert found(musk, '"paying riders"') == [ids["robotaxi"]]
    assert found(musk, '"riders paying"') == []
    assert found(musk, "robotaxi -austin") == [ids["fsd"]]
    assert set(found(musk, "mars OR austin")) == {ids["mars"], ids["robotaxi"]}
    assert found(musk, "robotaxi", "--limit", "1") == [ids["robotaxi"]]
    assert found(musk, "robotaxi", "--status", "resolved") == []
    assert found(musk, "nothing-like-it") == []
    result = musk("search", "robotaxi", "--json").json
    scores = [c["score"] for c in result["claims"]]
    assert scores == sorted(scores, reverse=True) and result["words"] == ["robotaxi"]


@pytest.mark.parametrize("query, words", [
    ('"full self', "unbalanced quote"),
    ("OR robotaxi", "OR needs words"),
    ("robotaxi OR", "OR needs words"),
    ('""', "empty phrase"),
    ("   ", "empty query"),
    ("robotaxi OR -austin", "only leaves words out"),
    ("***", "no letters or digits"),
])
def test_bad_query_syntax_is_one_line(musk, ledger_with_claims, query, words):
    result = musk("search", query)
    assert result.status == 2 and words in result.err and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err and "sql" not in result.err.lower()


def test_the_index_follows_edits_merges_and_withdrawals(musk, ledger_with_claims):
    ids = ledger_with_claims
    assert musk("edit", ids["mars"], "--text", "People land on the Moon", "--reason", "misquoted").status == 0
    assert found(musk, "moon") == [ids["mars"]]
    assert found(musk, "mars") == [ids["mars"]]  # still in its source's title
    assert found(musk, '"land on mars"') == []
    assert musk("speaker", "alias", "Musk", "Technoking").status == 0
    assert set(found(musk, "technoking")) == set(ids.values())
    assert musk("withdraw", ids["robotaxi"], "--reason", "logged twice").status == 0
    assert found(musk, "austin") == []
    assert found(musk, "austin", "--all") == [ids["robotaxi"]]
    assert musk("source", "edit", "https://example.org/talk", "--title", "Interplanetary keynote").status == 0
    assert found(musk, "interplanetary") == [ids["mars"]]
    assert musk("verify").status == 0


def test_the_index_follows_a_merge(cli):
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("speaker", "add", "Musk", "--new-speaker").status == 0
    moved = cli("add", "Robotaxis in Austin", "--speaker", "Musk", "--said", "2025-01-29", "--deadline", "2025-06-30", "--json").json["id"]
    assert cli("speaker", "merge", "Musk", "Elon Musk").status == 0
    assert found(cli, '"elon musk"') == [moved]
    assert found(cli, "robotaxis", "--speaker", "Elon Musk") == [moved]
    assert cli("verify").status == 0


def test_search_after_import(cli, tmp_path):
    sheet = tmp_path / "claims.csv"
    sheet.write_text(SPREADSHEET, encoding="utf-8")
    assert cli("import", str(sheet)).status == 0
    assert len(found(cli, "superintelligence OR gpt")) == 2
    assert len(found(cli, "altman")) == 2
    assert cli("verify").status == 0


def test_matches_are_highlighted_on_a_terminal_only(musk, ledger_with_claims, db_url):
    out = io.StringIO()
    assert run(["--db", db_url, "search", "austin"], env=Environment(stdout=out, stdout_isatty=True)) == 0
    assert "\x1b[" in out.getvalue() and "Austin" in out.getvalue()
    piped = musk("search", "austin")
    assert "\x1b[" not in piped.out and "Robotaxis carry paying riders in Austin" in piped.out


@pytest.mark.parametrize("sql, words", [
    ("UPDATE search_documents SET document = 'nothing to see'", "search document of claim #1 was changed"),
    ("DELETE FROM search_documents WHERE claim_id = 1", "search document of claim #1 is missing"),
])
def test_a_search_document_changed_behind_the_tools_back_is_named_by_verify(musk, ledger_with_claims, db_url, sql, words):
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        s.execute(text(sql))
    ledger.dispose()
    result = musk("verify")
    assert result.status == 5 and words in result.err, result.err


def test_downgrading_and_upgrading_the_search_revision_keeps_the_ledger_and_reindexes(musk, ledger_with_claims):
    before = musk("list", "--json").json
    assert musk("db", "downgrade", "0008").status == 0  # the index is rebuilt from the claims: nothing lost
    assert musk("db", "upgrade").status == 0
    assert musk("list", "--json").json == before
    assert found(musk, "robotaxi") == [ledger_with_claims["robotaxi"], ledger_with_claims["fsd"]]
    assert musk("verify").status == 0


def test_withdrawn_claims_are_skipped_however_many_rank_first(cli, tmp_path):
    """Withdrawn claims are left out of the best hits even when more of them rank first than
    search reads beyond --limit (it then joins every hit to the claims)."""
    rows = "".join(f"Ada Analyst,Fusion power arrives {'fusion ' * (40 - i)}({i}),2024-01-{1 + i % 28:02d},by 2040\n" for i in range(40))
    (tmp_path / "many.csv").write_text("speaker,text,said,deadline\n" + rows, encoding="utf-8")
    assert cli("import", str(tmp_path / "many.csv")).status == 0
    everything = found(cli, "fusion", "--all", "--limit", "40")
    assert len(everything) == 40
    for claim_id in everything[:30]:  # the thirty best, more than --limit and the slack together
        assert cli("withdraw", claim_id, "--reason", "logged twice").status == 0
    assert found(cli, "fusion", "--limit", "5") == everything[30:35]
    assert found(cli, "fusion", "--limit", "5", "--all") == everything[:5]
    assert found(cli, "fusion", "--limit", "20") == everything[30:]
