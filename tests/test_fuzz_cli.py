"""The whole command line fed arbitrary values: whatever a user types, the answer is a documented
exit status (README, ledger/errors.py), never an internal error or a traceback, and a command that
fails leaves the ledger exactly as it was.

Commands and their options are read from the click tree, so a new command or option is fuzzed
without touching this file. The suite runs a bounded number of examples on SQLite; for a long run:
CLAIMS_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz_cli.py -p no:randomly
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from ledger.cli import cli
from ledger.cli.app import run
from ledger.cli.environment import Environment
from ledger.errors import ExitStatus

EXAMPLES = int(os.environ.get("CLAIMS_FUZZ_EXAMPLES", "40"))
DOCUMENTED = {int(s) for s in ExitStatus}
TODAY = date(2024, 3, 1)

# Not fuzzed here, and why: each is run end to end by its own tests.
SKIPPED = {
    ("demo",): "runs the whole tour on a ledger of its own (tests/test_demo.py)",
    ("extract",): "fetches any URL it is given, and tests may not reach the internet (tests/test_extract_cli.py "
                  "drives its bad inputs against loopback servers)",
}
# Arguments a command always gets, so that an example ends.
FORCED = {("scheduler", "run"): ["--once"]}
ROOT_OPTIONS = {"--db", "--config", "--debug", "--help", "--version"}


def leaf_commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    for name, command in ((n, group.get_command(None, n)) for n in group.list_commands(None)):  # sorted, every family loaded
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        elif (*path, name) not in SKIPPED:
            yield (*path, name), command


COMMANDS = list(leaf_commands())

# Values a person (or a script gone wrong) types: edges of every kind of value the CLI reads.
EDGES = [
    "", " ", "-", "--", "0", "-1", "1", "2", "3", "007", str(2**31), str(2**63 - 1), str(2**63), str(10**30),
    "1e309", "nan", "inf", "-inf", "0.5", "1.5", "-0.0", "70%", "70%%", "100%", "²", "٣", "½",
    "9000y", "1 decade", "0y", "-5w", "18m", "1y", "99999999d", "soon", "later this year", "by 2030",
    "by mid-2025", "FY99", "Q5 2024", "2024-02-30", "2024-02-29", "0000-01-01", "0001-01-01", "9999-12-31",
    "99999-01-01", "-2023-01-01", "2023-01-01", "2023-13-01", "today", "yesterday",
    "\x00", "a\x00b", "\udc80", "\ud800", "x\udcffy", "\x1b[31mred", "\x1b]0;title\x07", "a\nb", "a\rb", "\t",
    "\u202e", "\ufeff", "ﬁ", "İ", "Мusk", "x" * 5000,
    "https://example.org/a", "http://", "https://", "javascript:alert(1)", "ftp://example.org", "http://exa mple.org",
    "Elon Musk", "elon musk", "Musk", "Ada Reviewer", "ada@example.org", "a@b", "@", "true", "false", "partial",
    "ambiguous", "open", "due", "resolved", "disputed", "head", "base", "0001", "nonsense", "1:abc", "abc",
    "=1+1", "+1", "@SUM(A1)",
]
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=30),
    st.text(st.one_of(st.characters(), SURROGATES), max_size=12),
    st.integers().map(str),
    st.floats().map(str),
    st.dates().map(str),
)


# Files a command may be pointed at ---------------------------------------------------------------

JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)
CLAIM_FIELDS = ["speaker", "text", "quote", "said", "deadline", "probability", "confidence", "tags",
                "source_url", "outcome", "occurred", "reviewer", "evidence", "note"]
PB_FIELDS = ["number", "event", "outcome", "user", "time_created", "time_known", "responses"]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def _records(fields: list[str]):
    return st.lists(st.dictionaries(st.sampled_from(fields), st.one_of(TEXT, JSON_VALUE), max_size=len(fields)), max_size=4)


CSV_FILE = st.builds(
    lambda header, rows: _csv([header, *rows]),
    st.one_of(st.just(CLAIM_FIELDS), st.lists(st.one_of(st.sampled_from(CLAIM_FIELDS), TEXT), max_size=6)),
    st.lists(st.lists(TEXT, max_size=len(CLAIM_FIELDS) + 2), max_size=4),
)
JSONL_FILE = st.one_of(
    _records(CLAIM_FIELDS).map(lambda rs: "\n".join(json.dumps(r) for r in rs).encode()),
    st.lists(JSON_VALUE, max_size=3).map(lambda vs: "\n".join(json.dumps(v) for v in vs).encode()),
)
PB_FILE = st.one_of(_records(PB_FIELDS).map(lambda rs: json.dumps(rs).encode()), JSON_VALUE.map(lambda v: json.dumps(v).encode()))
HOSTILE_FILE = st.one_of(
    st.binary(max_size=200),
    st.integers(10, 100_000).map(lambda depth: b"[" * depth + b"]" * depth),  # nesting deeper than any parser's stack
    st.integers(10, 100_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.sampled_from([b"", b"\xff\xfe", b"\xef\xbb\xbf", b"{", b"[1,", b"\x00\x00", b"speaker,text\n\xff,x\n", b'"unterminated']),
)
FILE_NAME = st.one_of(st.sampled_from(["claims.csv", "claims.jsonl", "pb.json", "claims.txt", "noext", "x.CSV"]),
                      st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=12))
# A name that says the format, with content of that format (or hostile bytes), or any name with anything.
NAMED_FILE = st.one_of(
    st.tuples(st.just("claims.csv"), st.one_of(CSV_FILE, HOSTILE_FILE)),
    st.tuples(st.just("claims.jsonl"), st.one_of(JSONL_FILE, HOSTILE_FILE)),
    st.tuples(st.just("scrape.json"), st.one_of(PB_FILE, HOSTILE_FILE)),
    st.tuples(FILE_NAME, st.one_of(CSV_FILE, JSONL_FILE, PB_FILE, HOSTILE_FILE)),
)

SEEDS_FOLDER = st.fixed_dictionaries({
    "claims.csv": st.one_of(st.none(), CSV_FILE, st.builds(
        lambda rows: _csv([["said", "speaker", "text", "deadline", "source_title", "source_url", "outcome", "occurred", "note",
                            "quote", "confidence", "tags"], *rows]),
        st.lists(st.lists(TEXT, min_size=12, max_size=13), max_size=3)), HOSTILE_FILE),
    "sources.csv": st.one_of(st.none(), st.builds(
        lambda rows: _csv([["url", "title", "publisher", "published", "text_file"], *rows]),
        st.lists(st.lists(st.one_of(TEXT, st.sampled_from(["article.txt", "../x", "/etc/passwd", "missing.txt", "."])),
                          min_size=5, max_size=6), max_size=3)), HOSTILE_FILE),
    "article.txt": st.one_of(st.none(), st.binary(max_size=50), st.just("An article.".encode())),
})

CONFIG_FILE = st.one_of(
    st.sampled_from([b"", b"[user]\nname = 'Ada'\n", b"[database]\nurl = 5\n", b"[review]\nquorum = 'x'\n", b"[[user]]\n",
                     b"user = 3\n", b"[reminders]\nevery_days = 1e400\n", b"\xff"]),
    st.dictionaries(st.sampled_from(["user", "review", "reminders", "channels", "scheduler", "database"]),
                    st.dictionaries(TEXT, st.one_of(st.integers(), TEXT, st.booleans()), max_size=3), max_size=2)
    .map(lambda d: "\n".join(f"[{k}]\n" + "".join(f"{json.dumps(a)} = {json.dumps(b)}\n" for a, b in v.items()) for k, v in d.items())
         .encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
)


class Workspace:
    """One example's folder: the files it made, by name."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0

    def path(self, name: str) -> str:
        self.count += 1
        folder = self.root / f"f{self.count}"
        folder.mkdir()
        return str(folder / name)

    def file(self, name: str, content: bytes) -> str:
        path = self.path(name)
        try:
            with open(path, "wb") as handle:
                handle.write(content)
        except (OSError, UnicodeEncodeError, ValueError):  # a name the file system refuses: pass it anyway
            pass
        return path

    def folder(self, files: dict[str, bytes | None]) -> str:
        path = Path(self.path("seeds"))
        path.mkdir()
        for name, content in files.items():
            if content is not None:
                (path / name).write_bytes(content)
        return str(path)


