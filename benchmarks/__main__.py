"""Hold the ledger to the speed of raw SQL: ``python -m benchmarks [--claims N] [--backend B] [--quick]``.

For each backend and size, one synthetic file (benchmarks.synthetic) is imported with
`claims import`; that ledger then serves every other measurement, and each measurement is
paired with its baseline (benchmarks.baselines) on the same data, alternating run by run so a
busy machine slows both alike. The table (median of the runs, ratio to the baseline, target)
is printed and written to BENCHMARKS.md with a description of the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from benchmarks import baselines, extract, synthetic

TARGETS = {"import": 2.0, "due": 2.0, "due growth": 1.5, "report": 3.0, "leaderboard": 2.0, "speaker": 2.0, "speaker growth": 1.5,
           "start-up": 1.5, "start-up of a read": 1.3, "search": 3.0, "change": 2.0, "list": 2.0,
           "publish": 60.0, "republish": 12.0, "verify": 1.5, "scheduler": 2.0}  # publish and republish: seconds (the 60 s, a fifth of it)
MEMORY_MB = 300
RUNS = {"import": 3, "due": 7, "report": 5, "start-up": 10, "change": 7, "publish": 1, "republish": 3, "verify": 3,
        "scheduler": 5}
GROUPS = frozenset(("import", "due", "report", "start-up", "publish", "changes", "list", "verify", "scheduler"))  # what --only picks from
QUICK = {"import": 1, "due": 3, "report": 2, "start-up": 3, "change": 1, "publish": 1, "republish": 1, "verify": 1,
         "scheduler": 1}
SEARCHED = "fusion"  # one subject of eighteen in the synthetic claims (benchmarks/synthetic.py)


@dataclass
class Row:
    backend: str
    claims: int
    what: str
    measured: float  # seconds (or MB for memory)
    baseline: float | None
    target: float | None  # None: shown for information
    unit: str = "s"
    check: str = ""  # a correctness cross-check that failed, if any
    absolute: bool = False  # the target is a time, even with a baseline shown beside it

    @property
    def ratio(self) -> float | None:
        return self.measured / self.baseline if self.baseline else None

    @property
    def passed(self) -> bool:
        value = self.measured if self.baseline is None or self.absolute else self.ratio
        return not self.check and (self.target is None or value <= self.target)


# --- ledgers ---------------------------------------------------------------------------------


class Ledgers:
    """Creates empty ledgers on one backend and removes them afterwards."""

    def __init__(self, backend: str, workdir: Path, postgres_url: str | None):
        self.backend, self.workdir = backend, workdir
        self.created: list[str] = []
        if backend == "postgresql":
            if not postgres_url:
                raise SystemExit("--backend postgresql needs --postgres-url or CLAIMS_TEST_POSTGRES_URL")
            from sqlalchemy import create_engine
            from sqlalchemy.engine import make_url

            self.server = make_url(postgres_url).set(drivername="postgresql+psycopg")
            self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")

    def new(self) -> str:
        name = f"claims_bench_{uuid.uuid4().hex[:10]}"
        if self.backend == "sqlite":
            url = f"sqlite:///{self.workdir / (name + '.db')}"
        else:
            from sqlalchemy import text

            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = self.server.set(database=name).render_as_string(hide_password=False)
        self.created.append(url)
        from ledger.store.engine import open_ledger

        open_ledger(url).dispose()  # the schema, as any claims command would create it
        return url

    def copy(self, url: str) -> str:
        """A new ledger holding what the one at ``url`` holds, for a command that changes it."""
        name = f"claims_bench_{uuid.uuid4().hex[:10]}"
        if self.backend == "sqlite":
            copy = f"sqlite:///{self.workdir / (name + '.db')}"
            source, target = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(copy.removeprefix("sqlite:///"))
            with contextlib.closing(source), contextlib.closing(target):
                source.backup(target)
        else:
            from sqlalchemy import text
            from sqlalchemy.engine import make_url

            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'))
            copy = self.server.set(database=name).render_as_string(hide_password=False)
        self.created.append(copy)
        return copy

    def drop(self, url: str) -> None:
        if self.backend == "sqlite":
            path = url.removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path + suffix)
        else:
            from sqlalchemy import text
            from sqlalchemy.engine import make_url

            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        self.created.remove(url)

    def close(self) -> None:
        for url in list(self.created):
            self.drop(url)
        if self.backend == "postgresql":
            self.admin.dispose()

    def server_version(self) -> str:
        if self.backend != "postgresql":
            return ""
        from sqlalchemy import text

        with self.admin.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar()


# --- measuring --------------------------------------------------------------------------------


def claims_command() -> list[str]:
    script = Path(sys.executable).with_name("claims")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ledger"]


# Linux starts a child's peak memory from its parent's size at fork, and this process grows large
# (it reads whole reports), so each command runs under a small, fresh Python that times it and
# reports its peak (getrusage of its children).
_WRAPPER = """\
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
sys.stderr.buffer.write(done.stderr)
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)
"""


def timed_process(args: list[str]) -> tuple[float, float]:
    """Run a process to the end; return (wall seconds, peak resident MB) of it alone."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True)
    seconds, kilobytes, status = done.stdout.split() if done.returncode == 0 else ("0", "0", "1")
    if status != "0":
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return float(seconds), int(kilobytes) / 1024  # KB on Linux


