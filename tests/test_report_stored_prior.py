"""The prior a report fits across every speaker is stored (issue #16), so a report on one speaker
reads that speaker's claims; these tests hold it to the rule that the stored prior is never
trusted blindly: any change to the ledger makes the next report fit it again, and `claims verify`
names one changed behind the tool's back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import ledger_state
from ledger.errors import ExitStatus
from ledger.store.engine import open_ledger
from recording import reviewed_long_ago  # noqa: F401  (a fixture)

AS_OF = "2030-01-01"
# (speaker, hits, misses): records that differ more than chance allows, so the prior is a fit (mle).
RECORDS = [("Ada", 8, 2), ("Bob", 2, 8), ("Cy", 5, 5), ("Di", 9, 1), ("Ed", 1, 9)]


@pytest.fixture(autouse=True)
def _reviewed_long_ago(reviewed_long_ago):
    """Verdicts recorded on 2000-01-01, so the reports as of 2030 see every one."""


@ledger_state
def five(cli):
    path = Path(tempfile.mkdtemp(prefix="prior-")) / "claims.csv"
    lines = ["speaker,text,said,deadline,outcome,reviewer"]
    for name, hits, misses in RECORDS:
        lines += [f"{name},{name} forecast {i},2020-01-01,2020-12-31,{'true' if i < hits else 'false'},Rita" for i in range(hits + misses)]
    lines += ["Ada,Ada says more,2020-01-01,2020-12-31,,"]  # one still unresolved, to resolve below
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", path).status == 0
    path.unlink()


def prior(cli, *args) -> dict:
    result = cli("report", "--format", "json", "--as-of", AS_OF, *args)
    assert result.status == 0, result.err
    return result.json["prior"]


def tamper(cli, sql: str) -> None:
    ledger = open_ledger(cli.url)
    try:
        with ledger.engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        ledger.dispose()


def test_one_speakers_report_states_the_prior_fitted_across_everyone(five):
    cli = five
    everyone = prior(cli)
    assert everyone["method"] == "mle" and everyone["speakers"] == 5
    assert prior(cli, "--speaker", "Bob") == everyone  # read from the store
    assert prior(cli, "--speaker", "Bob", "--speaker", "Ada") == everyone


def test_any_change_to_the_ledger_makes_the_next_report_fit_the_prior_again(five):
    cli = five
    before = prior(cli, "--speaker", "Bob")
    unresolved = next(c["id"] for c in cli("list", "--speaker", "Ada", "--json").json if c["status"] != "resolved")
    assert cli("resolve", unresolved, "--outcome", "true", "--reviewer", "Rita").status == 0
    after = prior(cli, "--speaker", "Bob")
    assert after != before and after["alpha"] != before["alpha"]
    assert after == prior(cli)  # the same as fitted from scratch across everyone
    # Another scope is another prior: a policy, a date, a tag each have their own.
    assert prior(cli, "--speaker", "Bob", "--as-of", "2020-06-01")["method"] == "none"  # nothing scored yet


def test_verify_names_a_stored_prior_changed_behind_the_tools_back(five):
    cli = five
    honest = prior(cli, "--speaker", "Bob")
    assert cli("verify").status == 0
    tamper(cli, "UPDATE report_priors SET alpha = alpha * 2")
    result = cli("verify")
    assert result.status == ExitStatus.TAMPERED, result.err
    assert "report prior" in result.err and "changed behind the tool's back" in result.err, result.err
    tamper(cli, "DELETE FROM report_priors")  # gone: the next report fits it again, as it was
    assert prior(cli, "--speaker", "Bob") == honest
    assert cli("verify").status == 0


def test_a_prior_stored_at_an_older_head_is_never_read(five):
    cli = five
    prior(cli, "--speaker", "Bob")
    tamper(cli, "UPDATE report_priors SET alpha = 1, beta = 1")  # wrong, and then the head moves on
    assert cli("speaker", "add", "Flo").status == 0
    assert prior(cli, "--speaker", "Bob")["alpha"] != 1
    assert cli("verify").status == 0
