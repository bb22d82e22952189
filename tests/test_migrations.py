"""The schema comes only from Alembic revisions; they go up and down on both backends with data
kept, the ORM models match what they create, and the code knows which revision it needs."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from ledger.store import schema
from ledger.store.engine import open_ledger
from ledger.store.models import Base
from ledger.store.schema_revision import SCHEMA_REVISION


@pytest.fixture
def db_url(empty_db_url):
    """These tests walk the schema's history, so they start from a database with no tables."""
    return empty_db_url


def test_code_expects_the_head_revision():
    assert SCHEMA_REVISION == schema.head()


def test_up_down_up_keeps_data(db_url, cli):
    raw = open_ledger(db_url, check_schema=False)
    schema.upgrade(raw, "head")
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("add", "Level 5 autonomy", "--speaker", "Elon Musk", "--said", "2020-07-09", "--deadline", "2020-12-31").status == 0
    revisions = [rev for rev, _, _ in schema.history()]
    # Step down through every revision above the first one, and back up: the core data survives.
    for rev in reversed(revisions[:-1]):
        schema.downgrade(raw, rev)
    schema.upgrade(raw, "head")
    assert [c["text"] for c in cli("list", "--json").json] == ["Level 5 autonomy"]
    schema.downgrade(raw, "base")
    with raw.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    schema.upgrade(raw, "head")
    assert raw.current_revision() == SCHEMA_REVISION
    raw.dispose()


def test_models_match_the_migrated_schema(ledger):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with ledger.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_a_ledger_behind_the_code_is_refused(db_url, cli):
    raw = open_ledger(db_url, check_schema=False)
    schema.upgrade(raw, "head")
    with raw.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    result = cli("list")
    assert result.status == 6
    assert "newer" in result.err or "claims db upgrade" in result.err
    raw.dispose()


def test_db_commands(cli):
    fresh = cli("db", "current")
    assert fresh.status == 0 and fresh.out.startswith("none")
    assert cli("db", "upgrade").status == 0
    assert cli("db", "current").out.startswith(SCHEMA_REVISION)
    assert cli("db", "downgrade", "base").status == 0
    assert cli("db", "current").out.startswith("none")
    bad = cli("db", "downgrade", "nonsense")
    assert bad.status == 2 and "unknown schema revision" in bad.err


def test_a_behind_ledger_says_to_upgrade(db_url, cli):
    revisions = [rev for rev, _, _ in schema.history()]
    if len(revisions) < 2:
        pytest.skip("only one revision so far")
    raw = open_ledger(db_url, check_schema=False)
    schema.upgrade(raw, revisions[-2])
    result = cli("list")
    assert result.status == 6 and "run `claims db upgrade`" in result.err
    assert cli("db", "upgrade").status == 0
    assert cli("list").status == 0
    raw.dispose()
