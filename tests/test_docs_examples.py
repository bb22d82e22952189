"""Every command example in README.md and docs/*.md runs and exits as documented.

A fenced block's lines that start with ``claims`` (or ``$ claims``) are commands. A synopsis is
expanded into the commands it promises: each ``[optional part]`` once on its own, each
alternative of ``a|b``, a repeatable ``[...]...`` twice; placeholders (``ID``, ``DATE``, ``PATH``,
``https://...``, ``"..."``) are filled with real values; a trailing ``...`` (more options) and
``# comments`` are dropped. Each command then runs in-process against a real SQLite ledger and
must exit 0, unless its comment says ``# exits N``.

The README is a walk-through from an empty ledger; each page in docs/ starts from the packaged
seeds. Commands written out in full are steps: they run in order on the page's ledger, as a reader
following along would run them. A command with placeholders or options runs on a copy of the
ledger as it stands at that point, so trying one option never changes what the next line sees.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_SHELL = {"toml", "csv", "json", "jsonl", "python", "py", "text", "ini", "sql", "html", "ics"}

# Placeholders as written in the docs, and what a reader would type for them.
FILLED = {
    "S": "Elon Musk", "T": "autonomy", "N": "1", "DAYS": "180", "D": "2024-06-30", "DATE": "2024-06-30",
    "PATH": "out.txt", "FILE": "out.txt", "NAME": "Ada Reviewer", "URL": "https://example.org/evidence",
}
URL_PLACEHOLDER = "https://example.org/evidence"
NOTE_PLACEHOLDER = "as the evidence shows"


# --- reading the docs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    text: str  # the command as written, continuation lines joined
    expected: int

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.text}"


FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)


def examples(page: Path) -> list[Example]:
    """The commands of every shell block of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    found: list[Example] = []
    for block in FENCE.finditer(text):
        if block.group(1).lower() in NOT_SHELL:
            continue
        first_line = text.count("\n", 0, block.start(2)) + 1
        lines = block.group(2).splitlines()
        transcript = any(line.startswith("$ ") for line in lines)
        i = 0
        while i < len(lines):
            line, number = lines[i], first_line + i
            i += 1
            if transcript:
                if not line.startswith("$ "):
                    continue  # the command's output
                line = line[2:]
            if not line.startswith("claims "):
                continue
            # Continuations: a trailing backslash, or (in a synopsis) indented lines that follow.
            while i < len(lines) and (line.rstrip().endswith("\\") or lines[i].startswith((" ", "\t"))):
                line = line.rstrip().removesuffix("\\") + " " + lines[i].strip()
                i += 1
            command, _, comment = _split_comment(line)
            status = re.search(r"\bexits? (\d+)\b", comment)
            found.append(Example(page.relative_to(ROOT).as_posix(), number, command.strip(), int(status.group(1)) if status else 0))
    return found


def _split_comment(line: str) -> tuple[str, str, str]:
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i], "#", line[i + 1 :]
    return line, "", ""


# --- expanding a synopsis --------------------------------------------------------------------

TOKEN = re.compile(r'"(?P<dq>[^"]*)"|\'(?P<sq>[^\']*)\'|(?P<open>\[)|(?P<close>\]\.\.\.|\])|(?P<word>[^\s\[\]"\']+)')


@dataclass
class Word:
    choices: list[str]  # one, or the alternatives of `a|b`
    quoted: bool = False


@dataclass
class Optional:
    parts: list
    repeatable: bool


def parse(command: str) -> list:
    """Tokens of ``command`` as Words and Optionals; a shell pipe or redirect ends the command."""
    stack: list[list] = [[]]
    for match in TOKEN.finditer(command):
        kind = match.lastgroup
        if kind == "open":
            stack.append([])
        elif kind == "close":
            parts = stack.pop()
            stack[-1].append(Optional(parts, repeatable=match.group() == "]..."))
        elif kind in ("dq", "sq"):
            stack[-1].append(Word([match.group(kind)], quoted=True))
        else:
            word = match.group()
            if word in ("|", ">", ">>", "&&", ";"):
                break
            if word == "...":
                continue  # "and more options"
            stack[-1].append(Word(word.split("|") if "|" in word else [word]))
    assert len(stack) == 1, f"unbalanced brackets in {command!r}"
    return stack[0]


def _choices(node) -> list[list]:
    """The ways to write ``node``; the first is the plainest (an optional part left out)."""
    if isinstance(node, Word):
        return [[(c, node.quoted)] for c in node.choices]
    inner = expand(node.parts)
    return [[]] + inner + ([inner[0] + inner[0]] if node.repeatable else [])


