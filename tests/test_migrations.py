"""The schema comes only from Alembic revisions; they go up and down on both backends keeping every
row the revision they reach can hold, the ORM models match what they create, and the code knows
which revision it needs.

The walk test fills a ledger with every kind of row at each revision, as that revision stored it,
and steps base -> head -> base -> head. Each revision has a ``POPULATE`` step, written against the
tables as that revision created them (never against the models, which follow the head): a new
revision in migrations/versions must add one, or `test_every_revision_has_a_populate_step` fails.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, text

from ledger.domain.chain import GENESIS, canonical_json, entry_hash
from ledger.domain.claims import name_key, text_fingerprint
from ledger.domain.derived import text_sha256
from ledger.domain.search import document
from ledger.services.reports.priors import PriorKey
from ledger.store import schema
from ledger.store.engine import open_ledger
from ledger.store.models import Base
from ledger.store.schema_revision import SCHEMA_REVISION
from ledger.store.snapshots import ADDED_LATER, SNAPSHOTS
from ledger.store.types import UTCDateTime

REVISIONS = [rev for rev, _, _ in schema.history()]
AT = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


# Writing rows as a revision stored them ---------------------------------------------------------

def _type(value):
    if isinstance(value, datetime):
        return UTCDateTime()
    if isinstance(value, date):
        return sa.Date()
    if isinstance(value, bool):
        return sa.Boolean()
    return None


def put(conn, table: str, *rows: dict) -> None:
    """Insert ``rows`` into ``table`` naming only the columns given (no model defaults)."""
    for row in rows:
        shape = sa.table(table, *[sa.column(k, _type(v)) for k, v in row.items()])
        conn.execute(sa.insert(shape).values(row))


def change(conn, table: str, row_id: int, **values) -> None:
    shape = sa.table(table, sa.column("id"), *[sa.column(k, _type(v)) for k, v in values.items()])
    conn.execute(sa.update(shape).where(shape.c.id == row_id).values(values))


def _record(conn, model, row_id: int) -> SimpleNamespace:
    """The row as the journal's snapshot reads it, from the columns this revision has."""
    table = model.__table__
    present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    columns = [c for c in table.c if c.name in present]
    row = conn.execute(sa.select(*columns).where(table.c.id == row_id)).one()
    record = SimpleNamespace(**{**{c.key: None for c in table.c}, **row._mapping})
    for rel in inspect(model).relationships:
        if rel.uselist:
            (_, fk), = rel.local_remote_pairs
            child = rel.mapper.class_.__table__
            setattr(record, rel.key, conn.execute(sa.select(child).where(child.c[fk.key] == row_id)).all())
    return record


def journal(conn, action: str, entity: str, *ids: int) -> None:
    """Append what the tool would have journaled for each row, hash chain and all."""
    last = conn.execute(text("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")).first()
    seq, prev = last if last else (0, GENESIS)
    model, snapshot = SNAPSHOTS[entity]
    for row_id in ids:
        seq += 1
        record = snapshot(_record(conn, model, row_id))
        # A field added to the snapshot with a later column: the tool of this revision had no such key.
        present = {c["name"] for c in inspect(conn).get_columns(model.__table__.name)}
        payload = canonical_json({k: v for k, v in record.items() if k in present or k not in ADDED_LATER.get(entity, ())})
        digest = entry_hash(prev_hash=prev, seq=seq, at=AT.isoformat(), actor="walk", action=action,
                            entity=entity, entity_id=row_id, payload=payload)
        put(conn, "journal", {"seq": seq, "at": AT, "actor": "walk", "action": action, "entity": entity,
                              "entity_id": row_id, "payload": payload, "prev_hash": prev, "hash": digest})
        prev = digest


# What each revision adds: every kind of row it can hold ----------------------------------------