def _path_value(draw, ws: Workspace, param: click.Parameter, command_path: tuple[str, ...]):
    kind = param.type
    choice = draw(st.sampled_from(["made", "missing", "text", "folder"]))
    if choice == "text":
        return draw(TEXT)
    if choice == "missing":
        return ws.path("missing") + "/" + draw(FILE_NAME)
    if choice == "folder" or not kind.file_okay:
        if command_path == ("seed", "load") or not kind.file_okay:
            return ws.folder(draw(SEEDS_FOLDER))
        return str(ws.root)
    return ws.file(*draw(NAMED_FILE))


def _value(draw, ws: Workspace, param: click.Parameter, command_path: tuple[str, ...]) -> str:
    kind = param.type
    if isinstance(kind, click.Path):
        return _path_value(draw, ws, param, command_path)
    if isinstance(kind, click.Choice) and draw(st.booleans()):
        return draw(st.sampled_from(list(kind.choices)))
    return draw(TEXT)


@st.composite
def invocations(draw, ws: Workspace) -> list[str]:
    path, command = draw(st.sampled_from(COMMANDS))
    args: list[str] = list(path) + FORCED.get(path, [])
    positional: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            if name in ROOT_OPTIONS or name in FORCED.get(path, []) or not draw(st.booleans()):
                continue
            if param.is_flag:
                args.append(name)
                continue
            for _ in range(draw(st.integers(1, 3)) if param.multiple else 1):
                args.append(f"{name}={_value(draw, ws, param, path)}")
        elif isinstance(param, click.Argument):
            if not param.required and draw(st.booleans()):
                continue
            count = draw(st.integers(1, 3)) if param.nargs == -1 else 1
            positional += [_value(draw, ws, param, path) for _ in range(count)]
    return args + (["--", *positional] if positional else [])


