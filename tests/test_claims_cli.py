"""Logging claims from the command line, as a new user would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from ledger.errors import ExitStatus

WAIC = [
    "add", "Tesla reaches level 4 or 5 full self-driving", "--speaker", "Musk", "--said", "2023-07-06",
    "--source", "https://example.org/waic-2023",
    "--quote", "full self-driving in what you call [level] 4 or 5 later this year",
    "--deadline", "2023-12-31", "--tag", "autonomy", "--tag", "tesla",
]


def test_log_the_seed_claim_and_show_it(musk):
    added = musk(*WAIC, "--json")
    assert added.status == 0, added.err
    claim = added.json
    shown = musk("show", claim["id"], "--json").json
    assert shown["speaker"] == "Elon Musk"
    assert shown["quote"] == "full self-driving in what you call [level] 4 or 5 later this year"
    assert shown["said"] == "2023-07-06"
    assert shown["deadline"] == "2023-12-31"
    assert shown["tags"] == ["autonomy", "tesla"]
    assert shown["status"] == "due"  # its deadline has passed: status is what the dates say
    assert shown["source"]["url"] == "https://example.org/waic-2023"
    assert shown["source"]["publisher"] == "Example News"

    text = musk("show", claim["id"])
    assert text.status == 0
    assert "Elon Musk" in text.out and "2023-12-31" in text.out and "\x1b[" not in text.out


def test_list_filters_and_json_keys(musk):
    musk(*WAIC)
    musk("add", "Robotaxis in Austin", "--speaker", "Elon Musk", "--said", "2025-01-29", "--deadline", "2025-06-30", "--tag", "robotaxi")
    everything = musk("list", "--json").json
    assert [c["text"] for c in everything] == ["Tesla reaches level 4 or 5 full self-driving", "Robotaxis in Austin"]
    for claim in everything:
        assert {"id", "speaker", "text", "quote", "said", "deadline", "status", "tags"} <= claim.keys()
    assert [c["text"] for c in musk("list", "--tag", "robotaxi", "--json").json] == ["Robotaxis in Austin"]
    assert musk("list", "--speaker", "musk", "--json").json == everything
    assert musk("list", "--status", "resolved", "--json").json == []
    assert len(musk("list", "--limit", "1", "--json").json) == 1
    table = musk("list")
    assert table.out.splitlines()[0].split()[:3] == ["ID", "SAID", "SPEAKER"]


def test_said_defaults_to_the_sources_date(musk):
    result = musk("add", "FSD everywhere", "--speaker", "Musk", "--source", "https://example.org/waic-2023", "--deadline", "2024-06-30", "--json")
    assert result.status == 0, result.err
    assert result.json["said"] == "2023-07-06"


def test_probability_forms(musk):
    a = musk("add", "A", "--speaker", "Musk", "--said", "2023-01-01", "--deadline", "2023-12-31", "--probability", "70%", "--json")
    b = musk("add", "B", "--speaker", "Musk", "--said", "2023-01-01", "--deadline", "2023-12-31", "--probability", "0.25", "--json")
    assert a.json["probability"] == 0.7
    assert b.json["probability"] == 0.25


def test_new_speaker_flag_creates_the_speaker(cli):
    result = cli("add", "Mars by 2024", "--speaker", "Someone New", "--new-speaker", "--said", "2016-09-27", "--deadline", "2024-12-31", "--json")
    assert result.status == 0, result.err
    assert result.json["speaker"] == "Someone New"


def test_restatement_links_to_the_earlier_claim(musk):
    first = musk("add", "Full self-driving this year", "--speaker", "Musk", "--said", "2020-07-09", "--deadline", "2020-12-31", "--json").json
    second = musk("add", "Full self-driving this year", "--speaker", "Musk", "--said", "2021-01-27", "--deadline", "2021-12-31", "--restates", first["id"], "--json").json
    assert second["restates"] == first["id"]
    assert musk("show", first["id"], "--json").json["restated_by"] == [second["id"]]


def _count(cli) -> int:
    return len(cli("list", "--json").json)


def assert_refused(cli, status: ExitStatus, *args: str, mentions: str) -> None:
    before = _count(cli)
    result = cli(*args)
    assert result.status == status, (result.status, result.err)
    assert mentions.lower() in result.err.lower(), result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    assert _count(cli) == before


def test_bad_input_is_one_line_and_changes_nothing(musk):
    musk(*WAIC)
    base = ["--said", "2023-07-06", "--deadline", "2023-12-31"]
    assert_refused(musk, ExitStatus.NOT_FOUND, "add", "X", "--speaker", "Elon Mask", *base, mentions="did you mean 'Elon Musk'")
    assert_refused(musk, ExitStatus.USAGE, "add", "X", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "2023-01-01", mentions="before")
    assert_refused(musk, ExitStatus.USAGE, "add", "X", "--speaker", "Musk", *base, "--probability", "1.5", mentions="outside 0..1")
    assert_refused(musk, ExitStatus.USAGE, "add", "X", "--speaker", "Musk", *base, "--probability", "170%", mentions="outside 0..1")
    assert_refused(musk, ExitStatus.USAGE, "add", "X", "--speaker", "Musk", "--said", "2023-02-30", "--deadline", "2023-12-31", mentions="not a real date")
    assert_refused(musk, ExitStatus.USAGE, "add", "X", "--speaker", "Musk", "--said", "yesterday-ish", "--deadline", "2023-12-31", mentions="date")
    assert_refused(musk, ExitStatus.USAGE, "add", "   ", "--speaker", "Musk", *base, mentions="empty claim text")
    assert_refused(musk, ExitStatus.CONFLICT, *WAIC, mentions="claim #1 already")
    assert_refused(musk, ExitStatus.NOT_FOUND, "add", "X", "--speaker", "Musk", *base, "--source", "https://nowhere.example", mentions="unknown source")
    assert_refused(musk, ExitStatus.NOT_FOUND, "show", "999", mentions="no claim #999")


def test_same_claim_in_other_case_and_spacing_is_a_duplicate(musk):
    musk(*WAIC)
    result = musk("add", "tesla reaches  LEVEL 4 or 5 full self-driving", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "2023-12-31")
    assert result.status == ExitStatus.CONFLICT


def test_a_long_list_reads_as_one_table_and_one_json_array(musk, monkeypatch):
    """`claims list` writes a claim at a time (cells spooled to a file while the columns are
    measured): the table is still aligned on its widest cell, and the JSON is the one array
    a single json.dumps would write."""
    from ledger.render import table as tables

    monkeypatch.setattr(tables, "SPOOL_IN_MEMORY", 64)  # past the first rows, the cells are on disk
    texts = [f"Claim {n} " + "x" * (1 + n * 7 % 35) for n in range(30)]  # at most 44 characters: none is cut
    for n, text in enumerate(texts):
        assert musk("add", text, "--speaker", "Musk", "--said", "2023-01-01", "--deadline", "2030-12-31", "--tag", f"t{n % 3}").status == 0
    lines = musk("list").out.splitlines()
    assert len(lines) == 31 and lines[0].startswith("ID") and [line.split("  ")[0].strip() for line in lines[1:]] == [str(i) for i in range(1, 31)]
    at = lines[0].index("DEADLINE")
    assert all(line[at:at + 10] == "2030-12-31" for line in lines[1:])  # every row aligned under its header
    assert max(len(line[lines[0].index("CLAIM"):at].rstrip()) for line in lines[1:]) == max(len(t) for t in texts)
    out = musk("list", "--json").out
    views = json.loads(out)
    assert [v["text"] for v in views] == texts
    assert out == json.dumps(views, indent=2, ensure_ascii=False) + "\n"
    assert musk("list", "--tag", "nothing", "--json").out == "[]\n"
