"""Shared fixtures: a ledger on a real SQLite file and on a real PostgreSQL database, and a
helper that runs the real `claims` command line in-process.

PostgreSQL tests need ``CLAIMS_TEST_POSTGRES_URL`` (a server URL whose user may create databases,
e.g. postgresql://postgres@127.0.0.1:5432/postgres). Each test session creates its own databases
and drops them afterwards; no other database's data is touched. Outside CI they skip without the
URL; in CI (``CI`` set) a missing URL is a failure.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_ENV = "CLAIMS_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pg_server_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"no PostgreSQL server configured: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/postgres")
    return url


class PostgresServer:
    """Creates and drops throwaway databases on the configured server."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        from sqlalchemy import text

        name = f"claims_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server():
    server = PostgresServer(pg_server_url())
    yield server
    server.drop_all()


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
def db_url(backend, tmp_path, request) -> str:
    """A fresh, empty ledger URL on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("pg_server").create()


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


# In CI a skipped PostgreSQL test is a failure: the point is that they ran.
_skipped_postgres: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and "postgres" in report.keywords:
        _skipped_postgres.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and _skipped_postgres:
        print(f"\nCI: {len(_skipped_postgres)} PostgreSQL tests were skipped, e.g. {_skipped_postgres[0]}")
        session.exitstatus = 1