# The ledger every example starts from ------------------------------------------------------------


def _stream(errors: str) -> io.TextIOWrapper:
    """A pipe as the process has it: UTF-8, strict on stdout, backslashreplace on stderr."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    return stream.buffer.getvalue().decode("utf-8")


def _env(root: Path) -> Environment:
    return Environment(
        stdin=io.StringIO(), stdout=_stream("strict"), stderr=_stream("backslashreplace"), today=TODAY,
        environ={"XDG_CONFIG_HOME": str(root / "config"), "XDG_DATA_HOME": str(root / "data"), "HOME": str(root)},
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A ledger holding a bit of everything: speakers with aliases, a source, open, due, resolved and
    disputed claims, a reviewer assigned to one."""
    root = tmp_path_factory.mktemp("fuzz-template")
    db = root / "ledger.db"
    steps = [
        ["speaker", "add", "Elon Musk", "--alias", "Musk"],
        ["source", "add", "https://example.org/waic", "--title", "WAIC", "--published", "2023-07-06"],
        ["add", "Level 5 this year", "--speaker", "Musk", "--deadline", "later this year", "--source", "1"],
        ["add", "Robotaxis by 2030", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "by 2030"],
        ["add", "Mars by 2024", "--speaker", "Elon Musk", "--said", "2020-01-01", "--deadline", "2024-01-01"],
        ["add", "Disputed one", "--speaker", "Elon Musk", "--said", "2020-01-01", "--deadline", "2023-06-30"],
        ["resolve", "3", "--outcome", "false", "--evidence", "https://example.org/no", "--reviewer", "Ada"],
        ["reviewer", "add", "Ada Reviewer", "--email", "ada@example.org"],
        ["assign", "2", "Ada Reviewer"],
    ]
    for step in steps:
        env = _env(root)
        assert run(["--db", str(db), *step], env=env) == 0, (step, _text(env.stderr))
    return db


def dump(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Commands that write to a relative path write here, not in the checkout."""
    folder = tmp_path_factory.mktemp("fuzz-cwd")
    before = os.getcwd()
    os.chdir(folder)
    yield folder
    os.chdir(before)


def check(template: Path, workdir: Path, make_args, data) -> None:
    root = Path(tempfile.mkdtemp(dir=workdir))
    try:
        db = root / "ledger.db"
        shutil.copy(template, db)
        ws = Workspace(root)
        args = make_args(data, ws, db)
        note(f"args: {args!r}")
        env = _env(root)
        status = run(args, env=env)
        out, err = _text(env.stdout), _text(env.stderr)
        note(f"exit {status}; stderr: {err[-2000:]!r}")
        assert status in DOCUMENTED
        assert "internal error" not in err
        assert "Traceback" not in out + err
        if status != 0:
            assert dump(db) == dump(template), "a failing command changed the ledger"
    finally:
        shutil.rmtree(root, ignore_errors=True)


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(data=st.data())
def test_every_command_answers_any_value_with_a_documented_exit(template, workdir, data):
    def make_args(data, ws, db):
        args = ["--db", str(db)]
        if data.draw(st.integers(0, 9)) == 0:
            args += ["--config", ws.file("config.toml", data.draw(CONFIG_FILE))]
        return args + data.draw(invocations(ws))

    check(template, workdir, make_args, data)


LOCATIONS = st.one_of(
    st.sampled_from(["", " ", "sqlite://", "sqlite:///:memory:", "sqlite:///", "file::memory:", "file:?mode=memory",
                     ":memory:", "sqlite:///x.db?mode=memory", "sqlite:///x.db?mode=rwc", "sqlite:///x.db?mode=ro&mode=rw",
                     "sqlite:///x.db?foo=bar", "nosuchdriver://x", "postgresql://", "mysql://x/y", "file:x.db?mode=ro",
                     "file://otherhost/x.db", "missing/folder/x.db", "~nosuchuser/x.db", "x.db?mode=ro", "\x00.db",
                     "\udcff.db", "\ud800.db", "sqlite:///\udcff.db", "sqlite:///a\x00b", "%", "sqlite:///%zz"]),
    st.tuples(st.sampled_from(["", "sqlite:///", "file:", "missing/"]),
              st.text(st.one_of(st.characters(exclude_characters="/~"), SURROGATES), max_size=12),
              st.sampled_from(["", "?mode=ro", "?mode=", "#x"])).map("".join),
)


@FUZZ
@given(data=st.data())
def test_any_ledger_location_is_opened_or_refused_in_one_line(template, workdir, data):
    """--db values that cannot hold a ledger; relative ones land in the example's folder."""

    def make_args(data, ws, db):
        os.chdir(ws.root)
        command = data.draw(st.sampled_from([["list"], ["speaker", "add", "Ada"], ["verify"], ["db", "current"]]))
        return ["--db", data.draw(LOCATIONS), *command]

    try:
        check(template, workdir, make_args, data)
    finally:
        os.chdir(workdir)
