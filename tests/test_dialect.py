"""The statements that differ between SQLite and PostgreSQL behave the same on both."""

from sqlalchemy import func, insert, select

from ledger.store import dialect
from ledger.store.models import Speaker
from ledger.store.types import utcnow


def speaker(i, name):
    return {"id": i, "name": name, "name_key": name.casefold(), "slug": name.casefold(), "created_at": utcnow()}


def test_insert_ignore_skips_what_a_unique_key_holds(ledger):
    with ledger.write() as session:
        session.execute(insert(Speaker.__table__), [speaker(1, "Ada")])
    with ledger.write() as session:
        added = session.execute(
            dialect.insert_ignore(session, Speaker).returning(Speaker.id), [speaker(2, "ada"), speaker(3, "Bob")]
        ).all()
    assert [i for (i,) in added] == [3]
    with ledger.read() as session:
        assert session.execute(select(Speaker.id, Speaker.name).order_by(Speaker.id)).all() == [(1, "Ada"), (3, "Bob")]


def test_new_ids_are_free_and_can_be_written_in_bulk(ledger):
    with ledger.write() as session:
        session.add(Speaker(name="Ada", name_key="ada", slug="ada"))
    with ledger.write() as session:
        ids = dialect.new_ids(session, Speaker.__table__, 3)
        session.execute(insert(Speaker.__table__), [speaker(i, f"S{i}") for i in ids])
        assert dialect.new_ids(session, Speaker.__table__, 0) == []
    with ledger.read() as session:
        first = session.scalar(select(Speaker.id).where(Speaker.name_key == "ada"))
        assert len(set(ids)) == 3 and first not in ids
        assert session.scalar(select(func.count()).select_from(Speaker)) == 4
    with ledger.write() as session:  # the ORM's own next id does not clash with them
        session.add(Speaker(name="Eve", name_key="eve", slug="eve"))


def test_a_snapshot_does_not_see_what_is_committed_while_it_reads(ledger):
    with dialect.snapshot(ledger) as session:
        before = session.scalar(select(func.count()).select_from(Speaker))
        with ledger.write() as other:
            other.add(Speaker(name="Ada", name_key="ada", slug="ada"))
        assert session.scalar(select(func.count()).select_from(Speaker)) == before
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Speaker)) == before + 1