def expand(nodes: list) -> list[list]:
    """The plainest command, then one command for each other choice of each part."""
    options = [_choices(n) for n in nodes]
    plainest = [tok for choices in options for tok in choices[0]]
    variants = [plainest]
    for i, choices in enumerate(options):
        for choice in choices[1:]:
            variants.append([tok for j, c in enumerate(options) for tok in (choice if j == i else c[0])])
    return variants


PLACEHOLDERS = {*FILLED, "ID", "REV", "DIR", "SEQ:HASH"}


def is_synopsis(nodes: list) -> bool:
    """A command with options to choose or placeholders to fill, rather than one to type as is."""
    return any(
        isinstance(n, Optional) or len(n.choices) > 1 or "..." in n.choices[0] or (not n.quoted and n.choices[0] in PLACEHOLDERS)
        for n in nodes
    )


# --- running ---------------------------------------------------------------------------------


class Reader:
    """A reader following one page: its ledger, its working folder, the files the page names."""

    def __init__(self, folder: Path, capsys, seeded: bool):
        self.folder, self.capsys = folder, capsys
        self.db = folder / "ledger.db"
        self.copies = 0
        if seeded:
            status, _, err = self.run(["seed", "load"], self.db)
            assert status == 0, err

    def run(self, args: list[str], db: Path) -> tuple[int, str, str]:
        from ledger.cli.app import run

        self.capsys.readouterr()
        argv = ["--db", f"sqlite:///{db}", *args]
        status = _run_until_stopped(argv) if args[:2] == ["scheduler", "run"] and "--once" not in args else run(argv)
        out, err = self.capsys.readouterr()
        return int(status), out, err

    def copy(self) -> Path:
        """A copy of the page's ledger as it stands, for a command that must not change it."""
        self.copies += 1
        target = self.folder / f"copy-{self.copies}.db"
        with sqlite3.connect(self.db) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return target

    def fill(self, tokens: list[tuple[str, bool]], db: Path) -> list[str]:
        """The command a reader would type: placeholders replaced with values from ``db``."""
        words = [w for w, _ in tokens][1:]  # without "claims"
        args = []
        for word, quoted in tokens[1:]:
            if quoted:
                args.append(NOTE_PLACEHOLDER if word == "..." else word)
            elif word == "ID":
                args.append(str(self._claim_for(words, db)))
            elif word == "REV":
                args.append(_previous_revision())
            elif word == "DIR":
                args.append(str(ROOT / "seeds"))
            elif word == "SEQ:HASH":
                status, out, err = self.run(["verify", "--json"], db)
                head = json.loads(out)["head"]
                args.append(f"{head['seq']}:{head['hash']}")
            elif "..." in word:
                args.append(URL_PLACEHOLDER)
            else:
                args.append(FILLED.get(word, word))
        self._write_inputs(args)
        return args

    def _claim_for(self, words: list[str], db: Path) -> int:
        """``ID`` is a claim the command can act on: an unresolved one to resolve, a resolved one
        to amend (resolving one first if none is), else the first claim."""
        status, out, err = self.run(["list", "--json"], db)
        claims = json.loads(out)
        assert claims, f"the ledger has no claim to stand for ID ({err})"
        if words[0] != "resolve":
            return claims[0]["id"]
        if "--amend" not in words:
            open_ = [c["id"] for c in claims if c["status"] in ("open", "due")]
            assert open_, "the ledger has no unresolved claim to resolve"
            return open_[0]
        resolved = [c["id"] for c in claims if c["status"] == "resolved"]
        if resolved:
            return resolved[0]
        first = claims[0]["id"]
        status, _, err = self.run(["resolve", str(first), "--outcome", "false", "--evidence", URL_PLACEHOLDER], db)
        assert status == 0, err
        return first

    def _write_inputs(self, args: list[str]) -> None:
        """Files the docs name as input: the article to store, the file to import (in the format
        the command asks for)."""
        if args[:2] == ["source", "add"] and "--file" in args:
            name = args[args.index("--file") + 1]
            (self.folder / name).write_text((ROOT / "seeds" / "waic-2023-musk-article.txt").read_text(encoding="utf-8"), encoding="utf-8")
        if args[0] == "extract" and args[1].startswith(LOOPBACK_URL):
            args[1] = _pages_site() + args[1][len(LOOPBACK_URL):]
        elif args[0] == "extract" and (ROOT / args[1]).is_file():  # the seed article, a saved page
            args[1] = str(ROOT / args[1])
        if args[0] == "import":
            if (ROOT / args[1]).is_file():  # a file of the repository, such as the seeds
                args[1] = str(ROOT / args[1])
                return
            fmt = args[args.index("--format") + 1] if "--format" in args else "csv"
            (self.folder / args[1]).write_text(_import_file(fmt), encoding="utf-8")


