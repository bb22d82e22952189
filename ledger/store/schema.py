"""Alembic, configured in code: the migrations ship inside the package (``ledger.migrations``),
so an installed wheel can create and upgrade its own ledgers without an alembic.ini.

Every run is one transaction (see migrations/env.py). A downgrade counts, inside it, what the
ledger held before and after: rows of tables it drops or empties, values of columns it drops. If
anything would go, it is rolled back unless the caller allowed the loss, so ``claims db
downgrade`` can name what it deletes before it deletes anything.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from importlib.resources import files

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from ledger.errors import InvalidInput, SchemaOutOfDate, StorageError

Loss = dict[tuple[str, str | None], int]  # (table, None): rows; (table, column): values
# Tables rebuilt from the claims, speakers and sources (the search index, migration 0009; the
# report's stored prior, 0010): dropping them loses nothing, so a downgrade does not count them.
REBUILT = ("search_documents", "search_fts", "report_priors")


def _config(ledger=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("ledger.migrations")))
    if ledger is not None:
        cfg.attributes["engine"] = ledger.engine
    return cfg


@cache  # the revisions cannot change while claims runs
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    return _script().get_current_head()


def is_ancestor(revision: str, of: str) -> bool:
    script = _script()
    try:
        return any(r.revision == revision for r in script.iterate_revisions(of, "base"))
    except CommandError:  # an unknown revision id: not an ancestor
        return False


def _known(revision: str) -> str | None:
    """The revision id ``revision`` names (None for base); a one-line error for anything else."""
    if revision == "base":
        return None
    try:
        found = _script().get_revision(revision)
    except CommandError:
        found = None
    if found is None or found.revision != revision and revision != "head":
        raise InvalidInput(f"unknown schema revision {revision!r}; see `claims db history`")
    return found.revision


def _current(ledger) -> str | None:
    current = ledger.current_revision()
    if current is not None and not is_ancestor(current, head()):
        raise SchemaOutOfDate(f"the ledger's schema ({current}) is newer than this version of claims knows; upgrade claims")
    return current


def upgrade(ledger, revision: str = "head") -> None:
    target = _known(revision)
    current = _current(ledger)
    if current is not None and (target is None or current != target and is_ancestor(target, current)):
        raise InvalidInput(f"the ledger is at {current}, past {revision}: to go back, use `claims db downgrade {revision}`")
    _run(command.upgrade, ledger, revision)


def downgrade(ledger, revision: str, *, allow_loss: bool = False) -> Loss:
    """Take the schema back to ``revision``; returns what was deleted. Deletes nothing, raising
    InvalidInput that says what would go, unless ``allow_loss``."""
    target = _known(revision)
    current = _current(ledger)
    if target is not None and (current is None or current != target and is_ancestor(current, target)):
        raise InvalidInput(f"the ledger is at {current or 'base'}, below {revision}: use `claims db upgrade {revision}`")
    lost: Loss = {}

    @contextmanager
    def guard(connection):
        before = _holdings(connection)
        yield
        lost.update(_lost(before, _holdings(connection)))
        if lost and not allow_loss:
            raise InvalidInput(
                f"going back to {revision} would delete {describe(lost)}; nothing was changed "
                "(add --yes to delete them)"
            )

    _run(command.downgrade, ledger, revision, guard=guard)
    return lost


def _run(step, ledger, revision: str, **attributes) -> None:
    cfg = _config(ledger)
    cfg.attributes.update(attributes)
    try:
        step(cfg, revision)
    except CommandError as exc:  # what Alembic refuses is about the ledger's revisions
        raise StorageError(f"cannot move the schema to {revision}: {exc}") from None


def _holdings(connection) -> Loss:
    """Rows per table and non-empty values per column: what a downgrade could take away."""
    inspector = sa.inspect(connection)
    held: Loss = {}
    for name in inspector.get_table_names():
        if name == "alembic_version" or name.startswith(REBUILT):
            continue
        columns = [c["name"] for c in inspector.get_columns(name)]
        table = sa.table(name, *map(sa.column, columns))
        counts = connection.execute(sa.select(sa.func.count(), *(sa.func.count(table.c[c]) for c in columns))).one()
        held[name, None] = counts[0]
        held.update({(name, c): n for c, n in zip(columns, counts[1:])})
    return held


def _lost(before: Loss, after: Loss) -> Loss:
    lost = {}
    for (table, column), n in before.items():
        if column is not None and (table, None) not in after:
            continue  # the whole table went: counted as rows
        if n > after.get((table, column), 0):
            lost[table, column] = n - after.get((table, column), 0)
    return lost


def describe(lost: Loss) -> str:
    """``2 rows of claim_reviewers, 3 values of claims.outcome``."""
    parts = [
        f"{n} row{'s' if n != 1 else ''} of {table}" if column is None
        else f"{n} value{'s' if n != 1 else ''} of {table}.{column}"
        for (table, column), n in sorted(lost.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]
    return ", ".join(parts)


def history() -> list[tuple[str, str | None, str]]:
    return [(r.revision, r.down_revision, r.doc) for r in reversed(list(_script().walk_revisions()))]
