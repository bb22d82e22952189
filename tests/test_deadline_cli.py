"""Vague deadlines from the command line: `claims deadline`, and `claims add` with words."""

from __future__ import annotations

from ledger.errors import ExitStatus


def test_deadline_command_json(cli):
    result = cli("deadline", "later this year", "--said", "2023-07-06", "--json", db=None)
    assert result.status == 0, result.err
    assert result.json == {
        "expression": "later this year",
        "said": "2023-07-06",
        "earliest": "2023-07-06",
        "deadline": "2023-12-31",
        "granularity": "year",
        "timex": "2023|END",
        "strict_deadline": None,
        "vague": False,
        "assumed": False,
    }
    by_2025 = cli("deadline", "by 2025", "--said", "2023-07-15", "--json", db=None).json
    assert (by_2025["deadline"], by_2025["strict_deadline"]) == ("2025-12-31", "2024-12-31")


def test_deadline_command_on_vague_words(cli):
    soon = cli("deadline", "soon", "--said", "2023-07-15", "--json", db=None).json
    assert soon["vague"] is True and soon["deadline"] is None and soon["granularity"] == "open"
    assumed = cli("deadline", "soon", "--said", "2023-07-15", "--horizon", "1y", "--json", db=None).json
    assert assumed["deadline"] == "2024-07-15" and assumed["assumed"] is True


def test_unreadable_and_past_deadlines_are_one_line_errors(cli):
    for words in ("by last year", "when pigs fly"):
        result = cli("deadline", words, "--said", "2023-07-15", db=None)
        assert result.status == ExitStatus.USAGE
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert "by 2025" in cli("deadline", "when pigs fly", "--said", "2023-07-15", db=None).err


def test_add_with_spoken_deadline_keeps_the_words(musk):
    added = musk("add", "Level 4 or 5 autonomy", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "later this year", "--json")
    assert added.status == 0, added.err
    claim = added.json
    assert (claim["deadline"], claim["deadline_text"], claim["deadline_granularity"]) == ("2023-12-31", "later this year", "year")
    shown = musk("show", claim["id"])
    assert "2023-12-31" in shown.out and "later this year" in shown.out


def test_add_takes_said_from_the_source(musk):
    claim = musk("add", "Coast to coast", "--speaker", "Musk", "--source", "https://example.org/waic-2023", "--deadline", "by the end of next year", "--json").json
    assert (claim["said"], claim["deadline"]) == ("2023-07-06", "2024-12-31")


def test_add_with_vague_deadline_needs_a_date_or_a_horizon(musk):
    refused = musk("add", "Robotaxis", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "soon")
    assert refused.status == ExitStatus.USAGE
    assert "--horizon" in refused.err and len(refused.err.strip().splitlines()) == 1
    assert musk("list", "--json").json == []
    assumed = musk("add", "Robotaxis", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "soon", "--horizon", "1y", "--json").json
    assert (assumed["deadline"], assumed["deadline_text"], assumed["deadline_assumed"]) == ("2024-07-06", "soon", True)
