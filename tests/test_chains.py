"""Restatement chains: `claims chain`, `claims link`/`unlink`, their rules, and the report's
restatement figures, on SQLite and PostgreSQL. Day counts are worked out by hand in comments."""

from __future__ import annotations

import pytest

from recording import reviewed_long_ago  # noqa: F401  (a fixture)


def _add(cli, text, said, deadline, *extra, speaker="Elon Musk"):
    result = cli("add", text, "--speaker", speaker, "--said", said, "--deadline", deadline, *extra, "--json")
    assert result.status == 0, result.err
    return result.json["id"]


@pytest.fixture
def fsd(cli, reviewed_long_ago):
    """Full self-driving promised three times, delivered late; a Mars claim on its own; another speaker."""
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("speaker", "add", "Ada Other").status == 0
    a = _add(cli, "Coast to coast with no hands", "2016-10-19", "2017-12-31")
    b = _add(cli, "Full self-driving next year", "2019-04-22", "2020-12-31", "--restates", a)
    c = _add(cli, "Level 5 this year", "2020-07-09", "2021-12-31")
    mars = _add(cli, "Mars in 2024", "2017-09-29", "2024-12-31")
    other = _add(cli, "Something", "2018-01-01", "2019-01-01", speaker="Ada Other")
    assert cli("link", c, "--restates", b, "--reason", "the same promise, moved again").status == 0
    assert cli("resolve", c, "--outcome", "true", "--occurred", "2022-06-01", "--reviewer", "Rita").status == 0
    return {"a": a, "b": b, "c": c, "mars": mars, "other": other}


def journal_size(cli) -> int:
    return cli("verify", "--json").json["head"]["seq"]


def test_the_chain_runs_from_the_first_claim_to_the_latest(cli, fsd):
    for member in ("a", "b", "c"):
        view = cli("chain", fsd[member], "--json").json
        assert [c["id"] for c in view["claims"]] == [fsd["a"], fsd["b"], fsd["c"]]
    assert (view["first"], view["latest"]) == (fsd["a"], fsd["c"])
    assert [c["said"] for c in view["claims"]] == ["2016-10-19", "2019-04-22", "2020-07-09"]
    assert [c["deadline"] for c in view["claims"]] == ["2017-12-31", "2020-12-31", "2021-12-31"]
    # 2017-12-31 -> 2020-12-31: 365 + 365 + 366; -> 2021-12-31: one more year of 365.
    assert [c["moved_days"] for c in view["claims"]] == [None, 1096, 365]
    assert view["restatements"] == 2 and view["moved_later"] == 2
    assert view["slip_days"] == 1461
    # Delivered 2022-06-01: 1461 days to 2021-12-31, then 31 + 28 + 31 + 30 + 31 + 1 = 152.
    assert view["delivered"] == "2022-06-01" and view["slip_to_delivery_days"] == 1613


def test_the_chain_in_words(cli, fsd):
    result = cli("chain", fsd["b"])
    assert result.status == 0, result.err
    assert "Said 3 times; the deadline moved later 2 times: 4.0 years from the first deadline to the latest." in result.out
    assert "Delivered 2022-06-01: 4.4 years after the first deadline." in result.out
    alone = cli("chain", fsd["mars"])
    assert "Said 1 time;" in alone.out and "Not delivered" in alone.out


def test_link_and_unlink_are_journaled_with_their_reason(cli, fsd):
    before = journal_size(cli)
    unlinked = cli("unlink", fsd["c"], "--reason", "a different product", "--json")
    assert unlinked.status == 0, unlinked.err
    assert unlinked.json == {"claim": fsd["c"], "restates": None, "previous": fsd["b"], "reason": "a different product"}
    assert cli("show", fsd["c"], "--json").json["restates"] is None
    assert [c["id"] for c in cli("chain", fsd["c"], "--json").json["claims"]] == [fsd["c"]]
    assert journal_size(cli) == before + 2  # the claim and the change with its reason
    events = cli("history", fsd["c"], "--json").json["events"]
    assert events[-1]["action"] == "claim.unlinked" and events[-1]["changes"]["restates_id"] == {"from": fsd["b"], "to": None}
    relinked = cli("link", fsd["c"], "--restates", fsd["a"], "--reason", "it was the first promise")
    assert relinked.status == 0 and f"Claim #{fsd['c']} now restates #{fsd['a']}." in relinked.out
    verified = cli("verify")
    assert verified.status == 0, verified.err