def _claim(id, text, said, deadline, **extra):
    return {
        "id": id, "speaker_id": 1, "source_id": None, "text": text,
        "text_sha256": text_fingerprint(text), "quote": None, "said": said,
        "deadline_text": deadline.isoformat(), "deadline": deadline, "deadline_earliest": deadline,
        "deadline_granularity": "day", "deadline_timex": deadline.isoformat(), "deadline_strict": None,
        "deadline_assumed": False, "probability": None, "confidence": None, "status": "open",
        "logged_by": "ann", "logged_at": AT, "restates_id": None, "version": 1, **extra,
    }


def populate_0001(conn):
    put(conn, "speakers",
        {"id": 1, "name": "Elon Musk", "name_key": name_key("Elon Musk"), "created_at": AT},
        {"id": 2, "name": "Zoë Ångström", "name_key": name_key("Zoë Ångström"), "created_at": AT})
    put(conn, "speaker_aliases",
        {"id": 1, "speaker_id": 1, "alias": "Musk", "alias_key": name_key("Musk")},
        {"id": 2, "speaker_id": 1, "alias": "Elon", "alias_key": name_key("Elon")})
    article = "Full self-driving later this year.\nÜnicode kept: “quoted”."
    put(conn, "sources",
        {"id": 1, "url": "https://example.org/waic-2023", "title": "WAIC 2023", "publisher": "Example News",
         "published": date(2023, 7, 6), "text": article,
         "text_sha256": text_sha256(article), "created_at": AT},
        {"id": 2, "url": None, "title": "A talk", "publisher": None, "published": None, "text": None,
         "text_sha256": None, "created_at": AT})
    put(conn, "claims",
        _claim(1, "Level 4 or 5 this year", date(2023, 7, 6), date(2023, 12, 31), source_id=1,
               quote="later this year", confidence="is likely", deadline_text="later this year",
               deadline_earliest=date(2023, 7, 7), deadline_granularity="year", deadline_timex="2023"),
        _claim(2, "Robotaxis in 2024", date(2023, 8, 1), date(2024, 12, 31), probability=0.7, restates_id=1,
               deadline_strict=date(2024, 6, 30)),
        _claim(3, "Mars by 2026", date(2022, 1, 1), date(2026, 12, 31), speaker_id=2, source_id=2,
               deadline_assumed=True, status="due"),
        _claim(4, "Untagged and plain", date(2022, 1, 2), date(2022, 1, 2)))
    put(conn, "claim_tags",
        {"claim_id": 1, "tag": "autonomy"}, {"claim_id": 1, "tag": "tesla"},
        {"claim_id": 2, "tag": "autonomy"}, {"claim_id": 3, "tag": "space"})
    put(conn, "reviewers",
        {"id": 1, "name": "Ann", "name_key": name_key("Ann"), "email": "ann@example.org", "created_at": AT},
        {"id": 2, "name": "Bob", "name_key": name_key("Bob"), "email": None, "created_at": AT})
    journal(conn, "speaker.added", "speaker", 1, 2)
    journal(conn, "source.added", "source", 1, 2)
    journal(conn, "claim.added", "claim", 1, 2, 3, 4)
    journal(conn, "reviewer.added", "reviewer", 1, 2)


def populate_0002(conn):
    vote = {"occurred": None, "evidence": None, "note": None, "reason": None, "supersedes_id": None,
            "claim_version": 1, "round": 1, "recorded_at": AT}
    put(conn, "resolutions",
        # claim 1: resolved true, then amended to partial (the next round)
        {**vote, "id": 1, "claim_id": 1, "outcome": "true", "reviewer": "Ann", "occurred": date(2023, 12, 1),
         "evidence": '["https://example.org/proof"]', "note": "shipped"},
        {**vote, "id": 2, "claim_id": 1, "outcome": "partial", "reviewer": "Bob", "occurred": date(2023, 12, 1),
         "reason": "only level 3", "supersedes_id": 1, "claim_version": 2, "round": 2},
        # claim 4: two reviewers disagree, nothing settled
        {**vote, "id": 3, "claim_id": 4, "outcome": "false", "reviewer": "Ann"},
        {**vote, "id": 4, "claim_id": 4, "outcome": "ambiguous", "reviewer": "Bob", "note": "unclear"})
    change(conn, "claims", 1, status="resolved", outcome="partial", occurred=date(2023, 12, 1), resolved_at=AT, version=3)
    change(conn, "claims", 4, status="disputed", version=2)
    journal(conn, "resolution.recorded", "resolution", 1, 2, 3, 4)
    journal(conn, "claim.reviewed", "claim", 1, 4)


