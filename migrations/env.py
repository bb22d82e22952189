"""Alembic environment: runs online against the engine the ledger handed over in code.

A run (every revision it passes) is one transaction on both backends, so one that fails leaves
the ledger as it was. On SQLite it runs with foreign keys off: batch mode rebuilds a table by
copying it and dropping the original, and with foreign keys on, that drop deletes every row that
points at the table (ON DELETE CASCADE, so claim tags vanish) or fails half-way. Before committing,
``PRAGMA foreign_key_check`` proves that no reference was broken while they were off.
"""

from contextlib import nullcontext

from alembic import context

from ledger.errors import StorageError
from ledger.store.models import Base

config = context.config
engine = config.attributes["engine"]
# ledger.store.schema's check around the run (what a downgrade deletes), if it asked for one.
guard = config.attributes.get("guard", nullcontext)
MIGRATION_LOCK = 0x636C61696D73  # "claims": a transaction-level advisory lock key


def _check_references(connection) -> None:
    broken: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fk in connection.exec_driver_sql("PRAGMA foreign_key_check").all():
        broken[table, parent] = broken.get((table, parent), 0) + 1
    if broken:
        found = ", ".join(
            f"{n} row{'s' if n != 1 else ''} of {table} pointing at missing {parent}"
            for (table, parent), n in sorted(broken.items())
        )
        raise StorageError(f"the schema change stopped, nothing was changed: the ledger has {found}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    connection.execution_options(write=True)  # SQLite: BEGIN IMMEDIATE, the writers' lock from the start
    if sqlite:
        # The pragma is a no-op inside a transaction: set it before anything begins one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=sqlite,
            transactional_ddl=True,  # SQLite can roll DDL back too; Alembic assumes it cannot
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two processes opening a new, empty ledger at once would both create the tables,
                # and the second would fail on the first's. Migrations take turns; the second then
                # reads the revision the first committed and has nothing left to do.
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)" % MIGRATION_LOCK)
            with guard(connection):
                context.run_migrations()
                if sqlite:
                    _check_references(connection)
    finally:
        if sqlite:  # never hand a connection with foreign keys off back to the pool
            connection.invalidate()
