"""`claims import` and `claims export`, as a newsroom moving its spreadsheet into the ledger would
use them, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.errors import ExitStatus
from ledger.store.models import Claim, JournalEntry

DATA = Path(__file__).parent / "data"
HEADER = "speaker,text,quote,said,deadline,probability,confidence,tags,source_url,source_title,source_publisher,source_published,outcome,occurred,reviewer,evidence,note,event"


@pytest.fixture
def other_db(backend, tmp_path, request):
    """A second, empty ledger on the same backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = server.create()
    yield server.url(name)
    server.drop_soon(name)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def count_claims(db_url: str) -> int:
    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    try:
        with ledger.read() as s:
            return s.scalar(select(func.count()).select_from(Claim))
    finally:
        ledger.dispose()


def journal_length(db_url: str) -> int:
    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    try:
        with ledger.read() as s:
            return s.scalar(select(func.count()).select_from(JournalEntry))
    finally:
        ledger.dispose()


# The README's example: the few columns a spreadsheet has.
README_CSV = """speaker,text,said,deadline,probability,tags,outcome,occurred
Elon Musk,Tesla reaches level 4 or 5 full self-driving,2023-07-06,later this year,,autonomy;tesla,false,
Elon Musk,Robotaxis carry paying riders in Austin,2025-01-29,by June 2025,90%,robotaxi,true,2025-06-22
Sam Altman,GPT-5 is released,2024-01-18,within two years,0.6,ai,,
"""


def test_import_a_spreadsheet_then_again_adds_nothing(cli, db_url, tmp_path):
    file = write(tmp_path / "claims.csv", README_CSV)
    first = cli("import", file, "--json")
    assert first.status == 0, first.err
    assert first.json == {
        "rows": 3, "claims_added": 3, "claims_present": 0, "speakers_created": 2, "sources_created": 0,
        "resolutions": 2, "skipped": [], "dry_run": False, "restatements_linked": 0,
    }
    claims = cli("list", "--json").json
    assert [(c["speaker"], c["deadline"], c["status"], c["tags"]) for c in claims] == [
        ("Elon Musk", "2023-12-31", "resolved", ["autonomy", "tesla"]),
        ("Elon Musk", "2025-06-30", "resolved", ["robotaxi"]),
        ("Sam Altman", "2026-01-18", "open" if date.today() <= date(2026, 1, 18) else "due", ["ai"]),
    ]
    assert claims[1]["probability"] == 0.9
    assert cli("history", claims[1]["id"], "--json").json["claim"]["occurred"] == "2025-06-22"
    entries = journal_length(db_url)

    again = cli("import", file)
    assert again.status == 0, again.err
    assert again.out.strip() == (
        f"Imported {file}: 0 claims added, 3 already present, 0 speakers created, 0 sources created, 0 resolutions"
    )
    assert len(cli("list", "--json").json) == 3
    assert journal_length(db_url) == entries  # nothing written, not even to the journal
    verified = cli("verify", "--json")
    assert verified.status == 0 and verified.json["intact"], verified.out


def test_names_and_aliases_already_known_are_reused(musk, tmp_path):
    file = write(tmp_path / "c.csv", (
        "speaker,text,said,deadline,source_url\n"
        "musk,Starship reaches orbit,2023-07-06,by the end of the year,https://example.org/waic-2023\n"
        "ELON  MUSK,A million people live on Mars,2023-07-06,by 2050,https://example.org/another\n"
    ))
    result = musk("import", file, "--json")
    assert result.status == 0, result.err
    assert (result.json["speakers_created"], result.json["sources_created"]) == (0, 1)
    claims = musk("list", "--json").json
    assert {c["speaker"] for c in claims} == {"Elon Musk"}
    assert claims[0]["source"]["publisher"] == "Example News"  # the source already in the ledger