def populate_0003(conn):
    put(conn, "claim_reviewers",
        {"id": 1, "claim_id": 3, "reviewer_id": 1, "assigned_by": "ann", "assigned_at": AT},
        {"id": 2, "claim_id": 3, "reviewer_id": 2, "assigned_by": "ann", "assigned_at": AT})
    put(conn, "reminder_schedule", {"claim_id": 3, "flagged_on": date(2024, 1, 1), "number": 4, "next_on": date(2024, 1, 8)})
    outbox = {"claim_id": 3, "channel": "email", "due_on": date(2024, 1, 1), "attempts": 0, "last_error": None,
              "next_attempt_at": AT, "claimed_by": None, "claimed_at": None, "sent_at": None, "created_at": AT}
    put(conn, "reminders",
        {**outbox, "id": 1, "recipient": "ann@example.org", "number": 1, "status": "sent", "attempts": 1, "sent_at": AT},
        {**outbox, "id": 2, "recipient": "ann@example.org", "number": 2, "status": "failed", "attempts": 5,
         "last_error": "550 mailbox unavailable"},
        {**outbox, "id": 3, "recipient": "Bob", "channel": "chat", "number": 1, "status": "cancelled"},
        {**outbox, "id": 4, "recipient": "ann@example.org", "number": 3, "status": "pending"},
        {**outbox, "id": 5, "recipient": "ann@example.org", "number": 4, "status": "pending", "attempts": 2,
         "last_error": "timed out", "claimed_by": "worker-1", "claimed_at": AT})
    journal(conn, "claim.assigned", "assignment", 1, 2)


def populate_0004(conn):
    put(conn, "reminders",
        {"id": 6, "claim_id": 3, "recipient": "ann@example.org", "channel": "email", "number": 5,
         "due_on": date(2024, 1, 29), "status": "parked", "attempts": 8, "last_error": "550 mailbox unavailable",
         "next_attempt_at": AT, "claimed_by": None, "claimed_at": None, "sent_at": None, "created_at": AT})


def populate_0005(conn):
    # Two forecasts of one event by one speaker, and an event written on a claim journaled before
    # events existed (journaled as the tool would journal the change).
    put(conn, "claims",
        _claim(5, "Kemp wins Georgia", date(2022, 9, 18), date(2022, 11, 8), probability=0.8,
               event="2022 Georgia governor"),
        _claim(6, "Abrams wins Georgia", date(2022, 9, 18), date(2022, 11, 8), probability=0.2,
               event="2022 Georgia governor"))
    change(conn, "claims", 2, event="Robotaxis 2024", version=2)
    journal(conn, "claim.added", "claim", 5, 6)
    journal(conn, "claim.edited", "claim", 2)


def populate_0006(conn):
    change(conn, "claims", 4, withdrawn_at=AT, version=3)
    change(conn, "claims", 2, text="Robotaxis in 2024, in Austin", text_sha256=text_fingerprint("Robotaxis in 2024, in Austin"), version=3)
    put(conn, "claim_changes",
        {"id": 1, "claim_id": 2, "action": "edited", "reason": "the city was left out",
         "changes": canonical_json({"text": {"from": "Robotaxis in 2024", "to": "Robotaxis in 2024, in Austin"}}),
         "actor": "ann", "at": AT},
        {"id": 2, "claim_id": 4, "action": "withdrawn", "reason": "logged by mistake",
         "changes": canonical_json({"withdrawn_at": {"from": None, "to": AT.isoformat()}}), "actor": "ann", "at": AT})
    journal(conn, "claim.edited", "claim", 2)
    journal(conn, "claim.withdrawn", "claim", 4)
    journal(conn, "change.recorded", "change", 1, 2)


