"""Merging and renaming speakers, correcting sources, removing reviewers: each one journaled
transaction after which `claims verify` passes, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from ledger.store.engine import open_ledger


def _two_musks(cli):
    assert cli("speaker", "add", "Elon Musk", "--alias", "Elon").status == 0
    assert cli("speaker", "add", "Musk", "--alias", "E. Musk", "--new-speaker").status == 0
    first = cli("add", "Robotaxis in Austin", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "2025-06-30", "--json").json
    twin = cli("add", "Robotaxis in Austin!", "--speaker", "Musk", "--said", "2023-01-01", "--deadline", "2025-06-30", "--json").json
    later = cli("add", "Robotaxis in Austin", "--speaker", "Musk", "--said", "2024-01-01", "--deadline", "2025-12-31",
                "--json").json
    return first["id"], twin["id"], later["id"]


def test_merge_moves_claims_and_aliases_keeps_the_name_and_verifies(cli):
    first, twin, later = _two_musks(cli)
    merged = cli("speaker", "merge", "Musk", "Elon Musk", "--json")
    assert merged.status == 0, merged.err
    view = merged.json
    assert view["speaker"]["name"] == "Elon Musk" and view["speaker"]["aliases"] == ["E. Musk", "Elon", "Musk"]
    assert view["moved"] == [twin, later]
    assert view["duplicates"] == [[first, twin]]  # the same words on the same day, bar the "!"
    assert {c["speaker"] for c in cli("list", "--json").json} == {"Elon Musk"}
    assert [s["name"] for s in cli("speaker", "list", "--json").json] == ["Elon Musk"]
    # One speaker now: the later claim may restate the first (across two speakers it could not).
    assert cli("link", later, "--restates", first, "--reason", "the same promise").status == 0
    assert cli("show", later, "--json").json["restates"] == first
    assert cli("list", "--speaker", "Musk", "--json").json == cli("list", "--json").json  # the old name finds them
    moved = cli("history", twin, "--json").json["events"][-1]
    assert moved["action"] == "claim.moved" and set(moved["changes"]) == {"speaker_id"}
    assert cli("verify").status == 0
    told = cli("speaker", "merge", "E. Musk", "Elon")
    assert told.status == 2 and "one speaker already" in told.err and told.err.count("\n") == 1


def test_merging_into_itself_or_an_unknown_speaker_is_one_line(cli):
    _two_musks(cli)
    for args, status, words in [
        (("Musk", "Musk"), 2, "one speaker already"),
        (("Musk", "Nobody"), 3, "unknown speaker 'Nobody'"),
        (("Nobody", "Musk"), 3, "unknown speaker 'Nobody'"),
    ]:
        result = cli("speaker", "merge", *args)
        assert result.status == status and words in result.err and result.err.count("\n") == 1, result.err
    assert len(cli("speaker", "list", "--json").json) == 2


def test_the_same_claim_under_both_names_becomes_two_copies_named_until_one_is_withdrawn(cli, tmp_path):
    first, twin, later = _two_musks(cli)
    assert cli("edit", twin, "--text", "Robotaxis in Austin", "--reason", "same words").status == 0
    merged = cli("speaker", "merge", "Musk", "Elon Musk")
    assert merged.status == 0, merged.err
    assert f"claims #{first} and #{twin} look like duplicates" in merged.err
    assert len(cli("speaker", "list", "--json").json) == 1
    assert cli("verify").status == 0
    # A third copy is still refused, by add and by edit, whatever the merge let in.
    again = cli("add", "Robotaxis in Austin", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "2025-06-30")
    assert again.status == 4 and f"claim #{first} already records this" in again.err
    moved = cli("edit", later, "--said", "2023-01-01", "--reason", "the earlier date")
    assert moved.status == 4 and f"claim #{first} already records this" in moved.err
    rows = tmp_path / "again.csv"
    rows.write_text("speaker,text,said,deadline\nElon Musk,Robotaxis in Austin,2023-01-01,2025-06-30\n", encoding="utf-8")
    imported = cli("import", rows, "--json")
    assert imported.status == 0, imported.err
    assert (imported.json["claims_present"], imported.json["claims_added"]) == (1, 0)
    assert cli("withdraw", twin, "--reason", "logged twice").status == 0
    assert [c["id"] for c in cli("list", "--speaker", "Elon Musk", "--json").json].count(first) == 1
    assert twin not in [c["id"] for c in cli("list", "--json").json]
    assert cli("verify").status == 0


def test_a_merged_speaker_put_back_by_sql_is_named_by_verify(cli, db_url):
    _two_musks(cli)
    ids = {s["name"]: s["id"] for s in cli("speaker", "list", "--json").json}
    assert cli("speaker", "merge", "Musk", "Elon Musk").status == 0
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        s.execute(text("INSERT INTO speakers (id, name, name_key, slug, created_at) VALUES (:id, 'Musk 2', 'musk 2', 'musk-2', '2024-01-01 00:00:00')"),
                  {"id": ids["Musk"]})
    ledger.dispose()
    result = cli("verify")
    assert result.status == 5 and f"speaker #{ids['Musk']} is not in the journal" in result.err


def test_rename(cli):
    _two_musks(cli)
    renamed = cli("speaker", "rename", "Elon Musk", "Elon R. Musk", "--json")
    assert renamed.status == 0 and renamed.json["name"] == "Elon R. Musk"
    assert cli("speaker", "rename", "Elon R. Musk", "Elon", "--json").json == {**renamed.json, "name": "Elon", "aliases": []}
    taken = cli("speaker", "rename", "Elon", "Musk")
    assert taken.status == 4 and "speaker merge" in taken.err
    assert cli("verify").status == 0


def test_sources_are_listed_shown_and_edited(cli):
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("source", "add", "https://example.org/waic", "--title", "WAIC", "--published", "2023-07-06").status == 0
    claim = cli("add", "FSD", "--speaker", "Elon Musk", "--source", "https://example.org/waic", "--deadline", "2023-12-31", "--json").json
    assert cli("source", "list", "--json").json[0] | {"claims": 1} == cli("source", "list", "--json").json[0]
    shown = cli("source", "show", "https://example.org/waic", "--json").json
    assert shown["claims"] == [claim["id"]] and shown["title"] == "WAIC"
    edited = cli("source", "edit", "1", "--title", "WAIC 2023 opening", "--publisher", "Example News", "--json")
    assert edited.status == 0, edited.err
    assert (edited.json["title"], edited.json["publisher"]) == ("WAIC 2023 opening", "Example News")
    assert cli("source", "edit", "1", "--url", "not a url").status == 2
    assert cli("source", "edit", "1", "--published", "2999-01-01").status == 2
    assert cli("source", "show", "99").status == 3
    assert cli("show", claim["id"], "--json").json["said"] == "2023-07-06"
    assert cli("verify").status == 0


def test_removing_a_reviewer_takes_their_assignments_and_keeps_their_verdicts(cli):
    assert cli("speaker", "add", "Elon Musk").status == 0
    claim = cli("add", "FSD", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "2023-12-31", "--json").json["id"]
    other = cli("add", "Mars", "--speaker", "Elon Musk", "--said", "2023-01-01", "--deadline", "2023-12-31", "--json").json["id"]
    assert cli("reviewer", "add", "Ada Reviewer").status == 0
    assert cli("assign", other, "Ada Reviewer").status == 0
    assert cli("resolve", claim, "--outcome", "false", "--reviewer", "Ada Reviewer").status == 0
    assert cli("reviewer", "remove", "ada reviewer").status == 0
    assert cli("reviewer", "list", "--json").json == []
    assert cli("show", claim, "--json").json["reviewers"] == ["Ada Reviewer"]
    assert cli("reviewer", "remove", "Ada Reviewer").status == 3
    assert cli("verify").status == 0