@pytest.mark.parametrize("door", ["link", "edit"])
@pytest.mark.parametrize("case", ["other speaker", "later claim", "cycle", "itself", "blank reason", "same link", "unknown"])
def test_a_link_that_breaks_a_rule_is_a_one_line_error_and_writes_nothing(cli, fsd, case, door):
    """The same rules whether the link is made after the fact or by editing the claim."""
    args = {
        "other speaker": (fsd["c"], "--restates", fsd["other"], "--reason", "x"),
        "later claim": (fsd["a"], "--restates", fsd["mars"], "--reason", "x"),
        "cycle": (fsd["a"], "--restates", fsd["c"], "--reason", "x"),
        "itself": (fsd["a"], "--restates", fsd["a"], "--reason", "x"),
        "blank reason": (fsd["mars"], "--restates", fsd["a"], "--reason", "  "),
        "same link": (fsd["c"], "--restates", fsd["b"], "--reason", "x"),
        "unknown": (fsd["c"], "--restates", 999, "--reason", "x"),
    }[case]
    before = journal_size(cli)
    result = cli(door, *args)
    assert result.status == (3 if case == "unknown" else 2)
    assert result.err.startswith("claims: error: ") and result.err.count("\n") == 1
    expected = {"other speaker": "different speakers", "later claim": "later than", "cycle": "cycle",
                "itself": "itself", "blank reason": "needs a reason", "same link": "already restates", "unknown": "no claim #999"}
    if door == "edit":
        expected |= {"blank reason": "needs --reason", "same link": "nothing to change"}
    assert expected[case] in result.err
    assert journal_size(cli) == before


def test_an_edit_that_links_keeps_the_link_with_its_reason(cli, fsd):
    before = journal_size(cli)
    edited = cli("edit", fsd["c"], "--restates", fsd["a"], "--reason", "it was the first promise")
    assert edited.status == 0, edited.err
    assert journal_size(cli) == before + 3  # the claim, the edit, and the link's change
    assert [c["id"] for c in cli("chain", fsd["c"], "--json").json["claims"]] == [fsd["a"], fsd["b"], fsd["c"]]
    assert cli("show", fsd["c"], "--json").json["restates"] == fsd["a"]
    assert cli("verify").status == 0


def test_an_edited_date_said_keeps_each_claim_before_the_claims_restating_it(cli, fsd):
    before = journal_size(cli)
    # b (said 2019-04-22) restates a and is restated by c (said 2020-07-09).
    after_c = cli("edit", fsd["b"], "--said", "2020-08-01", "--reason", "the interview was later")
    assert after_c.status == 2 and f"claim #{fsd['c']} (said 2020-07-09) restates claim #{fsd['b']}" in after_c.err
    before_a = cli("edit", fsd["b"], "--said", "2016-01-01", "--reason", "the interview was earlier")
    assert before_a.status == 2 and "later than" in before_a.err
    assert journal_size(cli) == before
    assert cli("edit", fsd["b"], "--said", "2019-05-01", "--reason", "the right day").status == 0


def test_unlink_of_a_claim_with_no_link_is_an_error(cli, fsd):
    result = cli("unlink", fsd["mars"], "--reason", "x")
    assert result.status == 2 and "restates no claim" in result.err


def test_add_restating_another_speakers_or_a_later_claim_is_refused(cli, fsd):
    result = cli("add", "Again", "--speaker", "Ada Other", "--said", "2023-01-01", "--deadline", "2024", "--restates", fsd["a"])
    assert result.status == 2 and "another speaker's" in result.err
    result = cli("add", "Earlier", "--speaker", "Elon Musk", "--said", "2015-01-01", "--deadline", "2016", "--restates", fsd["a"])
    assert result.status == 2 and "after this one" in result.err


