"""The CLI run in-process in a made-up environment: a terminal or a pipe, NO_COLOR, environment
variables and a fixed today, as a user's shell would give them."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from ledger.cli.app import run
from ledger.cli.environment import Environment
from ledger.errors import ExitStatus

ESC = "\x1b["


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a user's shell would."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def claims(db_url, tmp_path):
    """Run `claims --db <ledger> ARGS` in an Environment built from the keywords; returns
    (status, stdout, stderr). Only the variables given exist: nothing comes from the test's own."""

    def invoke(*args, stdout=None, stderr=None, environ=None, today=date(2024, 3, 1), db=db_url):
        env = Environment(
            stdin=io.StringIO(), stdout=stdout or io.StringIO(), stderr=stderr or io.StringIO(),
            environ={"XDG_CONFIG_HOME": str(tmp_path / "no-config"), **(environ or {})}, today=today,
        )
        status = run((["--db", db] if db else []) + [str(a) for a in args], env=env)
        return int(status), env.stdout.getvalue(), env.stderr.getvalue()

    return invoke


@pytest.fixture
def one_claim(claims):
    assert claims("speaker", "add", "Elon Musk")[0] == 0
    status, _, err = claims("add", "Robotaxis in Austin", "--speaker", "Elon Musk", "--said", "2023-01-10", "--deadline", "2023-12-31")
    assert status == 0, err
    return claims


def test_a_terminal_gets_colour(one_claim):
    status, out, _ = one_claim("list", stdout=Terminal())
    assert status == 0
    assert f"{ESC}1mID" in out  # the header row is bold
    assert "Robotaxis in Austin" in out


@pytest.mark.parametrize("where", ["pipe", "NO_COLOR"])
def test_a_pipe_or_no_color_gets_plain_text(one_claim, where):
    stdout, environ = (io.StringIO(), {}) if where == "pipe" else (Terminal(), {"NO_COLOR": "1"})
    status, out, _ = one_claim("list", stdout=stdout, environ=environ)
    assert status == 0
    assert "Robotaxis in Austin" in out and ESC not in out
    assert out.splitlines()[0].split() == ["ID", "SAID", "SPEAKER", "CLAIM", "DEADLINE", "STATUS", "OUTCOME", "TAGS"]


def test_due_counts_from_the_given_today(one_claim):
    for today, overdue in [(date(2024, 3, 1), 61), (date(2025, 1, 1), 367)]:  # 2024 is a leap year
        status, out, err = one_claim("due", "--json", today=today)
        assert status == 0, err
        assert [(c["text"], c["days_overdue"]) for c in json.loads(out)] == [("Robotaxis in Austin", overdue)]
    status, out, err = one_claim("due", today=date(2023, 12, 31))  # the deadline day itself is not late
    assert (status, out) == (0, "") and err.strip() == "Nothing is overdue."


def test_words_said_today_mean_today_s_year(claims):
    status, out, _ = claims("deadline", "later this year", "--json", today=date(2031, 5, 2), db=None)
    assert status == 0
    assert (json.loads(out)["said"], json.loads(out)["deadline"]) == ("2031-05-02", "2031-12-31")


def test_an_outcome_after_today_is_refused(one_claim):
    status, _, err = one_claim("resolve", "1", "--outcome", "true", "--occurred", "2024-03-02", "--reviewer", "Ada")
    assert status == ExitStatus.USAGE
    assert err.strip() == "claims: error: occurred 2024-03-02 is in the future; record what has happened"
    status, _, err = one_claim("resolve", "1", "--outcome", "true", "--occurred", "2024-03-01", "--reviewer", "Ada")
    assert status == 0, err



def test_every_way_in_dates_against_the_given_today(claims, tmp_path):
    """A date after the environment's today is refused by add, source add, import and seed load
    alike, even when it is long past on the machine's clock."""
    today = date(2020, 6, 1)
    assert claims("speaker", "add", "Elon Musk")[0] == 0
    status, _, err = claims("add", "Robotaxis", "--speaker", "Elon Musk", "--said", "2020-06-02", "--deadline", "2021-01-01", today=today)
    assert (status, err.strip()) == (ExitStatus.USAGE, "claims: error: said 2020-06-02 is in the future; a claim is logged once it has been said")
    status, _, err = claims("source", "add", "https://example.org/a", "--published", "2020-06-02", today=today)
    assert status == ExitStatus.USAGE and "2020-06-02" in err and "future" in err
    rows = tmp_path / "claims.csv"
    rows.write_text("speaker,text,said,deadline\nElon Musk,Robotaxis,2020-06-02,2021-01-01\n", encoding="utf-8")
    status, _, err = claims("import", rows, today=today)
    assert status == ExitStatus.USAGE and "future" in err
    # The same commands a day later are taken.
    assert claims("add", "Robotaxis", "--speaker", "Elon Musk", "--said", "2020-06-02", "--deadline", "2021-01-01", today=date(2020, 6, 2))[0] == 0
    assert claims("source", "add", "https://example.org/a", "--published", "2020-06-02", today=date(2020, 6, 2))[0] == 0
    # The packaged seeds were said in 2015-2023: on an earlier day they cannot be loaded.
    status, _, err = claims("seed", "load", today=date(2015, 1, 1))
    assert status == ExitStatus.USAGE and "future" in err, err

def test_the_ledger_and_the_config_come_from_the_given_variables(claims, tmp_path):
    config_home = tmp_path / "xdg-config"
    (config_home / "claims").mkdir(parents=True)
    (config_home / "claims" / "config.toml").write_text('[user]\nname = "Ada Lovelace"\n', encoding="utf-8")
    environ = {"CLAIMS_DB": str(tmp_path / "from-env.db"), "XDG_CONFIG_HOME": str(config_home)}
    assert claims("speaker", "add", "Elon Musk", environ=environ, db=None)[0] == 0
    status, out, err = claims("add", "X", "--speaker", "Elon Musk", "--said", "2024-01-01", "--deadline", "2025", "--json",
                              environ=environ, db=None)
    assert status == 0, err
    assert json.loads(out)["logged_by"] == "Ada Lovelace"
    assert (tmp_path / "from-env.db").exists()


def test_a_progress_bar_on_a_terminal_only(claims, tmp_path, monkeypatch):
    monkeypatch.setattr("ledger.cli.transfer.PROGRESS_BYTES", 1)  # any file is worth a bar here
    file = tmp_path / "claims.csv"
    file.write_text("speaker,text,said,deadline\nElon Musk,A,2023-01-01,by 2030\nElon Musk,B,2023-01-01,by 2030\n", encoding="utf-8")
    status, out, err = claims("import", file, stderr=Terminal())
    assert status == 0
    assert "Importing" in err and "100%" in err
    assert "2 claims added" in out
    status, out, err = claims("import", file)
    assert (status, err) == (0, "") and "2 already present" in out


def test_help_and_errors_go_to_the_given_streams(claims):
    status, out, err = claims("--help", db=None)
    assert status == 0 and out.startswith("Usage: claims") and err == ""
    status, out, err = claims("show", "999")
    assert status == ExitStatus.NOT_FOUND and out == ""
    assert err.startswith("claims: error: no claim #999") and err.count("\n") == 1