LOOPBACK_URL = "http://127.0.0.1:8000"  # docs/extract.md's URL example: served from tests/extract_set/pages
_SITE: list = []


def _pages_site() -> str:
    """A loopback server of the saved pages, started once, for `claims extract URL` examples."""
    if not _SITE:
        from loopback import Site

        pages = {f"/{p.name}": (200, {"Content-Type": "text/html; charset=utf-8"}, p.read_bytes())
                 for p in (ROOT / "tests" / "extract_set" / "pages").glob("*.html")}
        site = Site(pages).__enter__()
        _SITE.append(site)
    return _SITE[0].base


def _import_file(fmt: str) -> str:
    """The hand-written CSV of docs/import-export.md, or the same claims as JSON Lines, or a
    PredictionBook scrape."""
    page = (ROOT / "docs" / "import-export.md").read_text(encoding="utf-8")
    sample = re.search(r"^```csv\n(.*?)^```", page, re.M | re.S).group(1)
    if fmt == "csv":
        return sample
    if fmt == "jsonl":
        rows = csv.DictReader(io.StringIO(sample))
        return "".join(json.dumps({k: v for k, v in row.items() if v}) + "\n" for row in rows)
    return (ROOT / "tests" / "data" / "predictionbook_sample.json").read_text(encoding="utf-8")


def _previous_revision() -> str:
    """``REV`` for `claims db downgrade`: one revision back from the newest."""
    versions = sorted(p.stem.split("_")[0] for p in (ROOT / "migrations" / "versions").glob("[0-9]*.py"))
    return versions[-2]


def _run_until_stopped(argv: list[str]) -> int:
    """`claims scheduler run` runs until SIGTERM: send it once the scheduler has taken the signal
    (and only then, so an early failure cannot end the test process)."""
    from ledger.cli.app import run

    default = signal.getsignal(signal.SIGTERM)
    done = threading.Event()

    def stop_when_listening() -> None:
        while not done.wait(0.02):
            if signal.getsignal(signal.SIGTERM) is not default:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    stopper = threading.Thread(target=stop_when_listening, daemon=True)
    stopper.start()
    try:
        return run(argv)
    finally:
        done.set()
        stopper.join()


# --- the tests -------------------------------------------------------------------------------


def test_the_docs_have_examples_to_check():
    """The parser finds what a reader sees: if it silently found nothing, nothing would be checked."""
    found = {page.name: len(examples(page)) for page in PAGES}
    assert found["README.md"] >= 25 and found["import-export.md"] >= 3 and found["report.md"] >= 10, found