def test_the_report_counts_chains_restatements_and_slip(cli, fsd):
    # A second chain: Mars restated once, the deadline moved from 2024-12-31 to 2026-12-31 (365 + 365).
    again = _add(cli, "Mars in 2026", "2022-03-01", "2026-12-31", "--restates", fsd["mars"])
    data = cli("report", "--speaker", "Elon Musk", "--as-of", "2030-01-01", "--json").json
    (s,) = data["speakers"]
    r = s["restatements"]
    assert (r["chains"], r["restatements"], r["moved_later"]) == (2, 3, 3)
    assert r["total_slip_days"] == 1461 + 730 and r["median_slip_days"] == (1461 + 730) / 2
    assert r["longest"]["first"] == fsd["a"]
    table = " ".join(cli("report", "--speaker", "Elon Musk", "--as-of", "2030-01-01").out.split())  # unwrapped
    assert "Restatements" in table and "2 chains, 3 restatements; the deadline moved later 3 times, 6.0 years in all" in table
    # Filtered like the rest of the report: only claims in scope are chained.
    narrow = cli("report", "--speaker", "Elon Musk", "--as-of", "2030-01-01", "--since", "2017-01-01", "--json").json
    assert narrow["speakers"][0]["restatements"]["chains"] == 2  # b-c, and Mars with its restatement
    assert again


@pytest.mark.parametrize("sql, mentions", [
    ("UPDATE restatement_changes SET reason = 'rewritten'", ("restatement #1 differs", "reason")),
    ("UPDATE speakers SET slug = 'someone-else' WHERE name = 'Elon Musk'", ("speaker #1 differs", "slug")),
    ("DELETE FROM restatement_changes", ("restatement #1 is missing",)),
])
def test_verify_sees_a_link_change_or_a_slug_edited_behind_the_tools_back(cli, ledger, fsd, sql, mentions):
    from sqlalchemy import text

    with ledger.engine.begin() as conn:
        conn.execute(text(sql))
    result = cli("verify")
    assert result.status == 5 and result.err.count("\n") == 1
    for words in mentions:
        assert words in result.err, result.err


# --- import and export ---------------------------------------------------------------------------


def test_restatements_survive_an_export_into_an_empty_ledger_and_back(cli, fsd, tmp_path, request):
    first = tmp_path / "first.csv"
    assert cli("export", "--out", first).status == 0
    header = first.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-2:] == ["restates_said", "restates_text"]
    other = request.getfixturevalue("empty_ledger_cli")
    imported = other("import", first, "--json")
    assert imported.status == 0, imported.err
    assert imported.json["restatements_linked"] == 2
    again = tmp_path / "again.csv"
    assert other("export", "--out", again).status == 0
    assert again.read_bytes() == first.read_bytes()
    assert [c["said"] for c in other("chain", 3, "--json").json["claims"]] == ["2016-10-19", "2019-04-22", "2020-07-09"]
    assert other("verify").status == 0


@pytest.fixture
def empty_ledger_cli(backend, request, capsys):
    """A second, empty ledger on the same backend, to import into."""
    from conftest import _database, _invoker

    urls = _database(backend, request, migrated=True)
    url = next(urls)
    yield _invoker(url, capsys)
    next(urls, None)


HEADER = "speaker,text,said,deadline,restates_said,restates_text\n"


@pytest.mark.parametrize("rows, words", [
    ("Ann,B,2020-01-01,2021-01-01,2019-01-01,Nothing like it\n", "has no claim said 2019-01-01"),
    ("Ann,B,2020-01-01,2021-01-01,2020-01-02,A\nAnn,A,2020-01-02,2021-01-01,,\n", "after this one"),
    ("Ann,B,2020-01-01,2021-01-01,2020-01-01,A\nAnn,A,2020-01-01,2021-01-01,,\n", "comes later in the file"),
    ("Ann,B,2020-01-01,2021-01-01,2019-01-01,\n", "give both or neither"),
    ("Ann,A,2019-01-01,2020-01-01,,\nBob,B,2020-01-01,2021-01-01,2019-01-01,A\n", "Bob has no claim said 2019-01-01"),
])
def test_an_import_naming_a_restated_claim_that_is_not_there_is_refused_whole(cli, tmp_path, rows, words):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    result = cli("import", path)
    assert result.status == 2 and words in result.err, result.err
    assert cli("list", "--json").json == []


def test_an_import_links_to_a_claim_already_in_the_ledger(cli, fsd, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "Elon Musk,Level 5 next year,2021-01-01,2022-12-31,2020-07-09,Level 5 this year\n", encoding="utf-8")
    result = cli("import", path, "--json")
    assert result.status == 0, result.err
    assert result.json["restatements_linked"] == 1
    view = cli("chain", fsd["a"], "--json").json
    assert [c["said"] for c in view["claims"]][-1] == "2021-01-01" and view["restatements"] == 3
