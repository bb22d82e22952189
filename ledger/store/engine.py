"""Opening a ledger: URL resolution, SQLite pragmas, write transactions, and the schema check.

Every command opens one ``Ledger`` and runs each use case in one ``write()`` or ``read()`` scope.
On SQLite a write scope starts with ``BEGIN IMMEDIATE`` so two processes writing at once queue on
the busy timeout instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, OperationalError

from ledger.errors import LedgerError, SchemaOutOfDate, StorageError
from ledger.store.location import default_url, is_read_only, resolve_url, sqlite_uri
from ledger.store.schema_revision import SCHEMA_REVISION

if TYPE_CHECKING:  # the ORM is imported only where a session is made: the read commands run on Core
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 30_000


def _sqlite_setup(engine: Engine, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's begin event emit BEGIN itself, so writes can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:  # switching to WAL writes to the file
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def _describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _usable_file(url: URL) -> URL:
    """The SQLite file's URL once checked; a file the user may only read is opened read-only."""
    path = Path(url.database)
    if not is_read_only(url) and path.is_file() and not os.access(path, os.W_OK):
        url = url.update_query_dict({"mode": "ro"})
    if is_read_only(url):
        if not path.is_file():
            raise StorageError(f"no ledger at {path} (it is opened read-only, so it is not created)")
        return url
    if not path.parent.is_dir():
        raise StorageError(f"cannot open the ledger at {path}: there is no folder {path.parent} (create it first)")
    if not os.access(path.parent, os.W_OK):
        raise StorageError(f"cannot write the ledger at {path}: permission denied on its folder (add ?mode=ro to read it)")
    return url


def create_ledger_engine(url: URL) -> Engine:
    kwargs: dict = {}
    if url.get_backend_name() == "sqlite":
        # SQLite reads the mode from a file: URI only; the path is percent-encoded into it.
        url = url.set(database=sqlite_uri(url), query={"uri": "true"})
    elif url.get_backend_name() == "postgresql":
        kwargs = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    try:
        engine = create_engine(url, **kwargs)
    except NoSuchModuleError:
        raise StorageError(
            f"unknown database driver {url.drivername!r}; use sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from None
    except ModuleNotFoundError as exc:
        hint = " (pip install 'claims[postgres]')" if url.get_backend_name() == "postgresql" else ""
        raise StorageError(f"the driver for {url.drivername} is not installed: {exc.name}{hint}") from None
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine, read_only="mode=ro" in url.database)
    return engine


class _Scope(threading.local):
    session: Session | None = None  # the write scope open in this thread, if any


