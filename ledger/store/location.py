"""Where a ledger lives: ``--db`` (a path, a SQLAlchemy URL or a SQLite ``file:`` URI) made into a
URL, refusing what cannot hold a ledger.

A ledger outlives the command that writes it, so in-memory SQLite and an empty ``--db`` are
refused rather than silently used (or silently replaced by the default ledger). ``?mode=ro`` on
SQLite opens the file read-only: the read commands work, writes are refused in one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ledger.errors import StorageError

EXAMPLES = "use a file path, sqlite:///PATH or postgresql://USER@HOST/DB"


def default_url(environ: Mapping[str, str] = os.environ) -> str:
    data_home = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return f"sqlite:///{Path(data_home) / 'claims' / 'ledger.db'}"


def resolve_url(db: str | None = None, environ: Mapping[str, str] = os.environ) -> URL:
    """``--db`` wins, then ``$CLAIMS_DB``, then the per-user SQLite file. A bare path means SQLite."""
    if db is not None and not db.strip():
        raise StorageError(f"--db is empty: {EXAMPLES}")
    raw = db if db is not None else environ.get("CLAIMS_DB") or default_url(environ)
    _check_text(raw)
    if raw.startswith("file:"):
        raw = _from_sqlite_uri(raw)
    elif "://" not in raw:
        raw = f"sqlite:///{_absolute(raw)}"
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise StorageError(f"not a database URL: {raw!r} ({EXAMPLES})") from None
    if url.get_backend_name() == "sqlite":
        return _sqlite(url)
    # Plain postgresql:// means psycopg2 to SQLAlchemy; claims ships with psycopg 3.
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def is_read_only(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.query.get("mode") == "ro"


def sqlite_uri(url: URL) -> str:
    """The ``file:`` URI SQLite opens for ``url``: the path percent-encoded, then its mode."""
    mode = url.query.get("mode")
    return f"file:{quote(url.database)}" + (f"?mode={mode}" if mode else "")


def _check_text(raw: str) -> None:
    """SQLite and PostgreSQL take UTF-8 text without NUL: anything else fails deep in the driver."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise StorageError(f"the ledger location {raw!r} is not valid text (it holds a lone surrogate, "
                           "e.g. from a file name that is not UTF-8)") from None
    if "\x00" in raw:
        raise StorageError(f"the ledger location {raw!r} holds a NUL character")


def _absolute(path: str) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # an unknown ~user, a symlink loop
        raise StorageError(f"cannot use {path!r} as the ledger's path: {exc}") from None


def _from_sqlite_uri(raw: str) -> str:
    """``file:PATH?mode=ro`` (SQLite's URI form) as ``sqlite:///PATH?mode=ro``."""
    parts = urlsplit(raw)
    if parts.netloc not in ("", "localhost"):
        raise StorageError(f"{raw!r} names a host; a SQLite file: URI is file:/PATH or file:PATH")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    path = unquote(parts.path)
    if not path or path == ":memory:" or query.get("mode") == "memory":
        return "sqlite://"  # refused below, with the other in-memory forms
    return str(URL.create("sqlite", database=str(_absolute(path)), query=query))


def _sqlite(url: URL) -> URL:
    database, query = url.database, dict(url.query)
    if database in (None, "", ":memory:") or database.startswith("file::memory:") or query.get("mode") == "memory":
        raise StorageError(
            "that is an in-memory SQLite database, gone when the command ends; "
            "a ledger must be a file: give a path or sqlite:///PATH"
        )
    unknown = sorted(set(query) - {"mode"})
    if unknown:
        raise StorageError(f"unknown SQLite URL option {unknown[0]!r}; the only one is ?mode=ro (read-only)")
    mode = query.get("mode")
    if mode not in (None, "ro"):
        raise StorageError(f"unknown SQLite mode {mode!r}; use ?mode=ro to open the ledger read-only")
    return url.set(database=str(_absolute(database)), query=query)