def _ledger_with_everything(cli, tmp_path):
    """Claims as users log them: aliases, sources with and without URL, quotes with commas and
    line breaks, tags, probabilities, an assumed horizon, and outcomes with evidence and notes."""
    assert cli("speaker", "add", "Elon Musk", "--alias", "Musk").status == 0
    assert cli("source", "add", "https://example.org/waic-2023", "--title", "WAIC 2023, opening", "--publisher", "Example News", "--published", "2023-07-06").status == 0
    assert cli("source", "add", "--title", "Interview on a podcast").status == 0
    adds = [
        ["Tesla reaches level 4 or 5 full self-driving", "--speaker", "Musk", "--source", "https://example.org/waic-2023",
         "--quote", 'full self-driving in what you call "level 4 or 5",\nlater this year', "--deadline", "later this year",
         "--confidence", "is likely to", "--tag", "autonomy", "--tag", "tesla", "--probability", "0.7"],
        ["Robotaxis in Austin", "--speaker", "Elon Musk", "--said", "2025-01-29", "--deadline", "by June 2025", "--tag", "robotaxi"],
        ["Fusion power on the grid", "--speaker", "Dr. Ünal Öztürk", "--new-speaker", "--said", "2024-03-01",
         "--deadline", "soon", "--horizon", "18m", "--source", "2", "--probability", "1e-05", "--event", "First fusion power, sold"],
        ["Mars by 2024", "--speaker", "Musk", "--said", "2016-09-27", "--deadline", "2024-12-31"],
    ]
    for args in adds:
        result = cli("add", *args)
        assert result.status == 0, result.err
    resolves = [
        ["1", "--outcome", "false", "--reviewer", "Ann Checker", "--evidence", "https://example.org/a", "--evidence", "https://example.org/b;c", "--note", "still level 2"],
        ["2", "--outcome", "true", "--occurred", "2025-06-22", "--reviewer", "Bo Checker"],
        ["4", "--outcome", "ambiguous", "--reviewer", "Ann Checker", "--note", "no crewed launch; \"mission\" undefined"],
    ]
    for args in resolves:
        result = cli("resolve", *args)
        assert result.status == 0, result.err


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_import_export_gives_the_same_file(cli, other_db, tmp_path, fmt):
    _ledger_with_everything(cli, tmp_path)
    first = tmp_path / f"first.{fmt}"
    assert cli("export", "--format", fmt, "--out", first).status == 0
    imported = cli("import", first, "--json", db=other_db)
    assert imported.status == 0, imported.err
    assert imported.json["claims_added"] == 4 and imported.json["resolutions"] == 3
    second = cli("export", "--format", fmt, db=other_db)
    assert second.status == 0, second.err
    assert second.out == first.read_text(encoding="utf-8")
    # What a reader of the file sees, checked against what was logged, not against the code.
    rows = list(csv.DictReader(io.StringIO(second.out))) if fmt == "csv" else [json.loads(line) for line in second.out.splitlines()]
    assert [r["speaker"] for r in rows] == ["Elon Musk", "Elon Musk", "Dr. Ünal Öztürk", "Elon Musk"]
    assert rows[0]["quote"] == 'full self-driving in what you call "level 4 or 5",\nlater this year'
    assert rows[0]["deadline"] == "later this year" and rows[0]["outcome"] == "false"
    assert rows[1]["occurred"] == "2025-06-22" and rows[1]["reviewer"] == "Bo Checker"
    assert rows[2]["deadline"] == "2025-09-01"  # 18 months after it was said: the assumed date is kept
    assert rows[2]["source_title"] == "Interview on a podcast" and not rows[2]["source_url"]
    assert [r["event"] or None for r in rows] == [None, None, "First fusion power, sold", None]
    if fmt == "csv":
        assert rows[0]["tags"] == "autonomy;tesla" and rows[0]["evidence"] == "https://example.org/a https://example.org/b;c"
        assert rows[2]["probability"] == "1e-05"
    else:
        assert rows[0]["tags"] == ["autonomy", "tesla"] and rows[0]["evidence"] == ["https://example.org/a", "https://example.org/b;c"]
        assert rows[2]["probability"] == 0.00001
    assert cli("verify", db=other_db).status == 0


