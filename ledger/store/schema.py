"""Alembic, configured in code: the migrations ship inside the package (``ledger.migrations``),
so an installed wheel can create and upgrade its own ledgers without an alembic.ini."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from ledger.errors import InvalidInput


def _config(ledger=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("ledger.migrations")))
    if ledger is not None:
        cfg.attributes["engine"] = ledger.engine
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_ancestor(revision: str, of: str) -> bool:
    script = ScriptDirectory.from_config(_config())
    try:
        return any(r.revision == revision for r in script.iterate_revisions(of, "base"))
    except Exception:  # an unknown revision id: not an ancestor
        return False


def upgrade(ledger, revision: str = "head") -> None:
    command.upgrade(_config(ledger), revision)


def downgrade(ledger, revision: str) -> None:
    script = ScriptDirectory.from_config(_config())
    try:
        if revision != "base":
            script.get_revision(revision)
    except Exception:
        raise InvalidInput(f"unknown schema revision {revision!r}; see `claims db history`") from None
    command.downgrade(_config(ledger), revision)


def history() -> list[tuple[str, str | None, str]]:
    script = ScriptDirectory.from_config(_config())
    return [(r.revision, r.down_revision, r.doc) for r in reversed(list(script.walk_revisions()))]
