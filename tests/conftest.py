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
database's data is touched. Each test's database is dropped as the test ends. Tests of the
schema's own history ask for ``empty_db_url`` instead.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
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
        self.template: str | None = None
        self.dropper = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dropdb")
        self.dropping: list[Future] = []

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self, *, migrated: bool = False) -> str:
        """A new database: empty, or a copy of this process's migrated template."""
        name = f"claims_test_{uuid.uuid4().hex[:12]}"
        if migrated and self.template is None:
            template = f"{name}_template"
            self._execute(f'CREATE DATABASE "{template}"')
            try:
                migrate(self.url(template))  # and closed: no connection may stay open on a template
            except BaseException:
                self.drop(template)
                raise
            self.template = template
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{self.template}"' if migrated else ""))
        return name

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_soon(self, name: str) -> None:
        """Drop in the background: each DROP DATABASE waits for a server checkpoint (about a
        second, more on a busy server), which the next test need not wait for."""
        self.dropping.append(self.dropper.submit(self.drop, name))

    def close(self) -> None:
        self.dropper.shutdown(wait=True)
        for done in self.dropping:
            done.result()  # a database that could not be dropped is an error, not a leftover
        if self.template:
            self.drop(self.template)
        self.admin.dispose()


def migrate(url: str) -> None:
    from ledger.store.engine import open_ledger

    open_ledger(url).dispose()  # an empty ledger is migrated to the head revision when opened


@pytest.fixture(scope="session")
def pg_server():
    server = PostgresServer(pg_server_url())
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite ledger per test process; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    migrate(f"sqlite:///{path}")  # closing the last connection folds the WAL into the file
    return path


def _database(backend, tmp_path, request, *, migrated: bool):
    if backend == "sqlite":
        path = tmp_path / "ledger.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_server")
    name = server.create(migrated=migrated)
    yield server.url(name)
    server.drop_soon(name)


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
def db_url(backend, tmp_path, request):
    """A new ledger URL on the backend under test, migrated to the head revision and empty of data."""
    yield from _database(backend, tmp_path, request, migrated=True)


@pytest.fixture
def empty_db_url(backend, tmp_path, request):
    """A database with no tables at all, for tests of the schema's own history."""
    yield from _database(backend, tmp_path, request, migrated=False)


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


@pytest.fixture
def cli(db_url, capsys):
    """Run `claims --db <ledger> ARGS...` in-process; returns exit status, stdout and stderr."""
    from ledger.cli.app import run

    def invoke(*args: str, db: str | None = db_url) -> Result:
        capsys.readouterr()
        status = run((["--db", db] if db else []) + [str(a) for a in args])
        captured = capsys.readouterr()
        return Result(int(status), captured.out, captured.err)

    return invoke


@pytest.fixture
def musk(cli):
    """A ledger with the speaker of the seed article and its source."""
    assert cli("speaker", "add", "Elon Musk", "--alias", "Musk").status == 0
    assert cli("source", "add", "https://example.org/waic-2023", "--title", "WAIC 2023 opening", "--publisher", "Example News", "--published", "2023-07-06").status == 0
    return cli


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