def populate_0007(conn):
    page = "<html><body><p>Full self-driving later this year.</p></body></html>"
    change(conn, "sources", 1, html=page, html_sha256=text_sha256(page))
    journal(conn, "source.edited", "source", 1)
    put(conn, "extract_skips",
        {"id": 1, "source_id": 1, "candidate": "a" * 64, "skipped_by": "ann", "skipped_at": AT},
        {"id": 2, "source_id": 2, "candidate": "b" * 64, "skipped_by": "bob", "skipped_at": AT})
    journal(conn, "extract.skipped", "skip", 1, 2)


def populate_0008(conn):
    # Upgrading gave speakers 1 and 2 their slugs; a speaker added since gets one of its own.
    put(conn, "speakers", {"id": 3, "name": "Elon  Musk!", "name_key": name_key("Elon  Musk!"), "slug": "elon-musk-2",
                           "created_at": AT})
    # Claim 2 restates claim 1: unlinked after the fact, then linked again, each with its reason.
    put(conn, "restatement_changes",
        {"id": 1, "claim_id": 2, "restates_id": None, "previous_id": 1, "reason": "a different product", "actor": "ann",
         "recorded_at": AT},
        {"id": 2, "claim_id": 2, "restates_id": 1, "previous_id": None, "reason": "the same promise after all",
         "actor": "ann", "recorded_at": AT})
    journal(conn, "speaker.added", "speaker", 3)
    journal(conn, "restatement.changed", "restatement", 1, 2)


def populate_0009(conn):
    # The search documents of the claims already there were written by the upgrade; a claim added
    # now gets its own, as the tool writes it.
    put(conn, "claims", _claim(7, "Robots fold laundry", date(2024, 2, 1), date(2025, 12, 31), source_id=1, quote="fold your laundry"))
    body = "Full self-driving later this year.\nÜnicode kept: “quoted”."
    put(conn, "search_documents", {"claim_id": 7, "document": document(
        "Robots fold laundry", "fold your laundry", "Elon Musk", ["Elon", "Musk"], "WAIC 2023", body)})
    journal(conn, "claim.added", "claim", 7)


def populate_0010(conn):
    # A prior stored at an earlier head: no report reads it again, and verify leaves it (docs/review.md).
    seq, head = conn.execute(text("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1 OFFSET 1")).one()
    scope = canonical_json({"as_of": "2025-01-01", "since": None, "until": None, "tag": None, "policy": "strict",
                            "half_life": None, "withdrawn": False, "rules": "0" * 64})
    put(conn, "report_priors", {"key": PriorKey(seq, head, scope).digest, "journal_seq": seq, "journal_hash": head,
                                "scope": scope, "alpha": 4.5, "beta": 6.25, "method": "mle",
                                "reason": "beta-binomial maximum likelihood over 3 speakers", "speakers": 3})


def populate_0011(conn):
    pass  # 0011 only lets a speaker hold two copies of a claim; a ledger holding them is tested on its own below


POPULATE = {
    "0001": populate_0001, "0002": populate_0002, "0003": populate_0003, "0004": populate_0004, "0005": populate_0005,
    "0006": populate_0006, "0007": populate_0007, "0008": populate_0008, "0009": populate_0009,
    "0010": populate_0010, "0011": populate_0011,
}


def _mapped(held: dict, table: str, column: str, change) -> dict:
    columns, rows = held[table]
    i = columns.index(column)
    rows = [(*r[:i], change(r[i]), *r[i + 1:]) for r in rows]
    return {**held, table: (columns, sorted(rows, key=repr))}


# What a downgrade from a revision changes in the rows it keeps, as that revision documents it.
LOWERED = {
    "0004": lambda held: _mapped(held, "reminders", "status", lambda s: "failed" if s == "parked" else s),
}


# Dumping what a revision holds ------------------------------------------------------------------

@pytest.fixture
def raw(db_url):
    """The ledger opened at whatever revision it is (foreign keys on), to write and read rows
    beside the tool."""
    opened = open_ledger(db_url, check_schema=False)
    yield opened
    opened.dispose()


