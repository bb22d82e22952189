"""`claims report --as-of D`: the record as it stood on D. Only verdicts recorded by the end of D
(UTC) count, as they stood then: a later amendment or dispute does not reach back, and a verdict
recorded after D leaves the claim open or overdue on D. The clock the ledger records with is set
by each test (tests/recording.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from recording import record_at
from test_report import add, only, report, resolve, speaker


def counts(cli, as_of: str, *more) -> tuple:
    s = only(report(cli, "--as-of", as_of, *more))
    return s["overdue"], s["disputed"], s["resolved"], s["scored"], s["hits"]


def amend(cli, claim_id: int, outcome: str, *options, config=None) -> None:
    first = ["--config", config] if config else []
    result = cli(*first, "resolve", claim_id, "--outcome", outcome, "--reviewer", "Rita Reviewer", "--amend",
                 "--reason", "the first verdict misread the source", *options)
    assert result.status == 0, result.err


def test_an_amendment_does_not_reach_back_before_it_was_recorded(cli, monkeypatch):
    speaker(cli, "Amy Amended")
    claim = add(cli, "Amy Amended", "2020-01-01", "2020-12-31")
    record_at(monkeypatch, "2021-03-01T12:00:00+00:00")
    resolve(cli, claim, "false")
    record_at(monkeypatch, "2022-06-01T12:00:00+00:00")
    amend(cli, claim, "true", "--occurred", "2020-06-01")
    # overdue, disputed, resolved, scored, hits
    assert counts(cli, "2021-02-28") == (1, 0, 0, 0, 0)  # no verdict yet
    assert counts(cli, "2021-03-01") == (0, 0, 1, 1, 0)  # false, recorded that day
    assert counts(cli, "2022-05-31") == (0, 0, 1, 1, 0)  # still false
    assert counts(cli, "2022-06-01") == (0, 0, 1, 1, 1)  # amended to true that day
    assert counts(cli, "2030-01-01") == (0, 0, 1, 1, 1)


def test_a_verdict_recorded_late_in_the_day_counts_that_day_not_the_day_before(cli, monkeypatch):
    speaker(cli, "Nat Night")
    claim = add(cli, "Nat Night", "2020-01-01", "2020-12-31", probability=0.8)
    record_at(monkeypatch, "2021-03-01T23:59:59+00:00")
    resolve(cli, claim, "true", "2020-06-01")
    assert counts(cli, "2021-02-28") == (1, 0, 0, 0, 0)
    s = only(report(cli, "--as-of", "2021-02-28"))
    assert s["brier_n"] == 0 and s["lateness"]["n"] == 1  # not delivered yet: censored
    assert counts(cli, "2021-03-01") == (0, 0, 1, 1, 1)


def test_a_later_dispute_leaves_the_verdict_it_challenged_as_it_stood(cli, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[review]\nquorum = 2\n")
    speaker(cli, "Dora Disputed")
    claim = add(cli, "Dora Disputed", "2020-01-01", "2020-12-31")
    record_at(monkeypatch, "2021-03-01T12:00:00+00:00")
    resolve(cli, claim, "true", "2020-06-01")
    record_at(monkeypatch, "2022-06-01T12:00:00+00:00")
    amend(cli, claim, "false", config=config)  # challenged: disputed until a second reviewer agrees
    assert counts(cli, "2022-05-31") == (0, 0, 1, 1, 1)
    assert counts(cli, "2022-06-01") == (0, 1, 0, 0, 0)


def test_lateness_and_decay_use_the_occurred_date_as_it_stood(cli, monkeypatch):
    speaker(cli, "Leo Late")
    claim = add(cli, "Leo Late", "2020-01-01", "2020-12-31")
    record_at(monkeypatch, "2021-06-01T12:00:00+00:00")
    resolve(cli, claim, "true", "2021-05-31")  # 151 days late
    record_at(monkeypatch, "2022-06-01T12:00:00+00:00")
    amend(cli, claim, "true", "--occurred", "2020-12-01")  # on time after all
    before = only(report(cli, "--as-of", "2022-01-01", "--policy", "decay", "--half-life", "151"))
    assert (before["scored"], before["hits"], before["lateness"]["on_time"]) == (1, 0.5, 0)
    after = only(report(cli, "--as-of", "2022-06-01", "--policy", "decay", "--half-life", "151"))
    assert (after["scored"], after["hits"], after["lateness"]["on_time"]) == (1, 1, 1)