def test_export_one_speaker_to_a_file(musk, tmp_path):
    for text, said in (("A", "2023-01-01"), ("B", "2023-02-01")):
        assert musk("add", text, "--speaker", "Musk", "--said", said, "--deadline", "2030-01-01").status == 0
    assert musk("add", "C", "--speaker", "Someone", "--new-speaker", "--said", "2023-01-01", "--deadline", "2030").status == 0
    out = tmp_path / "musk.csv"
    result = musk("export", "--speaker", "musk", "--out", out)
    assert result.status == 0, result.err
    assert [r["text"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["A", "B"]
    missing = musk("export", "--speaker", "Nobody")
    assert missing.status == ExitStatus.NOT_FOUND and "unknown speaker 'Nobody'" in missing.err


# Bad rows -------------------------------------------------------------------------------------

BAD_CSV = f"""{HEADER}
Elon Musk,A good row before the bad ones,"a quote
over two lines",2023-07-06,2024-01-01,,,,,,,,,,,,,
Elon Musk,Bad date,,Juvember 5 2023,2024-01-01,,,,,,,,,,,,,
Elon Musk,Impossible date,,2023-02-30,2024-01-01,,,,,,,,,,,,,
Elon Musk,Deadline before said,,2023-07-06,2023-01-01,,,,,,,,,,,,,
Elon Musk,Vague deadline,,2023-07-06,soon,,,,,,,,,,,,,
Elon Musk,Probability too big,,2023-07-06,2024-01-01,1.5,,,,,,,,,,,,
Elon Musk,Unknown outcome,,2023-07-06,2024-01-01,,,,,,,,maybe,,,,,
Elon Musk,,,2023-07-06,2024-01-01,,,,,,,,,,,,,
,Missing speaker,,2023-07-06,2024-01-01,,,,,,,,,,,,,
Elon Musk,A good row after the bad ones,,2023-07-06,2024-01-01,,,,,,,,,,,,,
Elon Musk,Too few fields,,2023-07-06
"""

EXPECTED = [
    (4, "said: cannot read 'Juvember 5 2023' as a date"),
    (5, "said: '2023-02-30' is not a real date"),
    (6, "deadline: '2023-01-01' ends on 2023-01-01, before the date it was said (2023-07-06)"),
    (7, "deadline: 'soon' names no date"),
    (8, "probability: probability '1.5' is outside 0..1"),
    (9, "outcome: unknown outcome 'maybe'; use one of true, false, partial, ambiguous"),
    (10, "text: empty claim text"),
    (11, "speaker: empty speaker name"),
    (13, "4 fields, but the header has 18"),
]


def _reported(err: str, file: Path) -> list[tuple[int, str]]:
    lines = [line for line in err.splitlines() if line.startswith(f"{file}:")]
    return [(int(line.split(":")[1]), line.split(":", 2)[2].strip()) for line in lines]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(cli, db_url, tmp_path):
    file = write(tmp_path / "bad.csv", BAD_CSV)
    result = cli("import", file)
    assert result.status == ExitStatus.USAGE
    reported = _reported(result.err, file)
    assert [line for line, _ in reported] == [line for line, _ in EXPECTED]
    for (line, message), (_, expected) in zip(reported, EXPECTED):
        assert message.startswith(expected), (line, message)
    assert result.err.strip().splitlines()[-1] == (
        f"claims: error: 9 of 11 rows in bad.csv are bad; nothing was imported "
        "(fix them, or pass --skip-invalid to import the rest)"
    )
    assert "Traceback" not in result.err
    assert count_claims(db_url) == 0 and journal_length(db_url) == 0


def test_skip_invalid_imports_the_good_rows_and_lists_the_rest(cli, tmp_path):
    file = write(tmp_path / "bad.csv", BAD_CSV)
    result = cli("import", file, "--skip-invalid")
    assert result.status == 0, result.err
    assert [line for line, _ in _reported(result.err, file)] == [line for line, _ in EXPECTED]
    assert all(m.startswith("skipped: ") for _, m in _reported(result.err, file))
    assert "2 claims added" in result.out and "9 bad rows skipped" in result.out
    assert [c["text"] for c in cli("list", "--json").json] == ["A good row before the bad ones", "A good row after the bad ones"]
    assert cli("show", "1", "--json").json["quote"] == "a quote\nover two lines"


def test_dry_run_checks_without_importing(cli, db_url, tmp_path):
    good = write(tmp_path / "good.csv", README_CSV)
    result = cli("import", good, "--dry-run")
    assert result.status == 0, result.err
    assert result.out.strip() == f"{good}: 3 of 3 rows are valid; nothing imported (--dry-run)"
    assert count_claims(db_url) == 0
    bad = cli("import", write(tmp_path / "bad.csv", BAD_CSV), "--dry-run")
    assert bad.status == ExitStatus.USAGE and len(_reported(bad.err, tmp_path / "bad.csv")) == 9
    assert count_claims(db_url) == 0


@pytest.mark.parametrize("header, problem", [
    ("speaker,claim,said,deadline", "unknown column 'claim'"),
    ("speaker,said,deadline", "no 'text' column"),
    ("speaker,text,text,said,deadline", "a column appears twice"),
])
def test_a_wrong_csv_header_is_one_error_on_line_1(cli, db_url, tmp_path, header, problem):
    file = write(tmp_path / "h.csv", f"{header}\nElon Musk,x,2023-01-01,2024-01-01\n")
    result = cli("import", file)
    assert result.status == ExitStatus.USAGE
    from ledger.services.transfer.rows import COLUMNS

    assert _reported(result.err, file) == [(1, f"wrong header: {problem}; the columns are {', '.join(COLUMNS)} (see docs/import-export.md)")]
    assert count_claims(db_url) == 0


def test_jsonl_bad_lines_are_reported_with_their_numbers(cli, db_url, tmp_path):
    good = {"speaker": "Elon Musk", "text": "Good", "said": "2023-07-06", "deadline": "by 2025", "tags": ["a", "b"]}
    lines = [
        json.dumps(good),
        '{"speaker": "Elon Musk", "text": "Broken", ',
        "",
        json.dumps([1, 2]),
        json.dumps({**good, "text": "Extra key", "colour": "red"}),
        json.dumps({**good, "text": "Tags not a list", "tags": 3}),
        json.dumps({**good, "text": "Said not text", "said": 20230706}),
        json.dumps({**good, "text": "Probability as a number", "probability": 70}),
    ]
    file = write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")
    result = cli("import", file)
    assert result.status == ExitStatus.USAGE
    assert [(n, m.split(";")[0]) for n, m in _reported(result.err, file)] == [
        (2, "malformed JSON: Expecting property name enclosed in double quotes at column 43"),
        (4, "expected a JSON object, got list"),
        (5, "unknown key 'colour'"),
        (6, "tags: expected a list, got 3"),
        (7, "said: expected text, got 20230706"),
        (8, "probability: probability '70' is outside 0..1"),
    ]
    assert count_claims(db_url) == 0


def test_a_file_that_is_not_utf8_is_refused(cli, db_url, tmp_path):
    file = tmp_path / "latin1.csv"
    file.write_bytes("speaker,text,said,deadline\nJosé,Café opens,2023-01-01,2024-01-01\n".encode("latin-1"))
    result = cli("import", file)
    assert result.status == ExitStatus.USAGE and "not UTF-8 text" in result.err
    assert count_claims(db_url) == 0


def test_format_comes_from_the_extension_or_the_option(cli, tmp_path):
    result = cli("import", write(tmp_path / "claims.txt", README_CSV))
    assert result.status == ExitStatus.USAGE and "pass --format csv, jsonl or predictionbook" in result.err
    assert cli("import", tmp_path / "claims.txt", "--format", "csv").status == 0


# The governors slice: FiveThirtyEight's forecasts as claims ------------------------------------


def race(r: dict) -> str:
    return f"{r['year']} {r['state']} governor" + (" (special)" if r["special"] == "TRUE" else "")


def governors_as_claims(path: Path) -> str:
    """The slice in the canonical format, computed here from the raw file, independently of claims:
    the race (year, state, and "special" for a special election) is the event every candidate's
    forecast of it names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["speaker", "text", "said", "deadline", "probability", "source_url", "source_title",
                     "source_publisher", "outcome", "occurred", "reviewer", "tags", "event"])
    for r in csv.DictReader(path.open(encoding="utf-8")):
        won = r["probwin_outcome"] == "1"
        writer.writerow([
            f"FiveThirtyEight {r['forecast_type']} model" if r["forecast_type"] else "",
            f"{r['candidate'] or r['party']} ({r['party']}) wins the {r['year']} {r['state']} governor election",
            r["forecast_date"], r["election_date"], r["probwin"],
            "https://projects.fivethirtyeight.com/checking-our-work/", "Checking Our Work", "FiveThirtyEight",
            "true" if won else "false", r["election_date"] if won else "", "Election results", f"governor;{r['year']}",
            race(r),
        ])
    return out.getvalue()


def test_governor_forecasts_import_as_claims(cli, tmp_path):
    raw = DATA / "governors_elections_slice.csv"
    file = write(tmp_path / "governors.csv", governors_as_claims(raw))
    rows = list(csv.DictReader(raw.open(encoding="utf-8")))
    nameless = [n for n, r in enumerate(rows, start=2) if not r["forecast_type"]]
    assert len(nameless) == 8  # the 2010 rows name no model

    refused = cli("import", file)
    assert refused.status == ExitStatus.USAGE
    assert _reported(refused.err, file) == [(n, "speaker: empty speaker name") for n in nameless]

    result = cli("import", file, "--skip-invalid", "--json")
    assert result.status == 0, result.err
    forecasts = [r for r in rows if r["forecast_type"]]
    assert result.json["claims_added"] == len(forecasts) == 120
    assert result.json["speakers_created"] == 3 and result.json["sources_created"] == 1
    assert result.json["resolutions"] == 120

    exported = list(csv.DictReader(io.StringIO(cli("export").out)))
    assert len(exported) == 120
    by_key = {(e["speaker"], e["said"], e["text"]): e for e in exported}
    for r in forecasts:
        e = by_key[(f"FiveThirtyEight {r['forecast_type']} model", r["forecast_date"],
                    f"{r['candidate']} ({r['party']}) wins the {r['year']} {r['state']} governor election")]
        assert float(e["probability"]) == float(r["probwin"])
        assert e["outcome"] == ("true" if r["probwin_outcome"] == "1" else "false")
        assert e["deadline"] == r["election_date"]
        assert e["event"] == race(r)
    wins = sum(r["probwin_outcome"] == "1" for r in forecasts)
    assert sum(e["outcome"] == "true" for e in exported) == wins
    evers = by_key[("FiveThirtyEight lite model", "2022-11-08", "Tony Evers (D) wins the 2022 WI governor election")]
    assert (evers["probability"], evers["outcome"], evers["occurred"]) == ("0.4989", "true", "2022-11-08")


# The journal ----------------------------------------------------------------------------------


def _journal(db_url: str) -> list[dict]:
    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    try:
        with ledger.read() as s:
            return [
                {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
                 "entity_id": e.entity_id, "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash}
                for e in s.scalars(select(JournalEntry).order_by(JournalEntry.seq))
            ]
    finally:
        ledger.dispose()


def test_record_many_appends_exactly_what_record_would(db_url, other_db, monkeypatch):
    from datetime import date, datetime, timezone

    from ledger.services import journal
    from ledger.store.engine import open_ledger
    from ledger.store.models import Source, Speaker

    now = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    monkeypatch.setattr(journal, "utcnow", lambda: now)
    for url, batch in ((db_url, False), (other_db, True)):
        ledger = open_ledger(url)
        with ledger.write() as s:
            journal.record(s, actor="setup", action="source.added",
                           row=_add(s, Source(url="https://x.example", published=date(2023, 1, 1), created_at=now)))
        with ledger.write() as s:
            rows = [_add(s, Speaker(name=f"Speaker {i}", name_key=f"speaker {i}", slug=f"speaker-{i}", created_at=now)) for i in range(3)]
            rows.append(_add(s, Source(title="Untitled", publisher="Example", created_at=now)))
            changes = [("speaker.added", "speaker", r) for r in rows[:3]] + [("source.added", "source", rows[3])]
            if batch:
                assert journal.record_many(s, actor="ann", changes=changes) == 4
            else:
                for action, _, row in changes:
                    journal.record(s, actor="ann", action=action, row=row)
        ledger.dispose()
    expected = _journal(db_url)
    assert len(expected) == 5
    assert _journal(other_db) == expected


def _add(session, row):
    session.add(row)
    session.flush()
    return row


TIMES = {"logged_at", "recorded_at", "resolved_at", "created_at"}


def _story(db_url: str) -> list[tuple]:
    """The journal without its clock: who did what to which row, and the row as recorded."""
    return [
        (e["actor"], e["action"], e["entity"], e["entity_id"], {k: v for k, v in json.loads(e["payload"]).items() if k not in TIMES})
        for e in _journal(db_url)
    ]


def test_imported_claims_are_journaled_as_claims_add_journals_them(cli, db_url, other_db, tmp_path):
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("source", "add", "https://example.org/waic-2023", "--title", "WAIC", "--published", "2023-07-06").status == 0
    for args in (
        ["Tesla reaches full self-driving", "--said", "2023-07-06", "--deadline", "later this year", "--source",
         "https://example.org/waic-2023", "--tag", "tesla", "--tag", "autonomy", "--probability", "70%", "--quote", "later this year",
         "--event", "Tesla full self-driving"],
        ["Robotaxis in Austin", "--said", "2025-01-29", "--deadline", "by June 2025", "--confidence", "likely"],
    ):
        assert cli("add", *args, "--speaker", "Elon Musk", "--logged-by", "importer").status == 0
    file = write(tmp_path / "c.csv", f"""{HEADER}
Elon Musk,Tesla reaches full self-driving,later this year,,later this year,70%,,tesla;autonomy,https://example.org/waic-2023,WAIC,,2023-07-06,,,,,,Tesla full self-driving
Elon Musk,Robotaxis in Austin,,2025-01-29,by June 2025,,likely,,,,,,,,,,,
""")
    result = cli("import", file, "--logged-by", "importer", db=other_db)
    assert result.status == 0, result.err
    added, imported = _story(db_url), _story(other_db)
    # `speaker add` and `source add` journal as the OS user; the rest must match exactly.
    assert [e[1:] for e in imported] == [e[1:] for e in added]
    assert [e[0] for e in imported] == ["importer"] * 4


def test_bulk_verdicts_match_record_resolution(db_url, other_db, tmp_path, monkeypatch):
    """The import writes a verdict that settles at once in bulk; record_resolution, one row at a
    time, must leave the same rows and the same journal."""
    from ledger.services.transfer import bulk as transfer
    from ledger.store.engine import open_ledger

    file = write(tmp_path / "c.csv", README_CSV + "Sam Altman,A partial one,2024-01-18,by 2025,,,partial,2024-06-01\n")
    for url, bulk in ((db_url, True), (other_db, False)):
        if not bulk:
            monkeypatch.setattr(transfer, "_settled", lambda resolution, actor, now: (None, None))
        ledger = open_ledger(url)
        report = transfer.import_claims(ledger, file, fmt="csv", actor="importer", today=date(2026, 1, 1))
        assert report.resolutions == 3
        ledger.dispose()
    assert _story(other_db) == _story(db_url)
    assert _rows(other_db) == _rows(db_url)


def _rows(db_url: str) -> list:
    from ledger.store.engine import open_ledger
    from ledger.store.models import Resolution
    from ledger.store.snapshots import SNAPSHOTS

    ledger = open_ledger(db_url)
    try:
        with ledger.read() as s:
            return [
                {k: v for k, v in SNAPSHOTS[name][1](row).items() if k not in TIMES}
                for name, model in (("claim", Claim), ("resolution", Resolution))
                for row in s.scalars(select(model).order_by(model.id))
            ]
    finally:
        ledger.dispose()


# Interruptions ----------------------------------------------------------------------------------

BATCH = 1000


def _big_file(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["speaker", "text", "said", "deadline", "probability", "tags", "outcome"])
        for i in range(rows):
            writer.writerow([f"Speaker {i % 97}", f"Prediction number {i} comes true", f"20{10 + i % 10}-0{1 + i % 9}-1{i % 10}",
                             f"by {2031 + i % 7}", f"{(i % 100) / 100}", f"topic-{i % 13}", "false" if i % 3 == 0 else ""])
    return path


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_an_interrupted_import_leaves_whole_batches_and_reruns_to_completion(db_url, cli, tmp_path, how):
    rows = 6 * BATCH  # enough batches that the signal lands while the import is still running
    file = _big_file(tmp_path / "big.csv", rows)
    assert cli("list").status == 0  # create the schema first, so the import starts writing at once
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", db_url, "import", str(file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    while count_claims(db_url) == 0:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(how)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0, "the import finished before it could be interrupted"
    assert "Traceback" not in err
    if how == signal.SIGINT:
        assert proc.returncode == 130 and "rerun the same command to finish" in err

    landed = count_claims(db_url)
    assert 0 < landed < rows and landed % BATCH == 0  # whole batches only
    assert cli("verify").status == 0  # and the journal holds exactly them

    rerun = cli("import", file, "--json")
    assert rerun.status == 0, rerun.err
    assert (rerun.json["claims_present"], rerun.json["claims_added"]) == (landed, rows - landed)
    assert count_claims(db_url) == rows
    assert rerun.json["resolutions"] == sum(1 for i in range(landed, rows) if i % 3 == 0)


def test_a_progress_bar_on_a_terminal_only(tmp_path):
    import pty

    file = tmp_path / "big.csv"
    with file.open("w", encoding="utf-8") as handle:  # over 1 MB, the size worth a bar
        handle.write("speaker,text,said,deadline\n")
        for i in range(2500):
            handle.write(f"Speaker {i % 7},Prediction {i}: {'and so on ' * 40},2023-01-01,by 2030\n")
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", str(tmp_path / "a.db"), "import", str(file)],
        stdout=subprocess.PIPE, stderr=child, text=True,
    )
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(main)
    assert proc.returncode == 0
    assert b"Checking" in seen and b"Importing" in seen and b"100%" in seen
    assert "2500 claims added" in out

    piped = subprocess.run(
        [sys.executable, "-m", "ledger", "--db", str(tmp_path / "b.db"), "import", str(file), "--dry-run"],
        capture_output=True, text=True, timeout=120,
    )
    assert piped.returncode == 0 and piped.stderr == "" and "2500 of 2500 rows are valid" in piped.stdout


def test_export_to_a_folder_that_does_not_exist_is_one_line(cli, tmp_path):
    result = cli("export", "--out", tmp_path / "no" / "such" / "claims.csv")
    assert result.status == ExitStatus.USAGE
    assert result.err.strip() == f"claims: error: cannot write {tmp_path / 'no' / 'such' / 'claims.csv'}: No such file or directory"


def test_two_imports_at_once_add_each_claim_once(db_url, cli, tmp_path):
    file = _big_file(tmp_path / "big.csv", 3 * BATCH)
    assert cli("list").status == 0
    procs = [
        subprocess.Popen([sys.executable, "-m", "ledger", "--db", db_url, "import", str(file), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    assert sum(r["claims_added"] for r in reports) == 3 * BATCH
    assert sum(r["claims_present"] for r in reports) == 3 * BATCH
    assert count_claims(db_url) == 3 * BATCH
    assert cli("verify").status == 0


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_big_import_leaves_the_planner_statistics_of_what_it_wrote(db_url, cli, tmp_path, backend):
    """PostgreSQL plans from statistics that autovacuum refreshes only later (the test server has it
    off): a plan made for the empty ledger would read whole tables for a few rows."""
    from sqlalchemy import create_engine, text

    assert cli("import", _big_file(tmp_path / "big.csv", BATCH)).status == 0
    engine = create_engine(db_url)
    with engine.connect() as conn:
        analysed = dict(conn.execute(text(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname IN ('claims', 'journal')"
        )).all())
    engine.dispose()
    assert analysed == {"claims": True, "journal": True}
