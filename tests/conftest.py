"""Shared fixtures: a ledger on a real SQLite file and on a real PostgreSQL database, and a
helper that runs the real `claims` command line in-process.

PostgreSQL tests need ``CLAIMS_TEST_POSTGRES_URL`` (a server URL whose user may create databases,
e.g. postgresql://postgres@127.0.0.1:5432/postgres). Outside CI they skip without the URL; in CI
(``CI`` set) a missing URL, or any skipped PostgreSQL test, is a failure.

Speed: the suite runs on every core (``-n auto`` from pytest-xdist, see pyproject.toml; a run of
named tests only, ``pytest tests/test_x.py::test_y``, stays in one process so ``--pdb`` and
prints behave as usual). Migrating a ledger costs more than most tests, so each test process
migrates once: ``db_url`` is a copy of a migrated SQLite file, or a PostgreSQL database cloned
from a migrated template (``CREATE DATABASE ... TEMPLATE``). Every name is unique to its process,
so parallel runs, even from several checkouts on one server, never share a database, and no other
database's data is touched. A PostgreSQL copy waits on a server checkpoint, so copies are made
ahead in the background, and an empty ledger a test leaves with its schema untouched is emptied
(TRUNCATE) and handed to the next test; any other is dropped, and every one is dropped by the end
of the run. SQLite copies live in memory (/dev/shm) where there is one. Tests of the schema's own
history ask for ``empty_db_url`` instead. A ledger that many tests start from is
built once the same way and copied for each test (``ledger_state``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_ENV = "CLAIMS_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config) -> int | None:
    """Named tests (``path::test``) run in this process: starting workers would cost more."""
    if config.args and all("::" in arg for arg in config.args):
        return 0
    return None  # xdist's own count: one worker per core


def pg_server_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"no PostgreSQL server configured: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/postgres")
    return url


class PostgresServer:
    """Creates and drops throwaway databases on the configured server, all named ``claims_test_*``."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.templates: list[str] = []  # the migrated template first, then built ledgers (ledger_state)
        self.dropper = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dropdb")
        self.dropping: list[Future] = []
        # Copies made ahead, one per template, while the test before runs: each CREATE DATABASE
        # waits on a server checkpoint (a third of a second with the other test process writing).
        self.maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="createdb")
        self.spares: dict[str, Future] = {}
        # Empty migrated ledgers a test has finished with, emptied again (see recycle).
        self.emptied: list[str] = []
        self.shape: str | None = None  # the migrated template's schema, as SCHEMA_SHAPE digests it
        # PostgreSQL 15 copies a template page by page through the write-ahead log by default; for
        # a small template, copying its files is about three times faster (fewer CPU-seconds too).
        with self.admin.connect() as conn:
            self.strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of ``template``."""
        name = f"claims_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"{self.strategy}' if template else ""
        self._execute(f'CREATE DATABASE "{name}"{copy}')
        return name

    def copy_of(self, template: str) -> str:
        """A new copy of ``template``: the one made ahead if there is one, and another is begun."""
        if template == self.migrated() and self.emptied:
            return self.emptied.pop()
        spare = self.spares.pop(template, None)
        name = spare.result() if spare is not None else self.create(template)
        self.spares[template] = self.maker.submit(self.create, template)
        return name

    def migrated(self) -> str:
        """This process's migrated template, made on first use."""
        if not self.templates:
            name = self.create()
            try:
                migrate(self.url(name))
                self.shape = self._shape(name)
            except BaseException:
                self.drop(name)
                raise
            self.templates.append(name)
        return self.templates[0]

    def _shape(self, name: str) -> str:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.base.set(database=name), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(text(SCHEMA_SHAPE)).scalar()
        finally:
            engine.dispose()

    def recycle_soon(self, name: str) -> None:
        """Empty a test's migrated ledger in the background for the next test, or drop it if the
        test changed its schema (a migration test, a column added behind the tool's back)."""
        self.dropping.append(self.dropper.submit(self._recycle, name))

    def _recycle(self, name: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        self._execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        engine = create_engine(self.base.set(database=name), poolclass=NullPool)
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                if conn.execute(text(SCHEMA_SHAPE)).scalar() != self.shape:
                    raise LookupError(name)
                tables = conn.execute(text("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                                           "AND tablename <> 'alembic_version'")).scalars().all()
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                for sequence in conn.execute(text("SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'")).scalars():
                    conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
        except Exception:  # not reusable as it is: a database of its own for the next test instead
            engine.dispose()
            self.drop(name)
            return
        engine.dispose()
        self.emptied.append(name)

    def keep_as_template(self, name: str) -> None:
        """A database is copied only while nobody is connected to it: close what a test left open."""
        self._execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        self.templates.append(name)

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_soon(self, name: str) -> None:
        """Drop in the background: each DROP DATABASE waits for a server checkpoint (about a
        second, more on a busy server), which the next test need not wait for."""
        self.dropping.append(self.dropper.submit(self.drop, name))

    def close(self) -> None:
        self.maker.shutdown(wait=True)
        for spare in self.spares.values():
            self.drop_soon(spare.result())
        self.dropper.shutdown(wait=True)
        for done in self.dropping:
            done.result()  # a database that could not be dropped is an error, not a leftover
        for name in self.emptied:
            self.drop(name)
        for name in self.templates:
            self.drop(name)
        self.admin.dispose()


# A digest of everything a migration or a test could change in a ledger's schema: columns,
# indexes, constraints, triggers, functions, and the revision. An emptied ledger is handed out
# again only if it still has the migrated template's.
SCHEMA_SHAPE = """
SELECT md5(string_agg(part, '|' ORDER BY part)) FROM (
    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS part
        FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT proname || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'revision ' || version_num FROM alembic_version
) AS parts
"""


def migrate(url: str) -> None:
    from ledger.store.engine import open_ledger

    open_ledger(url).dispose()  # an empty ledger is migrated to the head revision when opened


@pytest.fixture(scope="session")
def pg_server():
    server = PostgresServer(pg_server_url())
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_folders(tmp_path_factory) -> Iterator[Callable[[str], Path]]:
    """New folders for SQLite ledgers, in memory where the system offers a tmpfs: the last
    connection to close a WAL-mode file writes it back and syncs it, 25 ms on a disk and a
    thousandth of that in memory, and the tests close tens of thousands of connections."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        root = Path(tempfile.mkdtemp(prefix="claims-test-", dir=shm))
        yield lambda name: Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root))
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp


@pytest.fixture(scope="session")
def sqlite_template(sqlite_folders) -> Path:
    """One migrated SQLite ledger per test process; tests get copies of it."""
    path = sqlite_folders("template") / "ledger.db"
    migrate(f"sqlite:///{path}")  # closing the last connection folds the WAL into the file
    return path


def _database(backend, request, *, migrated: bool):
    built = _built_state(backend, request) if migrated else None
    if backend == "sqlite":
        folder = request.getfixturevalue("sqlite_folders")("ledger")
        path = folder / "ledger.db"
        if migrated:
            shutil.copyfile(built or request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        shutil.rmtree(folder, ignore_errors=True)
        return
    server = request.getfixturevalue("pg_server")
    name = server.copy_of(built or server.migrated()) if migrated else server.create()
    yield server.url(name)
    if migrated and not built:
        server.recycle_soon(name)
    else:
        server.drop_soon(name)


# Ledgers that many tests start from, built once per process and backend (see ledger_state).
_STATES: dict[tuple[str, str], Callable] = {}
_BUILT: dict[tuple[str, str, str], tuple] = {}  # (module, fixture, backend) -> (where, value)


def ledger_state(build: Callable):
    """Make ``build(cli)`` a fixture of the same name for a ledger that many tests start from.

    ``build`` runs once per test process and backend, on a ledger of its own; each test that asks
    for the fixture then starts from a copy of that ledger (its own, to change at will) and gets
    what ``build`` returned, or its ``cli`` when ``build`` returns nothing. The test's ``db_url``,
    ``cli`` and ``ledger`` are that copy.
    """
    key = (build.__module__, build.__name__)
    _STATES[key] = build

    @pytest.fixture(name=build.__name__)
    def state(cli, backend):
        value = _BUILT[(*key, backend)][1]
        return cli if value is None else copy.deepcopy(value)

    state.__doc__ = build.__doc__
    return state


def _built_state(backend: str, request):
    """Where the built ledger asked for by this test lives (building it the first time), or None."""
    keys = [k for k in _STATES if k[0] == request.module.__name__ and k[1] in request.fixturenames]
    if not keys:
        return None
    assert len(keys) == 1, f"a test can start from one built ledger, not {keys}"
    key = (*keys[0], backend)
    if key not in _BUILT:
        capsys = request.getfixturevalue("capsys")
        if backend == "sqlite":
            folder = request.getfixturevalue("sqlite_folders")("built")
            shutil.copyfile(request.getfixturevalue("sqlite_template"), folder / "build.db")
            value = _STATES[keys[0]](_invoker(f"sqlite:///{folder / 'build.db'}", capsys))
            src, dst = sqlite3.connect(folder / "build.db"), sqlite3.connect(folder / "built.db")
            src.backup(dst)  # one self-contained file, whatever is still in the write-ahead log
            src.close()
            dst.close()
            _BUILT[key] = (folder / "built.db", value)
        else:
            server = request.getfixturevalue("pg_server")
            name = server.create(server.migrated())
            value = _STATES[keys[0]](_invoker(server.url(name), capsys))
            server.keep_as_template(name)
            _BUILT[key] = (name, value)
    return _BUILT[key][0]


@pytest.fixture(scope="session", autouse=True)
def _statements_compiled_once_per_process():
    """In-process commands share one SQL statement cache per backend, as one long-lived process would.

    A `claims` process opens one engine; the tests open thousands in each process (every command
    run in-process opens its own), and SQLAlchemy keys compiled statements by the engine's dialect
    object, so each new engine compiled every statement again: a third of the suite's time. Here
    each new engine takes the first connected engine's dialect and statement cache for its
    backend and driver. The SQL sent is the same; the first test to run a statement in a process
    still compiles it, and commands run as subprocesses are untouched.
    """
    from sqlalchemy import event

    from ledger.store import engine as module

    create_engine = module.create_engine
    connected: dict[tuple[str, str], object] = {}

    def create_sharing_engine(url, **kwargs):
        engine = create_engine(url, **kwargs)
        key = (engine.dialect.name, engine.dialect.driver)
        first = connected.get(key)
        if first is not None:
            engine.dialect, engine._compiled_cache = first.dialect, first._compiled_cache
        elif engine._compiled_cache is not None:
            # Shared once it has connected: a dialect learns its server's version on first connect.
            event.listen(engine, "first_connect", lambda *_: connected.setdefault(key, engine))
        return engine

    module.create_engine = create_sharing_engine
    yield
    module.create_engine = create_engine


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test reads the developer's config or writes their default ledger."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("CLAIMS_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request):
    """A new ledger URL on the backend under test, migrated to the head revision and empty of data."""
    yield from _database(backend, request, migrated=True)


@pytest.fixture
def empty_db_url(backend, request):
    """A database with no tables at all, for tests of the schema's own history."""
    yield from _database(backend, request, migrated=False)


@pytest.fixture
def ledger(db_url):
    from ledger.store.engine import open_ledger

    opened = open_ledger(db_url)
    yield opened
    opened.dispose()


@dataclass
class Result:
    status: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def _invoker(url: str, capsys):
    """Run `claims --db <url> ARGS...` in-process; returns exit status, stdout and stderr."""
    from ledger.cli.app import run

    def invoke(*args: str, db: str | None = url) -> Result:
        capsys.readouterr()
        status = run((["--db", db] if db else []) + [str(a) for a in args])
        captured = capsys.readouterr()
        return Result(int(status), captured.out, captured.err)

    invoke.url = url
    return invoke


@pytest.fixture
def cli(db_url, capsys):
    """Run `claims --db <ledger> ARGS...` in-process; returns exit status, stdout and stderr."""
    return _invoker(db_url, capsys)


def add_musk(cli):
    """The speaker of the seed article and its source."""
    assert cli("speaker", "add", "Elon Musk", "--alias", "Musk").status == 0
    assert cli("source", "add", "https://example.org/waic-2023", "--title", "WAIC 2023 opening", "--publisher", "Example News", "--published", "2023-07-06").status == 0
    return cli


@pytest.fixture
def musk(cli):
    """A ledger with the speaker of the seed article and its source."""
    return add_musk(cli)


SEEDS = Path(__file__).resolve().parent.parent / "seeds"


# In CI a skipped PostgreSQL test is a failure: the point is that they ran. Under xdist the
# workers' reports all reach the controlling process, which alone decides the exit status.
_skipped_postgres: list[str] = []


def _in_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_runtest_logreport(report):
    if report.skipped and "postgres" in report.keywords:
        _skipped_postgres.append(report.nodeid)


def pytest_terminal_summary(terminalreporter, config):
    if os.environ.get("CI") and _skipped_postgres and not _in_worker(config):
        terminalreporter.write_line(
            f"CI: {len(_skipped_postgres)} PostgreSQL tests were skipped, e.g. {_skipped_postgres[0]}", red=True
        )


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and _skipped_postgres and not _in_worker(session.config):
        session.exitstatus = 1