def in_process(args: list[str]) -> tuple[float, str]:
    """Run a claims command in this process (its imports already loaded: start-up is measured on
    its own) and return (seconds, what it printed)."""
    from ledger.cli.app import run

    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = run(args)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"claims {' '.join(args)} exited {status}")
    return elapsed, out.getvalue()


def paired(runs: int, measure, baseline) -> tuple[float, float, object, object]:
    """Medians of ``runs`` alternating runs of each; also the last result of each."""
    m, b, m_out, b_out = [], [], None, None
    for _ in range(runs):
        t, m_out = measure()
        m.append(t)
        t, b_out = baseline()
        b.append(t)
    return statistics.median(m), statistics.median(b), m_out, b_out


def clock(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


# --- the benchmark ----------------------------------------------------------------------------


def bench(backend: str, count: int, csv_file: Path, ledgers: Ledgers, runs: dict, log, only: frozenset = GROUPS) -> tuple[list[Row], str]:
    """The rows of ``only`` (GROUPS) on one ledger of ``count`` claims; without "import" the
    ledger is imported once and not timed."""
    rows: list[Row] = []
    claims = claims_command()
    today = date.today()

    # Import: the first run's ledger is kept for everything else.
    main_url = None
    imports, copies, peaks = [], [], []
    for r in range(runs["import"] if "import" in only else 1):
        url = ledgers.new()
        seconds, peak = timed_process([*claims, "--db", url, "import", str(csv_file), "--logged-by", "benchmark"])
        imports.append(seconds)
        peaks.append(peak)
        log(f"  import {count:,} claims: {seconds:.1f} s, {peak:.0f} MB")
        if main_url is None:
            main_url = url
        else:
            ledgers.drop(url)
        if "import" not in only:
            break
        target = ledgers.new()
        seconds, copied = baselines.copy_rows(main_url, target)
        copies.append(seconds)
        log(f"  raw executemany of the same {copied:,} rows: {seconds:.1f} s")
        ledgers.drop(target)
    if "import" in only:
        rows.append(Row(backend, count, "claims import", statistics.median(imports), statistics.median(copies), TARGETS["import"]))
        rows.append(Row(backend, count, "peak memory of claims import", max(peaks), None, None, unit="MB"))
    if "due" in only:
        rows += _due(backend, count, main_url, today, runs, log)
    if "verify" in only:
        rows += _verify(backend, count, main_url, runs, log)
    if "scheduler" in only:
        rows += _scheduler(backend, count, main_url, today, ledgers, runs, log)
    if "report" in only:
        rows += _reports(backend, count, main_url, today, runs, log)
    if "start-up" in only:
        # Start-up of a command that reads the ledger.
        # On PostgreSQL the floor includes the driver and one connection, as the issue sets it.
        floor = [sys.executable, "-c", "import sqlalchemy.orm"]
        if backend == "postgresql":
            floor = [sys.executable, "-c", baselines.CONNECT_PROGRAM, main_url]
        m, b, _, _ = paired(
            runs["start-up"], lambda: timed_process([*claims, "--db", main_url, "list", "--limit", "1"]), lambda: timed_process(floor)
        )
        target = TARGETS["start-up of a read" if backend == "postgresql" else "start-up"]
        rows.append(Row(backend, count, "start-up: claims list --limit 1", m, b, target))
    if "report" in only:
        # Peak memory of the report, in a process of its own.
        _, peak = timed_process([*claims, "--db", main_url, "report", "--format", "json"])
        rows.append(Row(backend, count, "peak memory of claims report --format json", peak, None, MEMORY_MB, unit="MB"))
        log(f"  report peak memory: {peak:.0f} MB")
    if "publish" in only:
        rows += _publish(backend, count, main_url, runs, log, ledgers.workdir)
    if "changes" in only:
        rows += _changes(backend, count, main_url, runs, log)
    if "list" in only:
        rows += _listing(backend, count, main_url, today, runs, log)
    return rows, main_url


def _listing(backend: str, count: int, url: str, today: date, runs: dict, log) -> list[Row]:
    """`claims list` of every claim to a pipe against a hand-written program printing the same
    table (checked byte for byte), with its peak memory; and the start-up of `list --limit 50` and
    `show ID` against `import sqlalchemy.orm`."""
    claims, rows = claims_command(), []
    listing = [*claims, "--db", url, "list"]
    program = [sys.executable, "-c", baselines.LIST_PROGRAM, url, today.isoformat()]
    same = subprocess.run(listing, capture_output=True).stdout == subprocess.run(program, capture_output=True).stdout
    peaks: list[float] = []

    def measured():
        seconds, peak = timed_process(listing)
        peaks.append(peak)
        return seconds, None

    m, b, _, _ = paired(runs["import"], measured, lambda: (timed_process(program)[0], None))
    check = "" if same else "prints other bytes than the hand-written program"
    rows.append(Row(backend, count, "claims list (every claim, to a pipe)", m, b, TARGETS["list"], check=check))
    rows.append(Row(backend, count, "peak memory of claims list", max(peaks), None, MEMORY_MB, unit="MB"))
    log(f"  list: {m:.2f} s, program {b:.2f} s, {max(peaks):.0f} MB {check}")
    for what, args in (("list --limit 50", ["list", "--limit", "50"]), ("show ID", ["show", "1"])):
        m, b, _, _ = paired(
            runs["start-up"], lambda: timed_process([*claims, "--db", url, *args]),
            lambda: timed_process([sys.executable, "-c", "import sqlalchemy.orm"]),
        )
        rows.append(Row(backend, count, f"start-up: claims {what}", m, b, TARGETS["start-up of a read"]))
        log(f"  {what}: {m * 1000:.0f} ms, import sqlalchemy.orm {b * 1000:.0f} ms")
    return rows


def _due(backend: str, count: int, main_url: str, today: date, runs: dict, log) -> list[Row]:
    rows = []

    # claims due against the indexed query, checked to list the same claims.
    m, b, m_out, b_out = paired(
        runs["due"], lambda: in_process(["--db", main_url, "due", "--json"]), lambda: clock(baselines.due, main_url, today)
    )
    listed = json.loads(m_out)
    check = "" if m_out == b_out else f"prints other JSON than the SQL's ({len(listed)} claims, the SQL {len(json.loads(b_out))})"
    rows.append(Row(backend, count, f"claims due ({len(listed):,} lapsed)", m, b, TARGETS["due"], check=check))
    log(f"  due: {m * 1000:.1f} ms, SQL {b * 1000:.1f} ms {check}")
    return rows


def _verify(backend: str, count: int, url: str, runs: dict, log) -> list[Row]:
    """claims verify against a hand-written recomputation of the same hashes over the same rows,
    checked to reach the same head over the same entries and rows, both finding the ledger intact."""
    m, b, m_out, (head, entries, rows, problems) = paired(
        runs["verify"], lambda: in_process(["--db", url, "verify", "--json"]), lambda: clock(baselines.verify, url)
    )
    report = json.loads(m_out)
    journaled = sum(n for table, n in report["tables"].items() if table in baselines.SNAPSHOT_FIELDS)
    check = "" if (report["intact"], report["head"]["hash"], report["entries"], journaled, problems) == (True, head, entries, rows, 0) else (
        f"verifies other hashes than the hand-written program (intact {report['intact']}, {report['entries']} entries and "
        f"{journaled} rows; by hand {entries} and {rows}, {problems} problems)"
    )
    log(f"  verify: {m:.2f} s, by hand {b:.2f} s {check}")
    return [Row(backend, count, "claims verify", m, b, TARGETS["verify"], check=check)]


def _scheduler(backend: str, count: int, url: str, today: date, ledgers: Ledgers, runs: dict, log) -> list[Row]:
    """claims scheduler run --once (as a process, start-up included) on a copy of the ledger whose
    lapsed claims were never scanned, against a hand-written program doing the same on another
    copy: the digests they print must be the same bytes, and the program's journal must verify
    (checked once, untimed), with the command's peak memory."""
    claims, peaks = claims_command(), []
    command = lambda copy: [*claims, "--db", copy, "scheduler", "run", "--once"]  # noqa: E731
    program = lambda copy: [sys.executable, "-c", baselines.SCHEDULER_PROGRAM, copy, today.isoformat()]  # noqa: E731

    def on_a_copy(args, check=None):
        copy = ledgers.copy(url)
        try:
            return check(copy, subprocess.run(args(copy), capture_output=True).stdout) if check else timed_process(args(copy))
        finally:
            ledgers.drop(copy)

    digest = on_a_copy(command, lambda copy, out: out)
    by_hand, intact = on_a_copy(program, lambda copy, out: (out, baselines.verify(copy)[3] == 0))
    check = "" if digest == by_hand and intact and digest else "prints another digest than the hand-written program, or its journal does not verify"

    def measured():
        seconds, peak = on_a_copy(command)
        peaks.append(peak)
        return seconds, None

    m, b, _, _ = paired(runs["scheduler"], measured, lambda: (on_a_copy(program)[0], None))
    log(f"  scheduler run --once: {m:.2f} s, by hand {b:.2f} s, {max(peaks):.0f} MB {check}")
    return [
        Row(backend, count, "claims scheduler run --once (1,000 lapsed)" if count >= 100_000 else "claims scheduler run --once",
            m, b, TARGETS["scheduler"], check=check),
        Row(backend, count, "peak memory of claims scheduler run --once", max(peaks), None, MEMORY_MB, unit="MB"),
    ]


def _reports(backend: str, count: int, main_url: str, today: date, runs: dict, log) -> list[Row]:
    rows = []

    # claims report --format json against one GROUP BY, checked to give the same hit rates.
    m, b, m_out, rates = paired(
        runs["report"], lambda: in_process(["--db", main_url, "report", "--format", "json"]),
        lambda: clock(baselines.hit_rates, main_url, today),
    )
    reported = {s["speaker_id"]: s["hit_rate"] for s in json.loads(m_out)["speakers"] if s["hit_rate"] is not None}
    differ = [i for i in rates.keys() | reported.keys() if abs((reported.get(i) or -1) - (rates.get(i) or -1)) > 1e-9]
    check = f"hit rates differ for {len(differ)} speakers" if differ else ""
    rows.append(Row(backend, count, "claims report --format json", m, b, TARGETS["report"], check=check))
    log(f"  report: {m:.2f} s, SQL {b:.2f} s {check}")

    # The detail of every speaker, as the report printed it by default before it was a summary.
    m, b, _, _ = paired(
        runs["report"], lambda: in_process(["--db", main_url, "report", "--format", "json", "--detail"]),
        lambda: clock(baselines.hit_rates, main_url, today),
    )
    rows.append(Row(backend, count, "claims report --format json --detail", m, b, None))
    log(f"  report --detail: {m:.2f} s, SQL {b:.2f} s")

    # claims report --leaderboard against the same GROUP BY, checked to give the same hit rates.
    m, b, m_out, rates = paired(
        runs["report"], lambda: in_process(["--db", main_url, "report", "--leaderboard", "--format", "json"]),
        lambda: clock(baselines.hit_rates, main_url, today),
    )
    ranked = json.loads(m_out)["speakers"]
    differ = [s["speaker_id"] for s in ranked if abs((s["hit_rate"] or 0) - rates.get(s["speaker_id"], -1)) > 1e-9]
    check = f"hit rates differ for {len(differ)} speakers" if differ else ""
    rows.append(Row(backend, count, "claims report --leaderboard", m, b, TARGETS["leaderboard"], check=check))
    log(f"  leaderboard: {m:.2f} s, SQL {b:.2f} s {check}")

    return rows + _one_speaker(backend, count, main_url, today, runs, log)


def _publish(backend: str, count: int, url: str, runs: dict, log, workdir: Path) -> list[Row]:
    """claims publish into an empty folder, and again over its own output with the ledger
    unchanged (checked to write nothing), against writing the same files (paths and bytes, read
    back from the site) with plain open/write into an empty folder; and the peak memory of a
    first publish."""
    def empty() -> Path:
        return Path(tempfile.mkdtemp(prefix="site-", dir=workdir))

    def publish(out: Path) -> tuple[float, str]:
        return in_process(["--db", url, "publish", "--out", str(out), "--publisher", "Benchmark News"])

    site = empty()
    firsts = [publish(site)[0]]
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    written = [baselines.write_files(files, empty())]
    for _ in range(runs["publish"] - 1):
        firsts.append(publish(empty())[0])
        written.append(baselines.write_files(files, empty()))
    baseline = statistics.median(written)
    rows = [Row(backend, count, "claims publish", statistics.median(firsts), baseline,
                TARGETS["publish"], absolute=True)]
    log(f"  publish: {rows[0].measured:.1f} s, writing the same {len(files):,} files {baseline:.2f} s")
    again = [publish(site) for _ in range(runs["republish"])]
    rewrote = [out for _, out in again if "(0 written," not in out]
    check = f"republishing an unchanged ledger wrote files: {rewrote[0].strip()}" if rewrote else ""
    rows.append(Row(backend, count, "claims publish again, ledger unchanged", statistics.median(t for t, _ in again),
                    baseline, TARGETS["republish"], check=check, absolute=True))
    log(f"  publish again: {rows[1].measured:.1f} s {check}")
    # Its peak memory in a process of its own (this one holds the ledger's imports and reports).
    _, peak = timed_process([*claims_command(), "--db", url, "publish", "--out", str(empty()), "--publisher", "Benchmark News"])
    rows.append(Row(backend, count, "peak memory of claims publish", peak, None, MEMORY_MB, unit="MB"))
    log(f"  publish peak memory: {peak:.0f} MB")
    for folder in workdir.glob("site-*"):
        shutil.rmtree(folder, ignore_errors=True)
    return rows


SPEAKER_SIZES = (5000, 5)  # claims of the speakers reported on alone: a prolific pundit and an occasional one
SPEAKER_ROW = "claims report --speaker S --format json"


def _one_speaker(backend: str, count: int, url: str, today: date, runs: dict, log) -> list[Row]:
    """claims report --speaker S --format json for the speakers nearest SPEAKER_SIZES claims,
    against a program reading that speaker's rows and the stored prior (the report before the
    measured runs stores it), checked to give the same hit rate."""
    conn = baselines.connect(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT s.id, s.name, COUNT(*) FROM claims c JOIN speakers s ON s.id = c.speaker_id GROUP BY s.id, s.name")
        sizes = cur.fetchall()
    finally:
        conn.close()
    rows = []
    for wanted in SPEAKER_SIZES:
        speaker_id, name, n = min(sizes, key=lambda r: (abs(r[2] - wanted), r[0]))
        args = ["--db", url, "report", "--speaker", name, "--format", "json"]
        in_process(args)  # fits and stores the prior if no report has yet at this head
        m, b, m_out, rate = paired(runs["report"], lambda: in_process(args), lambda: clock(baselines.speaker_report, url, today, speaker_id))
        (reported,) = json.loads(m_out)["speakers"]
        same = reported["hit_rate"] == rate if None in (reported["hit_rate"], rate) else abs(reported["hit_rate"] - rate) <= 1e-9
        check = "" if same else "hit rate differs"  # a rate of 0.0 is a rate, not a missing one
        rows.append(Row(backend, count, f"{SPEAKER_ROW} (#{len(rows) + 1}: {n:,} claims)", m, b, TARGETS["speaker"], check=check))
        log(f"  report --speaker ({n:,} claims): {m * 1000:.1f} ms, by hand {b * 1000:.1f} ms {check}")
    return rows


def _changes(backend: str, count: int, url: str, runs: dict, log) -> list[Row]:
    """claims search against the same full-text query by hand (checked to rank the same claims),
    and claims edit and withdraw against claims add, each run on a claim of its own."""
    rows = []
    m, b, m_out, b_ids = paired(
        runs["due"], lambda: in_process(["--db", url, "search", SEARCHED, "--limit", "20", "--all", "--json"]),
        lambda: baselines.search(url, SEARCHED),
    )
    ids = [c["id"] for c in json.loads(m_out)["claims"]]
    check = "" if set(ids) == set(b_ids) else f"finds other claims than the SQL ({len(ids)}, the SQL {len(b_ids)})"
    rows.append(Row(backend, count, f"claims search {SEARCHED} --limit 20", m, b, TARGETS["search"], check=check))
    log(f"  search: {m * 1000:.1f} ms, SQL {b * 1000:.1f} ms {check}")

    first = json.loads(in_process(["--db", url, "list", "--limit", str(2 * runs["change"]), "--json"])[1])
    speaker, targets = first[0]["speaker"], iter(c["id"] for c in first)
    added = iter(range(10**6))

    def add():
        n = next(added)
        return in_process(["--db", url, "add", f"Benchmark claim {n}", "--speaker", speaker, "--said", "2020-01-01",
                           "--deadline", "2030-12-31", "--logged-by", "benchmark"])

    for what, change in (
        ("claims edit", lambda: in_process(["--db", url, "edit", str(next(targets)), "--text", f"Edited {next(added)}",
                                           "--reason", "benchmark", "--by", "benchmark"])),
        ("claims withdraw", lambda: in_process(["--db", url, "withdraw", str(next(targets)), "--reason", "benchmark",
                                               "--by", "benchmark"])),
    ):
        m, b, _, _ = paired(runs["change"], change, add)
        rows.append(Row(backend, count, f"{what} (against claims add)", m, b, TARGETS["change"]))
        log(f"  {what}: {m * 1000:.1f} ms, add {b * 1000:.1f} ms")
    return rows


def machine(postgres: str) -> list[tuple[str, str]]:
    def first(path: str, key: str) -> str:
        with contextlib.suppress(OSError):
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        return "unknown"

    import sqlalchemy

    ram = first("/proc/meminfo", "MemTotal")
    ram = f"{int(ram.split()[0]) / 1024 / 1024:.1f} GB" if ram != "unknown" else ram
    facts = [
        ("CPU", first("/proc/cpuinfo", "model name")),
        ("Cores", str(os.cpu_count())),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("SQLAlchemy", sqlalchemy.__version__),
    ]
    if postgres:
        import psycopg

        facts += [("PostgreSQL", postgres), ("psycopg", psycopg.__version__)]
    return facts


def fmt(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def table(rows: list[Row]) -> list[str]:
    lines = ["| backend | claims | what | measured | baseline | ratio | target | result |", "|---|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        if r.target is None:
            target = ""
        else:
            relative = (r.baseline is not None and not r.absolute) or r.unit == "x"
            target = f"<= {r.target:g}x" if relative else f"<= {r.target:g} {r.unit}"
        result = ("pass" if r.passed else "MISSED") if r.target is not None else "(for information)"
        result += f": {r.check}" if r.check else ""
        baseline = fmt(r.baseline, r.unit) if r.baseline is not None else ""
        lines.append(f"| {r.backend} | {r.claims:,} | {r.what} | {fmt(r.measured, r.unit)} | {baseline} | {ratio} | {target} | {result} |")
    return lines


BASELINES = """\
What each row compares (every baseline runs on the same data, in the same run):

- **claims import**: `claims import FILE` of the synthetic CSV into an empty ledger, as a process
  (start-up included), against raw `sqlite3` / `psycopg` `executemany` inserting exactly the rows
  that import wrote (speakers, sources, claims, tags, resolutions and journal entries), table by
  table, 1,000 rows per transaction like the import, timing only the inserts and commits.
- **claims due**: `claims --db URL due --json` run in the benchmark's process (start-up is its own
  row), against a hand-written program: connect with the driver, the indexed `WHERE status IN
  (...) AND deadline < today` query with the same joins and order, and the same JSON, byte for
  byte (checked). The ledger has 1,000 lapsed claims at every size from 100,000 up, so the
  *growth* row (due at 1M over due at 100k) shows how the command scales with the ledger, not
  with its output.
- **claims verify**: `claims --db URL verify --json` in the benchmark's process, against a
  hand-written program (benchmarks/baselines.py, one process: the driver, `json` and `hashlib`)
  that recomputes each journal entry's SHA-256 over its canonical JSON and its link to the one
  before, keeps the digest of each row's latest snapshot, then spells every journaled row's
  snapshot from its columns and compares digests; both must reach the same head over the same
  entries and rows and find the ledger intact (checked). verify also recomputes the derived keys,
  the search documents and any stored prior, which the program leaves out.
- **claims scheduler run --once**: as a process (start-up included), with the default settings
  (the log channel), on a fresh copy of the ledger (whose lapsed claims were never scanned) for
  each run, against a hand-written program on another copy (benchmarks/baselines.py: the driver,
  one transaction under the journal's lock that flags the lapsed claims, journals each and gives
  it a schedule and an outbox row, then the digest printed and its reminders marked sent); the
  digests must be the same bytes and the program's journal must verify (checked). Its peak
  memory should stay flat as the ledger grows.
- **claims report --format json**: the report on every speaker (a summary per speaker: hit rates
  with intervals, shrinkage, Brier, lateness) in the benchmark's process, against one `GROUP BY`
  computing each speaker's hit rate; the report's hit rates must equal the SQL's. `--detail` adds
  every speaker's calibration, tags and years (what the report printed by default before it was a
  summary), against the same `GROUP BY`, for information.
- **claims report --leaderboard**: against the same `GROUP BY`; the hit rates must agree.
- **claims report --speaker S --format json**: for the speakers nearest 5,000 claims (#1) and 5
  claims (#2), with the prior already stored by a report at the same journal head, against a
  hand-written program that reads the stored prior and that speaker's rows through the index,
  computes the hit rate, shrunk rate and Brier score and prints them as JSON; the hit rates must
  agree. Its growth rows compare the time at the largest ledger with the smallest.
- **claims extract**: candidates from a 2,000-word article made of the annotated set's paragraphs
  (benchmarks/extract.py), in the rules mode and in the parser mode (spaCy's sentences and names,
  then the rules), against the pipeline's bare parse (`nlp(text)`, the pipeline loaded whole) of the same text;
  both are loaded before timing. Their targets are times: 0.2 s for the rules, 1 s for the parser mode.
- **claims publish**: `claims publish --out DIR` of the whole ledger into an empty folder, in the
  benchmark's process, and **claims publish again** over that folder with the ledger unchanged
  (checked to write no file), against writing the same files (every path and its bytes, read
  back from the published site) with plain `open`/`write` into an empty folder. Their targets
  are times: 60 s to publish, a fifth of that to publish again. **peak memory of claims publish**:
  one more first publish into an empty folder, as a process of its own, against 300 MB.
- **start-up**: `claims --version` and `claims --db URL list --limit 1` as processes, against
  `python -c "import sqlalchemy.orm"`; on PostgreSQL `list --limit 1` is held to that plus
  `import psycopg` and one connection to the ledger (target 1.3x). `claims list --limit 50` and
  `claims show ID` are against `import sqlalchemy.orm` (target 1.3x).
- **claims search WORD --limit 20**: in the benchmark's process, against the same full-text query
  written by hand against the index (FTS5's `MATCH` with `bm25`, PostgreSQL's `@@` with
  `ts_rank`), both the 20 best; they must find the same claims (checked).
- **claims edit** and **claims withdraw**: in the benchmark's process, each run on a claim of its
  own, against `claims add` of a new claim in the same process (target 2x).
- **claims list (every claim, to a pipe)**: `claims --db URL list` as a process writing to a
  pipe, against a hand-written program (the driver, the same join and order, the same escaping,
  cells and widths, everything in memory, then printed) whose output must be the same bytes
  (checked); its peak memory shows whether it stays flat as the ledger grows.
- **peak memory**: the maximum resident set of a `claims report --format json` process (from
  `wait4`'s rusage), against a fixed 300 MB; and of the `claims import` processes, to show that
  streaming keeps it flat whatever the file's size.

Times are medians of several runs (measured and baseline alternating); ratios are measured over
baseline.
"""


def write_markdown(path: Path, rows: list[Row], facts, command: str) -> None:
    text = [
        "# Benchmarks",
        "",
        f"Written by `{command}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; run it again to refresh.",
        "Synthetic ledgers (benchmarks/synthetic.py): speakers with Zipf-distributed claim counts "
        "(N/100 of them), deadlines spread over the years, 30 % resolved, 1,000 lapsed.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in facts],
        "",
        "## Results",
        "",
        *table(rows),
        "",
        BASELINES,
    ]
    path.write_text("\n".join(text), encoding="utf-8")


QUICK_SIZES = [1_000, 5_000]
QUICK_MAX = 20_000  # a smoke run stays small enough to finish in a few minutes on a busy machine


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, action="append", metavar="N", help="Ledger size (repeatable) [default: 100000 and 1000000; with --quick 1000 and 5000].")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"], help="Backend (repeatable) [default: both; with --quick, PostgreSQL only when a server is given].")
    parser.add_argument("--quick", action="store_true", help=f"A smoke run: small ledgers (at most {QUICK_MAX:,} claims) and fewer runs of each measurement.")
    parser.add_argument("--ledger-rows-only", action="store_true", help="Leave out the rows that need no ledger (start-up of --version, extract).")
    parser.add_argument("--only", action="append", choices=sorted(GROUPS), help="Only these rows (repeatable): the ledger is still imported, once, untimed unless import is picked [default: every row].")
    parser.add_argument("--runs", type=int, metavar="N", help="Run each measurement N times (medians of N) [default: 3 to 10 by measurement; fewer with --quick].")
    parser.add_argument("--postgres-url", default=os.environ.get("CLAIMS_TEST_POSTGRES_URL"), help="A PostgreSQL server where databases may be created [default: $CLAIMS_TEST_POSTGRES_URL].")
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"), help="Where to write the table [default: BENCHMARKS.md].")
    parser.add_argument("--workdir", type=Path, help="Where the synthetic files and SQLite ledgers go [default: a temporary folder].")
    return parser


def plan(args: argparse.Namespace) -> tuple[list[int], list[str]]:
    """The ledger sizes and backends to measure."""
    if not args.quick:
        return args.claims or [100_000, 1_000_000], args.backend or ["sqlite", "postgresql"]
    too_big = [n for n in args.claims or [] if n > QUICK_MAX]
    if too_big:
        raise SystemExit(f"--quick is a smoke run of at most {QUICK_MAX:,} claims, not {too_big[0]:,}; drop --quick to measure it")
    return args.claims or QUICK_SIZES, args.backend or ["sqlite"] + (["postgresql"] if args.postgres_url else [])


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    sizes, backends = plan(args)
    runs = QUICK if args.quick else RUNS
    if args.runs is not None:  # the test suite's smoke run takes each measurement once: it checks the plumbing, not the speed
        runs = dict.fromkeys(runs, max(1, args.runs))
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="claims-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # No user config or ledger of the person running it takes part.
    os.environ["XDG_CONFIG_HOME"] = str(workdir / "config")
    os.environ["XDG_DATA_HOME"] = str(workdir / "data")
    os.environ.pop("CLAIMS_DB", None)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    rows: list[Row] = []
    postgres = ""
    try:
        claims = claims_command()
        if not args.ledger_rows_only:
            m, b, _, _ = paired(
                runs["start-up"], lambda: timed_process([*claims, "--version"]),
                lambda: timed_process([sys.executable, "-c", "import sqlalchemy.orm"]),
            )
            rows.append(Row("-", 0, "start-up: claims --version", m, b, TARGETS["start-up"]))
            rows += extract.rows(runs["due"], log, lambda what, m, b, target: Row("-", 0, what, m, b, target, absolute=True))
        files = {}
        for count in sizes:
            start = time.perf_counter()
            files[count] = synthetic.write_csv(workdir / f"claims-{count}.csv", count)
            log(f"wrote {count:,} synthetic claims in {time.perf_counter() - start:.1f} s")
        for backend in backends:
            ledgers = Ledgers(backend, workdir, args.postgres_url)
            postgres = postgres or ledgers.server_version()
            try:
                due_by_size, speaker_by_size = {}, {}
                for count in sizes:
                    log(f"{backend}, {count:,} claims")
                    measured, main_url = bench(backend, count, files[count], ledgers, runs, log, frozenset(args.only or GROUPS))
                    rows += measured
                    due_by_size[count] = next((r for r in measured if r.what.startswith("claims due")), None)
                    speaker_by_size[count] = [r for r in measured if r.what.startswith(SPEAKER_ROW)]
                    ledgers.drop(main_url)
                if len(due_by_size) > 1:
                    small, large = min(due_by_size), max(due_by_size)
                    if due_by_size[small] and due_by_size[large]:
                        growth = due_by_size[large].measured / due_by_size[small].measured
                        rows.append(Row(backend, large, f"claims due growth from {small:,} claims", growth, None, TARGETS["due growth"], unit="x"))
                    # The report on one speaker, which should not grow with the ledger.
                    for i, (first, last) in enumerate(zip(speaker_by_size[small], speaker_by_size[large]), start=1):
                        rows.append(Row(backend, large, f"{SPEAKER_ROW} growth from {small:,} claims (#{i})",
                                        last.measured / first.measured, None, TARGETS["speaker growth"], unit="x"))
            finally:
                ledgers.close()
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    # What was measured, without this machine's paths.
    command = "python -m benchmarks" + "".join(f" --claims {n}" for n in sizes) + "".join(f" --backend {b}" for b in backends)
    command += " --quick" if args.quick else ""
    lines = table(rows)
    print("\n".join(lines))
    write_markdown(args.out, rows, machine(postgres), command)
    log(f"written to {args.out}")
    return 1 if any(r.check for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
