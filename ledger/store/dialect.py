"""What differs between SQLite and PostgreSQL, written once so that services never ask which
database they talk to.

- ``insert_ignore``: INSERT ... ON CONFLICT DO NOTHING (both speak it, through their own dialect).
- ``new_ids``: ids for rows about to be inserted in bulk, known before the insert.
- ``insert_rows``: a bulk insert at the driver's speed: COPY on PostgreSQL, executemany on SQLite.
- ``claims_present``: which of many claims' natural keys the ledger holds, one index probe each.
  PostgreSQL is sent the keys as three arrays (a statement of thousands of parameters costs the
  driver more to parse than the server to run); SQLite as one VALUES list of a fixed length.
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
from datetime import date
from functools import lru_cache
from operator import itemgetter
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
    # Imported here, and only the one in use: the PostgreSQL dialect's module alone is a tenth of
    # `claims show`'s start-up, and a SQLite ledger never needs it.
    if _is_postgresql(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


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


def refresh_statistics(session: Session, tables: list[str]) -> None:
    """After a bulk write, let the planner see the tables as they now are. PostgreSQL plans from
    statistics that autovacuum refreshes only later (or never, where it is off), and a plan made
    for the empty ledger an import started from reads whole tables for a handful of rows. SQLite
    plans from its indexes alone, and ANALYZE there would change plans that are chosen by hand."""
    if _is_postgresql(session):
        session.execute(text(f"ANALYZE {', '.join(tables)}"))


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


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of every column of ``table``) at the driver's own speed:
    each value converted once by its column's type as SQLAlchemy binds it, then PostgreSQL's COPY,
    or SQLite's executemany of one statement, in the session's transaction. A bulk writer's rows
    need no statement compiled and no parameters built per row."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = [column.name for column in table.columns]  # a row without one is a KeyError, not a default
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    values: list[Any] = list(map(itemgetter(*names), rows)) if len(names) > 1 else [(row[names[0]],) for row in rows]
    if converters := [(column, convert) for column, convert in enumerate(processors) if convert is not None]:
        values = [list(row) for row in values]
        for row in values:
            for column, convert in converters:  # a bind processor takes None too, as every bind does
                row[column] = convert(row[column])
        values = list(map(tuple, values))
    columns = ", ".join(f'"{name}"' for name in names)
    if dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in values:
                    copy.write_row(row)
    else:
        marks = ", ".join("?" * len(names))
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', values)


def claims_present(session: Session, keys: list[tuple[int, date, str]], size: int) -> set[tuple[int, date, str]]:
    """The ``(speaker_id, said, text_sha256)`` keys, at most ``size`` of them, that name a claim."""
    if not keys:
        return set()
    # One probe of the natural-key index per key, as a correlated subquery: the planners cannot turn
    # it into a scan. `(speaker_id, said, text_sha256) IN (...)` reads the whole index on SQLite,
    # and a join lets PostgreSQL pick a hash join over the table while a bulk import has left its
    # statistics behind; either makes each batch slower than the last. LIMIT 1: a speaker merge may
    # leave two copies of one claim (revision 0011), and a scalar subquery may return one row only.
    if _is_postgresql(session):
        found = session.execute(_PRESENT_PG, {"s": [k[0] for k in keys], "d": [k[1] for k in keys], "h": [k[2] for k in keys]})
        return {tuple(k) for k in found}  # type: ignore[misc]
    # SQLite: through the driver, since binding 3,000 named parameters cost SQLAlchemy 50 times the query.
    connection = session.connection()
    day = Date().dialect_impl(connection.dialect)
    to_text, to_date = day.bind_processor(connection.dialect), day.result_processor(connection.dialect, None)
    keys = keys + keys[:1] * (size - len(keys))  # always ``size`` keys: one statement, prepared once
    params = tuple(value for speaker, said, sha in keys for value in (speaker, to_text(said), sha))
    found = connection.exec_driver_sql(_present_sqlite(size), params)
    return {(speaker, to_date(said), sha) for speaker, said, sha in found}


_PRESENT_WHERE = (
    "SELECT k.speaker_id, k.said, k.text_sha256 FROM k WHERE (SELECT c.id FROM claims c WHERE "
    "c.speaker_id = k.speaker_id AND c.said = k.said AND c.text_sha256 = k.text_sha256 LIMIT 1) IS NOT NULL"
)
_PRESENT_PG = text(
    "WITH k (speaker_id, said, text_sha256) AS (SELECT * FROM unnest(CAST(:s AS integer[]), CAST(:d AS date[]), "
    f"CAST(:h AS varchar[]))) {_PRESENT_WHERE}"
).columns(speaker_id=Integer, said=Date, text_sha256=String)


@lru_cache(maxsize=1)
def _present_sqlite(size: int) -> str:
    keys = ", ".join(["(?, ?, ?)"] * size)
    return f"WITH k (speaker_id, said, text_sha256) AS (VALUES {keys}) {_PRESENT_WHERE}"