FTS = "search_fts"  # SQLite's FTS5 table and its shadow tables: the backend's index, not rows of ours


def dump(engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table but Alembic's and FTS5's own: its columns, and its rows in a stable order."""
    with engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn, only=lambda name, _: not name.startswith(FTS))
        out = {}
        for name, table in meta.tables.items():
            if name != "alembic_version":
                columns = sorted(table.c.keys())
                rows = conn.execute(sa.select(*[table.c[c] for c in columns])).all()
                out[name] = (columns, sorted((tuple(r) for r in rows), key=repr))
        return out


def restricted(held: dict, to: dict) -> dict:
    """``held`` cut down to the tables and columns that ``to`` has."""
    out = {}
    for name, (columns, rows) in held.items():
        if name in to:
            keep = [i for i, c in enumerate(columns) if c in to[name][0]]
            out[name] = ([columns[i] for i in keep], sorted((tuple(r[i] for i in keep) for r in rows), key=repr))
    return out


# The tests --------------------------------------------------------------------------------------

@pytest.fixture
def db_url(empty_db_url):
    """These tests walk the schema's history, so they start from a database with no tables."""
    return empty_db_url


def test_code_expects_the_head_revision():
    assert SCHEMA_REVISION == schema.head()


def test_every_revision_has_a_populate_step():
    assert list(POPULATE) == REVISIONS, "add a populate_NNNN step for each new revision to the walk"


def test_walk_base_head_base_head_keeps_every_row(raw, cli):
    """Up with every kind of row added at each revision, down to base and up again: after every
    step the ledger holds exactly what it held before, cut down to what the revision can hold."""
    first_visit: dict[str, dict] = {}
    held = dump(raw.engine)
    assert held == {}

    def step(args, rev):
        nonlocal held
        was = raw.current_revision()
        result = cli("db", *args)
        assert result.status == 0, result.err
        now = dump(raw.engine)
        if args[0] == "upgrade":  # what the revision adds starts empty, but for what it rebuilds from the claims
            assert all(not now[t][1] for t in now.keys() - held.keys() if t not in schema.REBUILT)
        else:
            held = LOWERED.get(was, lambda same: same)(held)
            assert now.keys() <= held.keys()
        assert restricted(held, now) == restricted(now, held), f"rows lost by `claims db {' '.join(args)}`"
        held = now
        if rev != "base":  # a command on an empty ledger would create the schema
            result = cli("verify")
            if rev == REVISIONS[-1]:
                assert result.status == 0, result.err
            else:  # verifying needs the schema this claims knows
                assert result.status == 6 and "claims db upgrade" in result.err

    for lap in (1, 2):
        for rev in REVISIONS:
            step(["upgrade", rev], rev)
            with raw.engine.begin() as conn:
                POPULATE[rev](conn)
            held = dump(raw.engine)
            # both laps store the same rows the same way
            assert first_visit.setdefault(rev, held) == held
        result = cli("verify")
        assert result.status == 0, result.err
        assert cli("show", "1", "--json").json["tags"] == ["autonomy", "tesla"]
        if lap == 1:
            for rev in [*reversed(REVISIONS[:-1]), "base"]:
                step(["downgrade", rev, "--yes"], rev)
                if rev != "base":  # the revision's own tables and columns, with later rows kept
                    assert {t: c for t, (c, _) in held.items()} == {t: c for t, (c, _) in first_visit[rev].items()}
            assert held == {}


def _at(raw, rev):
    """``raw`` upgraded to ``rev`` with every kind of row up to it."""
    for r in REVISIONS[: REVISIONS.index(rev) + 1]:
        schema.upgrade(raw, r)
        with raw.engine.begin() as conn:
            POPULATE[r](conn)


def test_upgrading_keeps_claim_tags(raw, cli):
    _at(raw, "0001")
    before = dump(raw.engine)["claim_tags"]
    assert cli("db", "upgrade").status == 0
    assert dump(raw.engine)["claim_tags"] == before
    assert cli("verify").status == 0


def test_a_downgrade_that_drops_rows_says_what_and_needs_yes(raw, cli):
    _at(raw, REVISIONS[-1])
    before = dump(raw.engine)
    refused = cli("db", "downgrade", "0002")
    assert refused.status == 2
    assert refused.err.count("\n") == 1
    assert "2 rows of claim_reviewers" in refused.err and "6 rows of reminders" in refused.err
    assert "1 row of reminder_schedule" in refused.err and "--yes" in refused.err
    assert "3 values of claims.event" in refused.err
    assert cli("db", "current").out.startswith(SCHEMA_REVISION)
    assert dump(raw.engine) == before
    assert cli("verify").status == 0

    done = cli("db", "downgrade", "0002", "--yes")
    assert done.status == 0, done.err
    assert ("Deleted 2 rows of claim_changes, 2 rows of claim_reviewers, 3 values of claims.event, "
            "1 value of claims.withdrawn_at, 2 rows of extract_skips, 1 row of reminder_schedule, 6 rows of reminders, "
            "2 rows of restatement_changes, 1 value of sources.html, 1 value of sources.html_sha256, "
            "3 values of speakers.slug." in done.out)
    assert cli("db", "current").out.startswith("0002")
    # Back up, the assignments are gone; the journal still records them, and verify says so.
    assert cli("db", "upgrade").status == 0
    assert dump(raw.engine)["claim_reviewers"][1] == []
    gone = cli("verify", "--json")
    assert gone.status == 5
    problems = [p["message"] for p in gone.json["problems"]]
    assert any("claim #2 differs" in m and "event is null" in m for m in problems)
    assert any("assignment #1 is missing" in m for m in problems)
    assert any("skip #1 is missing" in m for m in problems)
    assert any("source #1 differs from journal" in m for m in problems)  # its page is gone


def test_copies_brought_together_by_a_merge_stop_a_downgrade_until_one_is_edited(raw, cli):
    schema.upgrade(raw)  # the populate steps write ids by hand, past PostgreSQL's sequences
    for name in ("A. Lee", "Ann Lee"):
        added = cli("add", "Robotaxis in Austin", "--speaker", name, "--new-speaker", "--said", "2024-01-05",
                    "--deadline", "2025-06-30", "--logged-by", "ann", "--json")
        assert added.status == 0, added.err
    copy = added.json["id"]
    assert cli("speaker", "merge", "A. Lee", "Ann Lee").status == 0
    before = dump(raw.engine)
    refused = cli("db", "downgrade", "0010")
    assert refused.status == 2 and refused.err.count("\n") == 1, refused.err
    assert f"and #{copy} are copies of one claim" in refused.err and "claims edit" in refused.err
    assert dump(raw.engine) == before and cli("db", "current").out.startswith(SCHEMA_REVISION)

    assert cli("edit", str(copy), "--text", "Robotaxis in Austin (logged twice)", "--reason", "a copy").status == 0
    assert cli("db", "downgrade", "0010").status == 0
    # 0010's constraint is back: the database itself refuses a second copy.
    with pytest.raises(sa.exc.IntegrityError), raw.engine.begin() as conn:
        conn.execute(text("UPDATE claims SET text = 'Robotaxis in Austin', text_sha256 = :sha WHERE id = :id"),
                     {"sha": text_fingerprint("Robotaxis in Austin"), "id": copy})
    assert cli("db", "upgrade").status == 0 and cli("verify").status == 0


def test_downgrading_through_resolutions_keeps_tags(raw, cli):
    _at(raw, "0002")
    before = dump(raw.engine)
    refused = cli("db", "downgrade", "0001")
    assert refused.status == 2 and "4 rows of resolutions" in refused.err
    assert "claims.outcome" in refused.err
    assert dump(raw.engine) == before
    assert cli("db", "downgrade", "0001", "--yes").status == 0
    after = dump(raw.engine)
    assert after["claim_tags"] == before["claim_tags"]
    assert after == restricted(before, after)


def test_downgrade_to_base_asks_first_then_removes_everything(raw, cli):
    _at(raw, REVISIONS[-1])
    before = dump(raw.engine)
    refused = cli("db", "downgrade", "base")
    assert refused.status == 2 and "7 rows of claims" in refused.err and "rows of journal" in refused.err
    assert dump(raw.engine) == before
    assert cli("db", "downgrade", "base", "--yes").status == 0
    assert dump(raw.engine) == {}
    assert cli("db", "current").out.startswith("none")
    # What is left is a ledger to start again with, not "tables but no claims schema version".
    assert cli("list").status == 0 and cli("db", "current").out.startswith(SCHEMA_REVISION)


# SQLite only: PostgreSQL checks every reference as it writes, so no such ledger can exist there.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_migration_that_would_break_a_reference_changes_nothing(raw, cli, backend):
    _at(raw, "0001")
    import sqlite3

    plain = sqlite3.connect(raw.url.database)  # foreign keys off: a reference can break
    plain.execute("INSERT INTO claim_tags (claim_id, tag) VALUES (99, 'orphan')")
    plain.commit()
    plain.close()
    before = dump(raw.engine)
    result = cli("db", "upgrade")
    assert result.status == 6
    assert result.err.count("\n") == 1 and "claim_tags" in result.err and "nothing was changed" in result.err
    assert cli("db", "current").out.startswith("0001")
    assert dump(raw.engine) == before


def test_models_match_the_migrated_schema(ledger):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with ledger.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,
            # The search revision's index is the backend's own (SQLite's FTS5 table and its shadow
            # tables, PostgreSQL's GIN index over an expression), made by the revision, not by a model.
            "include_name": lambda name, kind, _: not (
                (kind == "table" and (name or "").startswith(FTS)) or (kind == "index" and name == "ix_search_documents_tsv")
            ),
        })
        assert compare_metadata(ctx, Base.metadata) == []