class Ledger:
    """An open ledger: one engine, sessions for reads and for writes, Core connections for the read
    commands, and the schema check."""

    def __init__(self, url: URL, *, check_schema: bool = True, migrate_if_empty: bool = True):
        self.url = _usable_file(url) if url.get_backend_name() == "sqlite" else url
        self.engine = create_ledger_engine(self.url)
        self._scope = _Scope()
        if check_schema:  # `claims db ...` works on ledgers at any revision
            self._check_schema(migrate_if_empty)

    @cached_property
    def _sessions(self):
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def read_only(self) -> bool:
        return is_read_only(self.url)

    def describe(self) -> str:
        return _describe(self.url)

    def _check_schema(self, migrate_if_empty: bool) -> None:
        current = self.current_revision()
        empty = current is None and self._is_empty()
        if current is None and not empty:
            # Another process may have migrated the ledger between the two reads: its tables and
            # version commit together, so the version is there now if the tables are its.
            current = self.current_revision()
        if empty and self.read_only:
            raise StorageError(f"{self.describe()} is empty, and opened read-only it cannot be made a ledger")
        if empty and migrate_if_empty:  # another process migrating it too waits for it, then finds it done
            from ledger.store import schema  # Alembic is imported only when migrating

            schema.upgrade(self)
            return
        if current == SCHEMA_REVISION:
            return
        if current is None:
            raise SchemaOutOfDate(
                f"{self.describe()} has tables but no claims schema version; is it a claims ledger?"
            )
        from ledger.store import schema

        if schema.is_ancestor(current, SCHEMA_REVISION):
            raise SchemaOutOfDate(
                f"the ledger's schema ({current}) is behind this version of claims ({SCHEMA_REVISION}): "
                "run `claims db upgrade`"
            )
        raise SchemaOutOfDate(
            f"the ledger's schema ({current}) is newer than this version of claims knows; upgrade claims"
        )

    def current_revision(self) -> str | None:
        with self.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except DBAPIError:
                return None

    def _is_empty(self) -> bool:
        from sqlalchemy import inspect

        with self.connect() as conn:
            # `claims db downgrade base` leaves Alembic's own (empty) version table behind.
            return not set(inspect(conn).get_table_names()) - {"alembic_version"}

    @contextmanager
    def connect(self):
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise _storage_error(exc, self) from None

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A Core connection in one read transaction; nothing it does is committed. Inside a write
        scope it is that scope's connection, so a service reading within another's transaction
        sees its rows. ``snapshot``: every query sees the same ledger (SQLite's read transaction
        already does; PostgreSQL needs REPEATABLE READ)."""
        current = self._scope.session
        if current is not None:
            current.flush()  # a Core query does not autoflush: it must see the writer's pending rows
            yield current.connection()
            return
        with self.connect() as conn:
            if snapshot and self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            try:
                yield conn
            finally:
                conn.rollback()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed. Inside a write scope it is that
        scope's session, so a service reading within another's transaction sees its rows."""
        current = self._scope.session
        if current is not None:
            yield current
            return
        session = self._sessions()
        try:
            yield session
        except OperationalError as exc:
            raise _storage_error(exc, self) from None
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all.

        Scopes nest: a write inside a write (one service calling another) is a SAVEPOINT in the
        same transaction, so the inner one can fail alone, and nothing commits before the outer one
        does. Opening a second transaction instead would wait on the first one's lock.
        """
        current = self._scope.session
        if current is not None:
            with _savepoint(current):
                yield current
            return
        if self.read_only:
            raise StorageError(f"the ledger {self.describe()} is open read-only (mode=ro): this command writes to it")
        session = self._sessions()
        self._scope.session = session
        try:
            session.connection(execution_options={"write": True})
            yield session
            session.commit()
        except OperationalError as exc:
            _rollback(session.rollback, exc)
            raise _storage_error(exc, self) from None
        except BaseException as exc:
            _rollback(session.rollback, exc)
            raise
        finally:
            self._scope.session = None
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    nested = session.begin_nested()
    try:
        yield
    except BaseException as exc:
        _rollback(nested.rollback, exc)
        raise
    nested.commit()


def _rollback(rollback, cause: BaseException) -> None:
    """Undo after ``cause``; if undoing fails too (a dropped connection), ``cause`` is still the
    error the user sees, with the rollback's failure noted for --debug."""
    try:
        rollback()
    except Exception as exc:
        cause.add_note(f"rolling back also failed: {type(exc).__name__}: {exc}")


def _storage_error(exc: OperationalError, ledger: Ledger) -> LedgerError:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if "could not connect" in detail.lower() or "connection refused" in detail.lower() or "connection failed" in detail.lower():
        return StorageError(f"cannot reach the database at {ledger.describe()}: is the server running? ({detail})")
    if "readonly" in detail.lower() or "read-only" in detail.lower() or "unable to open" in detail.lower():
        return StorageError(f"cannot write the ledger at {ledger.describe()}: {detail}")
    return StorageError(f"database error on {ledger.describe()}: {detail}")


def open_ledger(db: str | None = None, *, environ: Mapping[str, str] = os.environ, **options) -> Ledger:
    """The ledger at ``db`` (see ``resolve_url``). Only the default location's folder is made: a
    mistyped path is an error, not a new empty ledger somewhere."""
    if db is None and not environ.get("CLAIMS_DB"):
        folder = Path(make_url(default_url(environ)).database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder for the ledger, {folder}: {exc.strerror}") from None
    return Ledger(resolve_url(db, environ), **options)
