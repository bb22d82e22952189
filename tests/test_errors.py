"""Exit statuses are part of the interface: scripts depend on them, so they are pinned here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from ledger import errors
from ledger.errors import ExitStatus


def test_exit_statuses_are_pinned():
    assert {s.name: int(s) for s in ExitStatus} == {
        "OK": 0, "ERROR": 1, "USAGE": 2, "NOT_FOUND": 3, "CONFLICT": 4, "TAMPERED": 5, "STORAGE": 6, "CONFIG": 7,
    }
    assert errors.LedgerError("x").exit_status == 1
    assert errors.InvalidInput("x").exit_status == 2
    assert errors.InvalidDate("x").exit_status == 2
    assert errors.InvalidDeadline("x").exit_status == 2
    assert errors.NotFound("x").exit_status == 3
    assert errors.Conflict("x").exit_status == 4
    assert errors.Tampered("x").exit_status == 5
    assert errors.StorageError("x").exit_status == 6
    assert errors.SchemaOutOfDate("x").exit_status == 6
    assert errors.ConfigError("x").exit_status == 7


@dataclass
class Result:
    status: int
    out: str
    err: str


def claims(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--db", "nosuchdriver://x", "list"], ExitStatus.STORAGE, "unknown database driver"),
        (["--db", "postgresql://postgres@127.0.0.1:1/claims", "list"], ExitStatus.STORAGE, "cannot reach the database"),
        (["--db", "/proc/claims/ledger.db", "list"], ExitStatus.STORAGE, "cannot"),
        (["list", "--status", "bogus"], ExitStatus.USAGE, "invalid value"),
        (["no-such-command"], ExitStatus.USAGE, "no such command"),
    ],
)
def test_storage_and_usage_errors_exit_cleanly(args, status, message, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_DB", str(tmp_path / "ledger.db"))
    result = claims(*args)
    assert result.returncode == status, result.stderr
    assert message in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = claims("--debug", "--db", "nosuchdriver://x", "list")
    assert result.returncode == ExitStatus.STORAGE
    assert "Traceback" in result.stderr


# Every value that cannot be used is one line, the documented status, and nothing written --------


def dump(db_url: str) -> dict[str, list]:
    """Every row of every table, to show that a refused command wrote nothing."""
    from sqlalchemy import inspect, text

    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    try:
        with ledger.read() as session:
            tables = inspect(session.connection()).get_table_names()
            return {t: sorted(map(repr, session.execute(text(f'SELECT * FROM "{t}"')))) for t in sorted(tables)}
    finally:
        ledger.dispose()


def refused(result, status: ExitStatus, mentions: str) -> None:
    assert result.status == status, (result.status, result.err)
    assert result.err.count("\n") == 1 and result.err.startswith("claims: error: "), result.err
    assert mentions in result.err, result.err
    assert result.out == ""


@pytest.fixture
def one_claim(musk):
    result = musk("add", "Level 5 this year", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "later this year", "--json")
    assert result.status == 0, result.err
    return musk


@pytest.mark.parametrize("args", [
    ["show", str(2**31)], ["show", str(2**63)], ["show", str(10**30)], ["show", "0"], ["show", "²"], ["show", "٣"], ["history", "1e3"],
    ["resolve", str(2**63), "--outcome", "true"], ["assign", str(2**64), "Ada"],
    ["add", "X", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "2030", "--restates", str(2**63)],
])
def test_an_id_no_row_can_have_is_a_usage_error(one_claim, db_url, args):
    before = dump(db_url)
    refused(one_claim(*args), ExitStatus.USAGE, "is not an id")
    assert dump(db_url) == before


def test_ids_and_counts_at_the_edge_of_what_the_database_holds(one_claim, db_url):
    refused(one_claim("show", "99999"), ExitStatus.NOT_FOUND, "no claim #99999")
    for source in ("²", str(2**63), "99999999999"):
        result = one_claim("add", "X", "--speaker", "Musk", "--said", "2023-07-06", "--deadline", "2030", "--source", source)
        refused(result, ExitStatus.NOT_FOUND, "unknown source")
    listed = one_claim("list", "--limit", str(2**63), "--json")
    assert listed.status == 0 and [c["id"] for c in listed.json] == [1]
    assert one_claim("report", "--min-resolved", str(10**30), "--format", "json").status == 0


@pytest.mark.parametrize("arg", ["\udcff", "Elon \ud800Musk"])
def test_an_argument_that_is_not_valid_text_is_refused(one_claim, db_url, arg):
    before = dump(db_url)
    refused(one_claim("add", arg, "--speaker", "Musk", "--deadline", "2030"), ExitStatus.USAGE, "is not valid text")
    refused(one_claim("list", "--speaker", arg), ExitStatus.USAGE, "is not valid text")
    assert dump(db_url) == before


def test_a_file_name_with_a_nul_is_refused(one_claim, tmp_path):
    refused(one_claim("import", f"{tmp_path}/a\x00b.csv"), ExitStatus.USAGE, "NUL character")
    refused(one_claim("export", "--out", f"{tmp_path}/a\x00b.csv"), ExitStatus.USAGE, "NUL character")


SEEDS_HEADER = "said,speaker,text,deadline,source_title,source_url,outcome,occurred,note,quote,confidence,tags\n"
SEED_ROW = "2023-07-06,Elon Musk,Level 5 this year,later this year,WAIC,https://example.org/waic,,,,,,\n"


@pytest.mark.parametrize("files, mentions", [
    ({"claims.csv": SEEDS_HEADER.encode() + b"2023-07-06,Elon \xff,X,2030,,,,,,,,\n"}, "is not UTF-8 text"),
    ({"claims.csv": (SEEDS_HEADER + SEED_ROW.strip() + ",extra\n").encode()}, "claims.csv:2: more fields than the header has"),
    ({"claims.csv": b"said,speaker,deadline\n2023-07-06,Elon Musk,2030\n"}, "the header has no 'text' column"),
    ({"claims.csv": (SEEDS_HEADER + '2023-07-06,Elon Musk,"' + "x" * 200_000 + '",2030,,,,,,,,\n').encode()}, "not readable as CSV"),
    ({"claims.csv": (SEEDS_HEADER + SEED_ROW).encode(), "sources.csv": b"title\nWAIC\n"}, "the header has no 'url' column"),
    ({"claims.csv": (SEEDS_HEADER + SEED_ROW).encode(), "sources.csv": b"url,text_file\nhttps://example.org/waic,../outside.txt\n"},
     "not a file in"),
    ({"claims.csv": (SEEDS_HEADER + SEED_ROW).encode(), "sources.csv": b"url,text_file\nhttps://example.org/waic,article.txt\n",
      "article.txt": b"\xff\xfe"}, "is not UTF-8 text"),
])
def test_a_malformed_seeds_folder_is_one_line_and_loads_nothing(cli, db_url, tmp_path, files, mentions):
    (tmp_path / "outside.txt").write_text("not in the seeds folder", encoding="utf-8")
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    assert cli("list").status == 0
    before = dump(db_url)
    refused(cli("seed", "load", folder), ExitStatus.USAGE, mentions)
    assert dump(db_url) == before


# Where the ledger is: --db values that cannot hold one, read-only ledgers ----------------------


@pytest.fixture
def sqlite_ledger(tmp_path):
    """A ledger file with one claim, written and closed; commands run on it in-process."""
    import io

    from ledger.cli.app import run
    from ledger.cli.environment import Environment

    path = tmp_path / "ledger.db"

    def claims(*args) -> Result:
        env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(),
                          environ={"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")})
        status = run([str(a) for a in args], env=env)
        return Result(int(status), env.stdout.getvalue(), env.stderr.getvalue())

    assert claims("--db", path, "speaker", "add", "Elon Musk").status == 0
    assert claims("--db", path, "add", "Robotaxis", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "2023-12-31").status == 0
    claims.path = path
    return claims


@pytest.mark.parametrize("db, mentions", [
    ("sqlite://", "in-memory SQLite database"),
    ("sqlite:///:memory:", "in-memory SQLite database"),
    ("file::memory:", "in-memory SQLite database"),
    ("sqlite:///ledger.db?mode=memory", "in-memory SQLite database"),
    ("", "--db is empty"),
    ("  ", "--db is empty"),
    ("sqlite:///ledger.db?timeout=5", "unknown SQLite URL option 'timeout'"),
    ("sqlite:///ledger.db?mode=rwc", "unknown SQLite mode 'rwc'"),
    ("file://example.org/ledger.db", "names a host"),
    ("no/such/folder/ledger.db", "there is no folder"),
    ("\x00.db", "NUL character"),
])
def test_a_db_that_cannot_hold_a_ledger_is_refused(sqlite_ledger, tmp_path, monkeypatch, db, mentions):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for args in (["list"], ["add", "X", "--speaker", "Elon Musk", "--deadline", "2030"]):
        refused(sqlite_ledger("--db", db, *args), ExitStatus.STORAGE, mentions)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no ledger, no folder made anywhere


def test_only_the_default_location_is_created(sqlite_ledger, tmp_path):
    assert sqlite_ledger("list").status == 0  # no --db: the per-user ledger, folders and all
    assert (tmp_path / "data" / "claims" / "ledger.db").is_file()


@pytest.mark.parametrize("form", ["sqlite:///{}?mode=ro", "file:{}?mode=ro"])
def test_a_read_only_ledger_answers_reads_and_refuses_writes(sqlite_ledger, form):
    writable, read_only = str(sqlite_ledger.path), form.format(sqlite_ledger.path)
    # A report stores the prior it fits (derived from the claims, services/reports/priors.py): once.
    assert sqlite_ledger("--db", writable, "report", "--format", "json").status == 0
    before = dump(f"sqlite:///{writable}")
    for args in (["list"], ["show", "1"], ["report", "--format", "json"], ["verify"], ["due", "--json"], ["history", "1"],
                 ["export"], ["speaker", "list"], ["db", "current"]):
        expected = sqlite_ledger("--db", writable, *args)
        got = sqlite_ledger("--db", read_only, *args)
        assert (got.status, got.out) == (expected.status, expected.out) == (0, expected.out), (args, got.err)
    for args in (["add", "X", "--speaker", "Elon Musk", "--deadline", "2030"], ["speaker", "add", "Ada"],
                 ["resolve", "1", "--outcome", "false", "--reviewer", "Ada"], ["seed", "load"]):
        refused(sqlite_ledger("--db", read_only, *args), ExitStatus.STORAGE, "is open read-only")
    assert dump(f"sqlite:///{writable}") == before


def test_a_read_only_ledger_that_does_not_exist_is_not_created(sqlite_ledger, tmp_path):
    refused(sqlite_ledger("--db", f"sqlite:///{tmp_path}/new.db?mode=ro", "list"), ExitStatus.STORAGE, "no ledger at")
    assert not (tmp_path / "new.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file: there is no read-only file to test with")
def test_a_file_the_user_may_only_read_is_opened_read_only(sqlite_ledger):
    sqlite_ledger.path.chmod(0o444)
    assert sqlite_ledger("--db", sqlite_ledger.path, "list").status == 0
    refused(sqlite_ledger("--db", sqlite_ledger.path, "speaker", "add", "Ada"), ExitStatus.STORAGE, "read-only")


def test_a_broken_config_stops_every_command_even_with_db(sqlite_ledger, tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[user\nname = 'Ada'\n", encoding="utf-8")
    for args in (["list"], ["verify"], ["deadline", "by 2030"]):
        refused(sqlite_ledger("--db", sqlite_ledger.path, "--config", config, *args), ExitStatus.CONFIG, "not valid TOML")


def _prediction(when) -> list[dict]:
    return [{"number": 1, "event": "X happens", "outcome": "right", "user": "bob", "time_created": when, "time_known": "2030-01-01"}]


@pytest.mark.parametrize("name, fmt, content, mentions", [
    ("deep.jsonl", "jsonl", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("deep.json", "predictionbook", "[" + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]", "nested too deeply"),
    ("broken.jsonl", "jsonl", '{"speaker": ', "malformed JSON"),
    *[(f"pb{i}.json", "predictionbook", json.dumps(_prediction(when)), "cannot read")
      for i, when in enumerate([9999999999999, 1e300, -1e20, "2023-13-45T00:00:00Z", "0001-01-01T00:00:00+01:00",
                                "9999-12-31T23:59:59-01:00", 10**20])],
])
def test_a_file_no_parser_can_read_is_one_line_per_row_and_imports_nothing(cli, db_url, tmp_path, name, fmt, content, mentions):
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    assert cli("list").status == 0
    before = dump(db_url)
    result = cli("import", file, "--format", fmt)
    assert result.status == ExitStatus.USAGE, result.err
    assert result.err.splitlines()[0].startswith(f"{file}:1: ") and mentions in result.err.splitlines()[0]
    assert result.err.splitlines()[-1].startswith("claims: error: 1 of 1 rows") and "internal error" not in result.err
    assert dump(db_url) == before
