"""`claims verify` proves the ledger intact, and names what was changed behind its back: each kind
of tampering is done here with raw SQL, as someone with database access would, on both backends."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from conftest import add_musk, ledger_state
from ledger.domain.chain import entry_hash
from ledger.errors import ExitStatus
from ledger.store.engine import open_ledger


@dataclass
class World:
    waic: int  # a seed claim resolved false by the seed reviewer
    fresh: int  # a claim with no resolution
    target: int  # a claim resolved, then amended
    first: int  # a resolution, superseded by
    amended: int  # this amendment, the last change in the journal
    entries: int
    head: str  # SEQ:HASH as verify printed it


@ledger_state
def world(cli) -> World:
    musk = add_musk(cli)
    assert musk("seed", "load").status == 0
    fresh = musk("add", "Robotaxis in ten cities", "--speaker", "Musk", "--said", "2025-01-29", "--deadline", "2026-12-31",
                 "--tag", "robotaxi", "--tag", "tesla", "--json").json["id"]
    waic = next(c["id"] for c in musk("list", "--json").json if c["said"] == "2023-07-06")
    target = musk("add", "Cybercab production", "--speaker", "Musk", "--said", "2024-10-10", "--deadline", "2026-06-30", "--json").json["id"]
    first = musk("resolve", target, "--outcome", "false", "--reviewer", "Ada", "--evidence", "https://example.org/a", "--json").json
    amended = musk("resolve", target, "--outcome", "true", "--occurred", "2025-06-01", "--amend", "--reason", "it started",
                   "--reviewer", "Bob", "--evidence", "https://example.org/b", "--json").json
    intact = musk("verify")
    assert intact.status == 0, intact.err
    head = intact.out.split("Head: ")[1].strip()
    ledger = open_ledger(cli.url)
    with ledger.engine.connect() as conn:
        last = conn.execute(text("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")).one()
    ledger.dispose()
    assert head == f"{last[0]}:{last[1]}"  # the head printed is the journal's last entry
    return World(waic, fresh, target, first["resolution"]["id"], amended["resolution"]["id"], last[0], head)


def tamper(ledger, *statements: str, **params) -> None:
    with ledger.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), params)


def assert_tampered(cli, *mentions: str, head: str | None = None):
    result = cli("verify", *(["--head", head] if head else []))
    assert result.status == ExitStatus.TAMPERED, (result.status, result.out, result.err)
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err, result.err
    for words in mentions:
        assert words in result.err, result.err
    return result


def test_an_untouched_ledger_is_intact_and_reports_its_head(cli, world):
    report = cli("verify", "--json")
    assert report.status == 0
    assert report.json["intact"] is True and report.json["problems"] == []
    assert f"{report.json['head']['seq']}:{report.json['head']['hash']}" == world.head
    assert report.json["entries"] == world.entries
    assert cli("verify", "--head", world.head).status == 0
    assert cli("verify", "--head", world.head.split(":")[1]).status == 0  # the hash alone will do


def test_an_empty_ledger_is_intact(cli):
    result = cli("verify")
    assert result.status == 0 and "empty journal" in result.out


def test_a_malformed_head_is_a_usage_error(cli, world):
    result = cli("verify", "--head", "12:nothex")
    assert result.status == ExitStatus.USAGE and "SEQ:HASH" in result.err


# Each case: raw SQL against one table, and what verify must say about it.
UPDATES = {
    "claim text": ("UPDATE claims SET text = 'Tesla achieves nothing' WHERE id = :waic", ["claim #{waic} differs", "text is \"Tesla achieves nothing\""]),
    "claim verdict": ("UPDATE claims SET outcome = 'true' WHERE id = :waic", ["claim #{waic} differs", "outcome"]),
    "claim tag": ("DELETE FROM claim_tags WHERE claim_id = :fresh AND tag = 'robotaxi'", ["claim #{fresh} differs", "tags"]),
    "resolution outcome": ("UPDATE resolutions SET outcome = 'partial' WHERE id = :first", ["resolution #{first} differs", "outcome"]),
    "resolution evidence": ("UPDATE resolutions SET evidence = '[]' WHERE id = :amended", ["resolution #{amended} differs", "evidence"]),
    "speaker name": ("UPDATE speakers SET name = 'Elon M.' WHERE id = 1", ["speaker #1 differs", "name"]),
    "speaker alias": ("INSERT INTO speaker_aliases (speaker_id, alias, alias_key) VALUES (1, 'Technoking', 'technoking')", ["speaker #1 differs", "aliases"]),
    "source url": ("UPDATE sources SET url = 'https://elsewhere.example/' WHERE id = 1", ["source #1 differs", "url"]),
}


@pytest.mark.parametrize("case", list(UPDATES))
def test_an_update_behind_the_tools_back_is_named(cli, ledger, world, case):
    sql, mentions = UPDATES[case]
    ids = vars(world)
    tamper(ledger, sql, **{k: v for k, v in ids.items() if f":{k}" in sql})
    assert_tampered(cli, *(m.format(**ids) for m in mentions))


def test_a_deleted_resolution_is_named(cli, ledger, world):
    tamper(ledger, "DELETE FROM resolutions WHERE id = :id", id=world.amended)
    assert_tampered(cli, f"resolution #{world.amended} is missing", "deleted")


def test_a_deleted_claim_is_named(cli, ledger, world):
    tamper(ledger, "DELETE FROM claim_tags WHERE claim_id = :id", "DELETE FROM claims WHERE id = :id", id=world.fresh)
    assert_tampered(cli, f"claim #{world.fresh} is missing", "deleted")


def test_rows_inserted_directly_are_named(cli, ledger, world):
    tamper(
        ledger,
        "INSERT INTO claims (speaker_id, text, text_sha256, said, deadline_text, deadline, deadline_earliest, deadline_granularity,"
        " deadline_timex, deadline_assumed, status, logged_by, logged_at, version)"
        " SELECT speaker_id, 'A claim nobody logged', 'x', said, deadline_text, deadline, deadline_earliest, deadline_granularity,"
        " deadline_timex, deadline_assumed, status, logged_by, logged_at, version FROM claims WHERE id = :id",
        id=world.waic,
    )
    with ledger.engine.connect() as conn:
        forged = conn.execute(text("SELECT max(id) FROM claims")).scalar()
    assert_tampered(cli, f"claim #{forged} is not in the journal", "inserted")


def test_a_resolution_inserted_directly_is_named(cli, ledger, world):
    tamper(
        ledger,
        "INSERT INTO resolutions (claim_id, outcome, reviewer, evidence, claim_version, round, recorded_at)"
        " VALUES (:id, 'true', 'Mallory', '[]', 1, 1, '2024-01-01 00:00:00')",
        id=world.fresh,
    )
    assert_tampered(cli, f"resolution #{world.amended + 1} is not in the journal")


def test_a_reviewer_inserted_directly_is_named(cli, ledger, world):
    tamper(ledger, "INSERT INTO reviewers (name, name_key, created_at) VALUES ('Mallory', 'mallory', '2024-01-01 00:00:00')")
    assert_tampered(cli, "reviewer #1 is not in the journal")


def test_an_edited_journal_entry_is_named(cli, ledger, world):
    tamper(ledger, "UPDATE journal SET actor = 'someone else' WHERE seq = 3")
    result = assert_tampered(cli, "journal entry #3 was altered")
    assert "rows match" not in result.out


def test_an_edited_journal_payload_is_named_before_the_row_it_no_longer_matches(cli, ledger, world):
    tamper(ledger, "UPDATE journal SET payload = replace(payload, 'Elon Musk', 'Elon Mask') WHERE seq = 1")
    result = cli("verify", "--json")
    assert result.status == ExitStatus.TAMPERED
    messages = [p["message"] for p in result.json["problems"]]
    assert messages[0] == "journal entry #1 was altered: its content no longer matches its hash"
    assert any(m.startswith("speaker #1 differs from journal entry #1") for m in messages)
    assert result.json["intact"] is False and result.json["problem_count"] == len(messages)


@pytest.mark.parametrize("entity_id", [2**31 - 1, -7, 0])
def test_a_journal_entry_moved_to_an_absurd_row_id_is_named(cli, ledger, world, entity_id):
    """verify keeps a digest per row at the row's id: an id no row could have, written into the
    journal by hand, is named like any other change and costs no more memory than one row."""
    tamper(ledger, "UPDATE journal SET entity_id = :id WHERE seq = 1", id=entity_id)
    result = cli("verify", "--json")
    assert result.status == ExitStatus.TAMPERED
    messages = [p["message"] for p in result.json["problems"]]
    assert messages[0].startswith("journal entry #1 was altered")
    assert any(m.startswith("speaker #1 is not in the journal") for m in messages), messages


def test_a_deleted_journal_entry_is_named(cli, ledger, world):
    tamper(ledger, "DELETE FROM journal WHERE seq = 5")
    assert_tampered(cli, "journal entry #5 is missing")


def test_a_cut_tail_is_caught_by_the_rows_and_named_by_the_published_head(cli, ledger, world):
    # The last two entries journaled the amendment and the claim's new verdict.
    tamper(ledger, "DELETE FROM journal WHERE seq > :keep", keep=world.entries - 2)
    # Without a head the rows still give it away: the claim's verdict and the amendment are unjournaled.
    result = cli("verify", "--json")
    assert [p["message"].split(":")[0] for p in result.json["problems"]] == [
        f"claim #{world.target} differs from journal entry #{world.entries - 2}", f"resolution #{world.amended} is not in the journal",
    ]
    assert_tampered(cli, f"the journal ends at entry #{world.entries - 2} but the published head is entry #{world.entries}",
                    "cut off", head=world.head)
    assert_tampered(cli, "is not in the journal: it was cut off or rewritten", head=world.head.split(":")[1])


def test_a_consistently_rewritten_journal_needs_the_published_head(cli, ledger, world):
    """Someone who edits a row, rewrites its journal entry and recomputes the hash goes unnoticed by
    the chain alone; the head published before still catches it."""
    from ledger.store.models import JournalEntry

    with ledger.read() as s:
        last = s.get(JournalEntry, world.entries)
        assert (last.entity, last.entity_id) == ("claim", world.target)
        forged = json.loads(last.payload)
        forged["outcome"] = "false"
        forged = json.dumps(forged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = entry_hash(prev_hash=last.prev_hash, seq=last.seq, at=last.at.isoformat(), actor=last.actor,
                            action=last.action, entity=last.entity, entity_id=last.entity_id, payload=forged)
    tamper(ledger, "UPDATE journal SET payload = :p, hash = :h WHERE seq = :s", p=forged, h=digest, s=world.entries)
    tamper(ledger, "UPDATE claims SET outcome = 'false' WHERE id = :id", id=world.target)
    assert cli("verify").status == 0
    assert_tampered(cli, f"journal entry #{world.entries} is not the published head", head=world.head)


# Keys and digests derived from a row's own fields: the journal need not hold them to catch a change.
DERIVED = {
    # A speaker's lookup key pointed at another name would file new claims under the wrong speaker.
    "speaker name_key": ("UPDATE speakers SET name_key = 'bill gates' WHERE id = 1", ["speaker #1", "name_key is \"bill gates\""]),
    "alias alias_key": ("UPDATE speaker_aliases SET alias_key = 'gates' WHERE alias = 'Musk'", ["speaker #1", "alias_key of alias 'Musk'"]),
    "reviewer name_key": ("UPDATE reviewers SET name_key = 'mallory' WHERE id = 1", ["reviewer #1", "name_key"]),
    "claim text_sha256": ("UPDATE claims SET text_sha256 = 'x' WHERE id = :fresh", ["claim #{fresh}", "text_sha256"]),
    "source stored text": ("UPDATE sources SET text = 'Nothing was said.' WHERE text IS NOT NULL", ["source #", "text_sha256", "where its text gives"]),
}


@pytest.mark.parametrize("case", list(DERIVED))
def test_a_derived_key_changed_behind_the_tools_back_is_named(cli, ledger, world, case):
    assert cli("reviewer", "add", "Ada Reviewer", "--email", "ada@example.org").status == 0
    sql, mentions = DERIVED[case]
    ids = vars(world)
    tamper(ledger, sql, **{k: v for k, v in ids.items() if f":{k}" in sql})
    assert_tampered(cli, *(m.format(**ids) for m in mentions))


def test_a_redirected_name_key_is_caught_before_it_misfiles_claims(cli, ledger, world):
    """The attack as reported: point Musk's key at another name, then log that name's claims."""
    tamper(ledger, "UPDATE speakers SET name_key = 'bill gates' WHERE id = 1")
    result = assert_tampered(cli, "speaker #1", "name_key")
    assert "bill gates" in result.err


TIMESTAMPS = {
    "speaker created_at": "UPDATE speakers SET created_at = '2001-01-01 00:00:00' WHERE id = 1",
    "source created_at": "UPDATE sources SET created_at = '2001-01-01 00:00:00' WHERE id = 1",
    "reviewer created_at": "UPDATE reviewers SET created_at = '2001-01-01 00:00:00' WHERE id = 1",
    "assignment assigned_at": "UPDATE claim_reviewers SET assigned_at = '2001-01-01 00:00:00'",
}


@pytest.mark.parametrize("case", list(TIMESTAMPS))
def test_a_timestamp_changed_behind_the_tools_back_is_named(cli, ledger, world, case):
    assert cli("reviewer", "add", "Ada Reviewer", "--email", "ada@example.org").status == 0
    assert cli("assign", world.fresh, "Ada Reviewer").status == 0
    assert cli("verify").status == 0
    tamper(ledger, TIMESTAMPS[case])
    entity, column = case.split()
    assert_tampered(cli, f"{entity} #", column)


def _append_forged(ledger, *, entity: str, entity_id: int, payload: str | None, actor: str = "mallory", action: str = "resolution.recorded"):
    """Append an entry with a valid chain, as anyone who knows the (public) hash rule can."""
    from datetime import datetime, timezone

    with ledger.engine.connect() as conn:
        seq, prev = conn.execute(text("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")).one()
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    digest = entry_hash(prev_hash=prev, seq=seq + 1, at=at.isoformat(), actor=actor, action=action,
                        entity=entity, entity_id=entity_id, payload=payload)
    tamper(ledger, "INSERT INTO journal (seq, at, actor, action, entity, entity_id, payload, prev_hash, hash)"
           " VALUES (:seq, :at, :actor, :action, :entity, :id, :payload, :prev, :hash)",
           seq=seq + 1, at=at.replace(tzinfo=None), actor=actor, action=action, entity=entity, id=entity_id,
           payload=payload, prev=prev, hash=digest)
    return seq + 1


@pytest.mark.parametrize("payload", ["null", "{not json", "[1, 2]", "{\"id\": 999}"])
def test_a_journal_entry_that_does_not_decode_is_tampering(cli, ledger, world, payload):
    seq = _append_forged(ledger, entity="claim", entity_id=world.fresh, payload=payload)
    result = assert_tampered(cli, f"journal entry #{seq}")
    assert "internal error" not in result.err


def test_a_null_payload_written_over_an_entry_is_tampering(cli, ledger, world):
    tamper(ledger, "UPDATE journal SET payload = 'null' WHERE seq = 2")
    assert_tampered(cli, "journal entry #2")


def test_entries_appended_after_a_published_head_are_listed(cli, ledger, world):
    """A forged verdict appended with a valid chain and matching rows passes the chain: what a
    chain cannot prove. Against the head published before, verify lists it: who, when, what."""
    from ledger.store.models import JournalEntry

    with ledger.read() as s:
        claim = json.loads(s.query(JournalEntry).filter_by(entity="claim", entity_id=world.fresh)
                           .order_by(JournalEntry.seq.desc()).first().payload)
    claim.update(outcome="true", status="resolved")
    forged = json.dumps(claim, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    seq = _append_forged(ledger, entity="claim", entity_id=world.fresh, payload=forged, action="claim.resolved")
    tamper(ledger, "UPDATE claims SET outcome = 'true', status = 'resolved' WHERE id = :id", id=world.fresh)

    assert cli("verify").status == 0  # the chain and the rows agree: nothing to see without a head
    result = cli("verify", "--head", world.head)
    assert result.status == 0, result.err
    assert "Appended since the published head: 1 entry" in result.out
    line = next(line for line in result.out.splitlines() if line.startswith(f"#{seq}"))
    assert "mallory" in line and "claim.resolved" in line and f"claim #{world.fresh}" in line and "2025-01-01" in line
    report = cli("verify", "--head", world.head, "--json").json
    assert report["appended_count"] == 1
    assert report["appended"] == [{"seq": seq, "at": "2025-01-01T00:00:00+00:00", "actor": "mallory",
                                   "action": "claim.resolved", "entity": "claim", "id": world.fresh}]


def test_a_current_head_lists_nothing_appended(cli, world):
    result = cli("verify", "--head", world.head)
    assert result.status == 0 and "Nothing was appended since the published head." in result.out
    assert cli("verify", "--head", world.head, "--json").json["appended_count"] == 0
    assert cli("verify", "--json").json["appended"] is None  # no head given: nothing to compare with


def test_a_ledger_journaled_before_timestamps_were_recorded_still_verifies(cli, ledger, db_url, world):
    """Entries written before a snapshot gained a field lack it; verify compares those rows without it."""
    from old_journal import rewrite_snapshots

    def older(payload: dict) -> None:  # speaker snapshots without created_at (nor the slug, added later still)
        payload.pop("created_at")
        payload.pop("slug")

    rewrite_snapshots(db_url, older, entity="speaker")
    assert cli("verify").status == 0
    tamper(ledger, "UPDATE speakers SET name = 'Elon M.' WHERE id = 1")  # other fields are still checked
    assert_tampered(cli, "speaker #1 differs", "name")


# What each kind of tampering does to the report; checked again with the chain and the search
# documents in a second process, as verify does on a large journal.
TAMPERINGS = {
    "intact": [],
    "journal entry edited": ["UPDATE journal SET actor = 'someone else' WHERE seq = 3"],
    "journal entry deleted": ["DELETE FROM journal WHERE seq = 5"],
    "journal payload": ["UPDATE journal SET payload = 'null' WHERE seq = 2"],
    "claim and search document": ["UPDATE claims SET text = 'Tesla achieves nothing' WHERE id = :waic",
                                  "UPDATE search_documents SET document = 'nothing' WHERE claim_id = :fresh"],
}


@pytest.mark.parametrize("case", list(TAMPERINGS))
def test_two_processes_report_what_one_does(cli, ledger, world, monkeypatch, case):
    from ledger.services import integrity

    tamper(ledger, *TAMPERINGS[case], **({"waic": world.waic, "fresh": world.fresh} if "claim" in case else {}))
    started, second_process = [], integrity._second_process
    monkeypatch.setattr(integrity, "_second_process", lambda *args: started.append(second_process(*args)) or started[-1])
    for head in (None, world.head):
        monkeypatch.setattr(integrity, "PARALLEL_FROM", 10**9)
        one = integrity.verify(ledger, head)
        assert one["intact"] is (case == "intact") and (case == "intact" or one["problems"])
        monkeypatch.setattr(integrity, "PARALLEL_FROM", 0)
        assert integrity.verify(ledger, head) == one and started[-1] is not None
        # A second process that cannot check (a lost connection, say) leaves it all to the first.
        with monkeypatch.context() as failing:
            failing.setattr(integrity, "_other_checks", lambda url, head, upto, send: send.send(None))
            assert integrity.verify(ledger, head) == one


@pytest.mark.parametrize("actor", ["benchmark", 'Zoë "Z" \\ O\'Brien\n\t\x01', "\u2028 \U0001F600 مرحبا"])
def test_an_entry_hash_is_the_sha256_of_its_fields_as_sorted_compact_json(actor):
    # Spelt here by hand from the documented rule, not by the code under test.
    fields = {"prev_hash": "ab" * 32, "seq": 7, "at": "2026-12-01T21:00:00.123456+00:00", "actor": actor,
              "action": "claim.added", "entity": "claim", "entity_id": 2**31 - 1, "payload": '{"text":"ünï \\"q\\""}'}
    expected = hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                              .encode("utf-8")).hexdigest()
    assert entry_hash(**fields) == expected
