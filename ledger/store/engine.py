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
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import LedgerError, SchemaOutOfDate, StorageError
from ledger.store.schema_revision import SCHEMA_REVISION

BUSY_TIMEOUT_MS = 30_000


def default_url(environ: Mapping[str, str] = os.environ) -> str:
    data_home = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return f"sqlite:///{Path(data_home) / 'claims' / 'ledger.db'}"


def resolve_url(db: str | None = None, environ: Mapping[str, str] = os.environ) -> URL:
    """``--db`` wins, then ``$CLAIMS_DB``, then the per-user SQLite file. A bare path means SQLite."""
    raw = db or environ.get("CLAIMS_DB") or default_url(environ)
    if "://" not in raw:
        raw = f"sqlite:///{Path(raw).expanduser().resolve()}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StorageError(f"not a database URL: {raw!r} (use a file path, sqlite:///PATH or postgresql://...)") from None
    # Plain postgresql:// means psycopg2 to SQLAlchemy; claims ships with psycopg 3.
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's begin event emit BEGIN itself, so writes can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def _describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def create_ledger_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder for {path}: {exc.strerror}") from None
        if (path.exists() and not os.access(path, os.W_OK)) or not os.access(path.parent, os.W_OK):
            raise StorageError(f"cannot write the ledger at {path}: permission denied")
    try:
        kwargs = {}
        if url.get_backend_name() == "postgresql":
            kwargs = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
        engine = create_engine(url, **kwargs)
    except NoSuchModuleError:
        raise StorageError(
            f"unknown database driver {url.drivername!r}; use sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from None
    except ModuleNotFoundError as exc:
        hint = " (pip install 'claims[postgres]')" if url.get_backend_name() == "postgresql" else ""
        raise StorageError(f"the driver for {url.drivername} is not installed: {exc.name}{hint}") from None
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return engine


class _Scope(threading.local):
    session: Session | None = None  # the write scope open in this thread, if any


class Ledger:
    """An open ledger: one engine, sessions for reads and for writes, and the schema check."""

    def __init__(self, url: URL, *, check_schema: bool = True, migrate_if_empty: bool = True):
        self.url = url
        self.engine = create_ledger_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._scope = _Scope()
        if check_schema:  # `claims db ...` works on ledgers at any revision
            self._check_schema(migrate_if_empty)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        return _describe(self.url)

    def _check_schema(self, migrate_if_empty: bool) -> None:
        current = self.current_revision()
        if current is None and migrate_if_empty and self._is_empty():
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
            return not inspect(conn).get_table_names()

    @contextmanager
    def connect(self):
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise _storage_error(exc, self) from None

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
    return Ledger(resolve_url(db, environ), **options)