def test_a_ledger_behind_the_code_is_refused(raw, cli):
    schema.upgrade(raw, "head")
    with raw.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    result = cli("list")
    assert result.status == 6
    assert "newer" in result.err or "claims db upgrade" in result.err
    for command in (("upgrade",), ("downgrade", "base", "--yes")):  # nor will it move a schema it does not know
        moved = cli("db", *command)
        assert moved.status == 6 and moved.err.count("\n") == 1 and "newer than this version of claims" in moved.err


def test_db_commands(cli):
    fresh = cli("db", "current")
    assert fresh.status == 0 and fresh.out.startswith("none")
    assert cli("db", "upgrade").status == 0
    assert cli("db", "current").out.startswith(SCHEMA_REVISION)
    assert cli("db", "downgrade", "base").status == 0  # nothing to lose: no --yes needed
    assert cli("db", "current").out.startswith("none")


@pytest.mark.parametrize("command", [("upgrade", "nonsense"), ("downgrade", "nonsense"), ("upgrade", "0001x")])
def test_an_unknown_revision_is_a_one_line_error(cli, command):
    result = cli("db", *command)
    assert result.status == 2
    assert result.err.count("\n") == 1 and "unknown schema revision" in result.err and "claims db history" in result.err


def test_moving_the_wrong_way_is_a_one_line_error(cli):
    assert cli("db", "upgrade").status == 0
    up = cli("db", "upgrade", "0001")
    assert up.status == 2 and "downgrade" in up.err and "internal error" not in up.err
    assert cli("db", "downgrade", "0002").status == 0
    down = cli("db", "downgrade", "0003")
    assert down.status == 2 and "upgrade" in down.err and "internal error" not in down.err
    assert cli("db", "current").out.startswith("0002")


def test_a_behind_ledger_says_to_upgrade(raw, cli):
    schema.upgrade(raw, REVISIONS[-2])
    result = cli("list")
    assert result.status == 6 and "run `claims db upgrade`" in result.err
    assert cli("db", "upgrade").status == 0
    assert cli("list").status == 0
