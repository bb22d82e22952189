"""A claim may name the event it forecasts: `claims add --event`, the import column `event`, and
`claims verify` sees an event changed behind the tool's back, on new claims and on claims
journaled before events existed."""

from __future__ import annotations

from sqlalchemy import text

from ledger.errors import ExitStatus
from ledger.store.snapshots import ADDED_LATER
from old_journal import rewrite_snapshots

GEORGIA = "2022 Georgia governor"


def add(cli, words: str, *extra: str):
    return cli("add", words, "--speaker", "FiveThirtyEight", "--new-speaker", "--said", "2022-09-18",
               "--deadline", "2022-11-08", *extra, "--json")


def test_a_claim_names_its_event(cli):
    added = add(cli, "Kemp wins", "--event", f"  {GEORGIA} ", "--probability", "80%")
    assert added.status == 0, added.err
    assert added.json["event"] == GEORGIA  # spaces trimmed, as for every one-line value
    shown = cli("show", added.json["id"])
    assert "Event" in shown.out and GEORGIA in shown.out
    assert cli("list", "--json").json[0]["event"] == GEORGIA
    plain = add(cli, "Abrams wins", "--event", "   ")
    assert plain.status == 0 and plain.json["event"] is None  # blank: no event


def test_an_event_too_long_is_refused_and_nothing_is_written(cli):
    result = add(cli, "Kemp wins", "--event", "x" * 201)
    assert result.status == ExitStatus.USAGE
    assert result.err.count("\n") == 1 and "event is longer than 200 characters" in result.err
    assert cli("list", "--json").json == []


def test_an_import_row_with_an_event_too_long_is_a_bad_row(cli, tmp_path):
    file = tmp_path / "c.csv"
    file.write_text(f"speaker,text,said,deadline,event\nA,Kemp wins,2022-09-18,2022-11-08,{'x' * 201}\n"
                    f"A,Abrams wins,2022-09-18,2022-11-08,{GEORGIA}\n", encoding="utf-8")
    result = cli("import", file)
    assert result.status == ExitStatus.USAGE
    assert f"{file}:2: event: event is longer than 200 characters" in result.err
    assert cli("list", "--json").json == []


def tamper(db_url, sql: str, **params) -> None:
    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    with ledger.engine.begin() as conn:
        conn.execute(text(sql), params)
    ledger.dispose()


def test_an_event_changed_behind_the_tools_back_is_named(cli, db_url):
    claim = add(cli, "Kemp wins", "--event", GEORGIA).json["id"]
    assert cli("verify").status == 0
    tamper(db_url, "UPDATE claims SET event = 'Something else' WHERE id = :id", id=claim)
    result = cli("verify")
    assert result.status == ExitStatus.TAMPERED
    assert f"claim #{claim} differs" in result.err and 'event is "Something else"' in result.err


def _journal_as_before_events(db_url) -> None:
    """Rewrite the whole chain as a release before events wrote it: claim snapshots without the
    field, and without every field added since."""

    def older(payload: dict) -> None:
        assert all(payload.pop(field) is None for field in ADDED_LATER["claim"])

    rewrite_snapshots(db_url, older)


def test_a_claim_journaled_before_events_verifies_until_an_event_is_written_behind_its_back(cli, db_url):
    claim = add(cli, "Kemp wins").json["id"]
    _journal_as_before_events(db_url)
    assert cli("verify").status == 0  # no event then, none now: intact
    tamper(db_url, "UPDATE claims SET event = :e WHERE id = :id", e=GEORGIA, id=claim)
    result = cli("verify")
    assert result.status == ExitStatus.TAMPERED, result.err
    assert f"claim #{claim} differs" in result.err and f'event is "{GEORGIA}", the journal says null' in result.err


def test_an_edit_names_or_clears_the_event_and_verify_holds(cli):
    claim = add(cli, "Kemp wins").json["id"]
    named = cli("edit", claim, "--event", GEORGIA, "--reason", "one of the race's forecasts", "--json")
    assert named.status == 0, named.err
    assert named.json["event"] == GEORGIA and cli("show", claim, "--json").json["event"] == GEORGIA
    assert cli("verify").status == 0
    refused = cli("edit", claim, "--event", "x" * 201, "--reason", "too long")
    assert refused.status == ExitStatus.USAGE and "event is longer than 200 characters" in refused.err
    cleared = cli("edit", claim, "--event", "", "--reason", "not a race after all", "--json")
    assert cleared.status == 0 and cleared.json["event"] is None
    assert cli("verify").status == 0