def test_a_synopsis_expands_into_each_command_it_promises():
    variants = [" ".join(w for w, _ in v) for v in expand(parse('claims list [--status open|due] [--speaker S]... "a b" https://...'))]
    assert variants == [
        "claims list a b https://...",
        "claims list --status open a b https://...",
        "claims list --status due a b https://...",
        "claims list --speaker S a b https://...",
        "claims list --speaker S --speaker S a b https://...",
    ]
    assert [w for w, _ in expand(parse("claims report --format json > report.json  # to a file"))[0]] == ["claims", "report", "--format", "json"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_example_runs_as_documented(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reader = Reader(tmp_path, capsys, seeded=page.name != "README.md")
    failures = []
    for example in examples(page):
        nodes = parse(example.text)
        step = not is_synopsis(nodes)
        for tokens in expand(nodes):
            db = reader.db if step else reader.copy()
            args = reader.fill(tokens, db)
            status, out, err = reader.run(args, db)
            if status != example.expected:
                failures.append(f"{example}\n    ran: claims {' '.join(args)}\n    exit {status} (documented: {example.expected}): {err.strip()[-300:]}")
    assert not failures, "\n".join(failures)


def test_every_benchmark_option_the_readme_names_exists(monkeypatch):
    """The README's `python -m benchmarks` synopses, read by the benchmark's own argument parser
    (running it is the smoke test's job)."""
    monkeypatch.syspath_prepend(str(ROOT))  # run from the repository, as the README says
    from benchmarks.__main__ import parser

    synopses = re.findall(r"^python -m benchmarks (.*)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert len(synopses) == 2
    for synopsis in synopses:
        for tokens in expand(parse(synopsis)):
            parser().parse_args([w for w, _ in tokens])


def _commands(group, path=()):
    import click

    for name, command in ((n, group.get_command(None, n)) for n in group.list_commands(None)):  # every family loaded
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def test_the_commands_without_json_are_the_ones_the_readme_names():
    """"Every command takes `--json` ... except ...": the exceptions, read from the README, are
    exactly the commands that have no --json option."""
    from ledger.cli import cli

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"Every command takes `--json`.*?\.(?= Output)", text, re.S).group()
    exceptions = set(re.findall(r"`([a-z ]+)`", sentence.split("except", 1)[1]))
    without_json = {name for name, command in _commands(cli) if not any("--json" in p.opts for p in command.params)}
    named = {name for name in without_json if name in exceptions or name.split()[0] in exceptions}
    assert named == without_json, f"commands without --json that the README does not name: {without_json - named}"
    assert all(any(n == e or n.split()[0] == e for n in without_json) for e in exceptions), exceptions


def test_report_json_is_short_for_format_json(cli):
    assert cli("seed", "load").status == 0
    short, long = cli("report", "--json"), cli("report", "--format", "json")
    assert short.status == long.status == 0 and short.json == long.json and short.json["speakers"]
    board = cli("report", "--leaderboard", "--min-resolved", "1", "--json")
    assert board.status == 0 and board.json == cli("report", "--leaderboard", "--min-resolved", "1", "--format", "json").json
    clash = cli("report", "--json", "--format", "csv")
    assert clash.status == 2 and "--json is --format json" in clash.err


def test_the_seeds_claims_csv_imports_as_the_same_claims_seed_load_gives(cli, tmp_path):
    """seeds/claims.csv is in the canonical import format: `claims import` reads it, and the
    claims, deadlines and verdicts match what `claims seed load` makes of the same file."""
    imported = cli("import", ROOT / "seeds" / "claims.csv", "--json")
    assert imported.status == 0, imported.err
    assert (imported.json["claims_added"], imported.json["resolutions"]) == (8, 7)
    seeded_db = f"sqlite:///{tmp_path / 'seeded.db'}"
    assert cli("seed", "load", db=seeded_db).status == 0

    def claims(db=None):
        keys = ("speaker", "text", "said", "deadline", "deadline_text", "status", "tags", "quote", "confidence")
        listed = cli("list", "--json", **({"db": db} if db else {})).json
        return [{k: c[k] for k in keys} | {"source": c["source"]["url"]} for c in listed]

    assert claims() == claims(seeded_db)


def test_the_development_section_maps_the_layout_as_it_is():
    """Every folder the README's layout names exists, and every package of ledger/ (and every
    top-level folder of the design) is named, so a split or a move must update the map."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Development"):]
    layout = re.search(r"^```text\n(.*?)^```", section, re.M | re.S).group(1)
    named, parent = set(), ""
    for line in layout.splitlines():
        if line.startswith("   "):
            continue  # the description above, continued
        entry = line.split()[0]
        if entry.endswith("/") and line.startswith("  "):
            entry = parent + entry  # a subfolder of the entry above
        elif entry.endswith("/"):
            parent = entry
        named.add(entry.rstrip("/"))
    assert not {p for p in named if not (ROOT / p).exists()}, "the layout names what does not exist"
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "ledger").rglob("__init__.py")} - {"ledger"}
    packages -= {p for p in packages if p.startswith("ledger/store/")}  # the store's models are the store
    top = {"ledger", "migrations", "seeds", "jobs", "tests", "docs", "benchmarks"}
    wanted = packages | (top - {"ledger"})
    assert wanted <= named, f"the layout does not name {wanted - named}"


def test_the_import_transcript_prints_what_the_page_shows(tmp_path, monkeypatch, capsys):
    """docs/import-export.md imports its hand-written CSV into a new ledger twice: the output is
    the page's, line for line."""
    page = (ROOT / "docs" / "import-export.md").read_text(encoding="utf-8")
    block = next(b.group(2) for b in FENCE.finditer(page) if "$ claims import claims.csv" in b.group(2))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "claims.csv").write_text(_import_file("csv"), encoding="utf-8")
    reader = Reader(tmp_path, capsys, seeded=False)
    lines = block.splitlines()
    for command, shown in zip(lines[::2], lines[1::2]):
        status, out, err = reader.run(command.removeprefix("$ claims ").split(), reader.db)
        assert (status, out.strip()) == (0, shown), err
