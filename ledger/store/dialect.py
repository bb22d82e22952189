"""What differs between SQLite and PostgreSQL, written once so that services never ask which
database they talk to.

- ``insert_ignore``: INSERT ... ON CONFLICT DO NOTHING (both speak it, through their own dialect).
- ``new_ids``: ids for rows about to be inserted in bulk, known before the insert.
- ``serialise_writers``: writers of one kind take turns. SQLite's write transaction (BEGIN
  IMMEDIATE) already holds the database lock; PostgreSQL takes a transaction-scoped advisory lock.
- ``snapshot``: a read session whose queries all see one snapshot of the ledger. SQLite's read
  transaction already does; PostgreSQL needs REPEATABLE READ.
- ``json_field``: one top-level field of a JSON text column (a journal snapshot), as SQL text or,
  for ``Date``, as a date. SQLite has ``json_extract`` and stores dates as ISO text; PostgreSQL
  casts the text to ``json`` and reads it with ``->>``, then casts ISO text to ``date``.
- ``search_match``: full-text search over the search documents. SQLite: the FTS5 table
  ``search_fts`` ranked by BM25; PostgreSQL: the English tsvector (GIN-indexed) ranked by ts_rank.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Date, Float, Integer, String, Table, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from ledger.domain.search import Query, fts5_query, tsquery
from ledger.store.engine import Ledger


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_ignore(session: Session, model: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: rows a unique key already holds are skipped, not errors."""
    # Imported here: the PostgreSQL dialect's module alone is a tenth of `claims show`'s start-up.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if _is_postgresql(session) else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


def new_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, known before the insert so that plain executemany can
    write them (RETURNING with ordered rows falls back to one statement per row on SQLite). SQLite:
    the write transaction holds the database lock, so the next ids are free. PostgreSQL: taken from
    the column's sequence, which concurrent writers share safely."""
    if count == 0:
        return []
    if _is_postgresql(session):
        sequence = session.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
        return sorted(session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count))))
    last = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + 1 + count))


def serialise_writers(session: Session, key: int) -> None:
    """Wait until no other transaction holding ``key`` is running; held until this one ends."""
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def snapshot(ledger: Ledger, *, analytic: bool = False) -> Iterator[Session]:
    """A read session in which several queries see the same ledger.

    ``analytic``: the queries are a few big scans and aggregates. On PostgreSQL, compiling them to
    machine code (JIT) costs more than it saves, and the default 4 MB of sort memory spills them to
    disk, so both are set for this transaction only.
    """
    with ledger.read() as session:
        if _is_postgresql(session):
            conn = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            if analytic:
                conn.execute(text("SET LOCAL jit = off"))
                conn.execute(text("SET LOCAL work_mem = '64MB'"))
        yield session


class json_field(FunctionElement):
    """``json_field(column, "key")``, or ``json_field(column, "key", Date)`` for an ISO date."""

    inherit_cache = True
    name = "json_field"

    def __init__(self, column, key: str, type_: type[TypeEngine] = String):
        self.type = type_()
        super().__init__(column, key)


def _parts(element, compiler, **kw) -> tuple[str, str]:
    column, key = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(key, **kw)


@compiles(json_field, "sqlite")
def _sqlite(element, compiler, **kw) -> str:
    column, key = _parts(element, compiler, **kw)
    return f"json_extract({column}, '$.' || {key})"


@compiles(json_field, "postgresql")
def _postgresql(element, compiler, **kw) -> str:
    column, key = _parts(element, compiler, **kw)
    text = f"(CAST({column} AS json) ->> {key})"
    return f"CAST({text} AS date)" if isinstance(element.type, Date) else text


def search_match(session: Session, query: Query):
    """A subquery of ``(claim_id, score)`` for the documents matching ``query``; a higher score is
    more relevant. The query is checked (ledger.domain.search), so neither syntax can fail on it."""
    if _is_postgresql(session):
        return text(
            "SELECT claim_id, ts_rank(to_tsvector('english', document), q) AS score "
            "FROM search_documents, to_tsquery('english', :q) AS q WHERE to_tsvector('english', document) @@ q"
        ).bindparams(q=tsquery(query)).columns(claim_id=Integer, score=Float).subquery("hits")
    return text(
        "SELECT rowid AS claim_id, -bm25(search_fts) AS score FROM search_fts WHERE search_fts MATCH :q"
    ).bindparams(q=fts5_query(query)).columns(claim_id=Integer, score=Float).subquery("hits")
