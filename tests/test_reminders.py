"""Reminders end to end: digests arrive at a real SMTP server and a real webhook on loopback, come
back every N days until a claim is resolved, survive a mail server that is down, and a bad
config is refused in one line."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from http import HTTPStatus

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger.config import ReminderSettings, load, reminder_settings
from ledger.services.reminders import backoff, flag_lapsed, preview_digest, scan
from ledger.store.engine import open_ledger
from ledger.store.models import Claim, JournalEntry
from ledger.store.models.reminders import Reminder
from loopback import Mailbox, Webhook, free_port, wait_for

RESOLVE = "--outcome true|false|partial|ambiguous --evidence URL"


def overdue(deadline: str) -> int:
    return (date.today() - date.fromisoformat(deadline)).days


@pytest.fixture
def lapsed(musk):
    """Three lapsed claims and one in the future; ids by name."""
    ids = {}
    for name, deadline, quote in [
        ("level5", "2020-12-31", "I'm extremely confident that level 5 will be achieved"),
        ("robotaxis", "2020-06-30", "We will have over a million robotaxis on the road"),
        ("agi", "2021-12-31", None),
        ("mars", "2099-12-31", "Humans on Mars"),
    ]:
        args = ["add", name, "--speaker", "Musk", "--said", "2019-04-22", "--deadline", deadline, "--source", "https://example.org/waic-2023", "--json"]
        r = musk(*args, *(["--quote", quote] if quote else []))
        assert r.status == 0, r.err
        ids[name] = r.json["id"]
    return ids


def config(tmp_path, body: str):
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def smtp_config(tmp_path, port: int, extra: str = "") -> str:
    return config(tmp_path, f"""
[channels.email]
type = "smtp"
host = "127.0.0.1"
port = {port}
security = "none"
from = "Claims ledger <claims@example.org>"
to = ["desk@example.org"]
{extra}
""")


def test_email_digests_reach_assigned_reviewers_and_the_desk(lapsed, musk, tmp_path):
    assert musk("reviewer", "add", "Ada Reviewer", "--email", "ada@example.org").status == 0
    assert musk("assign", lapsed["level5"], "Ada Reviewer").status == 0
    assert musk("assign", lapsed["agi"], "ada reviewer").status == 0
    with Mailbox() as mailbox:
        cfg = smtp_config(tmp_path, mailbox.port)
        run = musk("--config", cfg, "scheduler", "run", "--once")
        assert run.status == 0, run.err
        by_rcpt = {tuple(rcpt): msg for rcpt, msg in mailbox.messages}
        assert sorted(by_rcpt) == [("ada@example.org",), ("desk@example.org",)]  # one digest each

        ada = by_rcpt[("ada@example.org",)]
        assert ada["From"] == "Claims ledger <claims@example.org>" and "Ada Reviewer" in ada["To"]
        assert ada["Subject"] == "claims: 2 lapsed predictions awaiting a verdict"
        body = ada.get_content()
        assert "Elon Musk" in body
        assert "\u201cI'm extremely confident that level 5 will be achieved\u201d" in body
        assert f"Deadline 2020-12-31 (2020-12-31), {overdue('2020-12-31')} days overdue, reminder 1" in body
        assert f"Deadline 2021-12-31 (2021-12-31), {overdue('2021-12-31')} days overdue, reminder 1" in body
        assert f"claims resolve {lapsed['level5']} {RESOLVE}" in body
        assert f"claims resolve {lapsed['agi']} {RESOLVE}" in body
        assert f"claims resolve {lapsed['robotaxis']} " not in body  # not hers

        desk = by_rcpt[("desk@example.org",)].get_content()
        assert f"claims resolve {lapsed['robotaxis']} {RESOLVE}" in desk and "Source: https://example.org/waic-2023" in desk
        assert f"#{lapsed['level5']} " not in desk and f"#{lapsed['mars']} " not in desk

        # The same day again: nothing new is owed, nothing is sent twice.
        assert musk("--config", cfg, "scheduler", "run", "--once").status == 0
        assert len(mailbox.messages) == 2
    rows = musk("--config", cfg, "reminders", "list", "--json").json
    assert sorted((r["claim_id"], r["recipient"], r["status"], r["number"]) for r in rows) == sorted([
        (lapsed["level5"], "Ada Reviewer <ada@example.org>", "sent", 1),
        (lapsed["agi"], "Ada Reviewer <ada@example.org>", "sent", 1),
        (lapsed["robotaxis"], "desk@example.org", "sent", 1),
    ])


def test_the_webhook_gets_text_for_chat_and_fields_for_programs(lapsed, musk, tmp_path):
    with Webhook() as hook:
        cfg = config(tmp_path, f'[reminders]\nrecipients = ["Fact desk"]\n\n[channels.chat]\ntype = "webhook"\nurl = "{hook.url}"\n')
        assert musk("--config", cfg, "scheduler", "run", "--once").status == 0
        assert len(hook.accepted) == 1
        post = hook.accepted[0]
    assert post["recipient"] == "Fact desk"
    assert f"claims resolve {lapsed['robotaxis']} {RESOLVE}" in post["text"]
    assert [c["id"] for c in post["claims"]] == [lapsed["robotaxis"], lapsed["level5"], lapsed["agi"]]  # oldest deadline first
    first = post["claims"][0]
    assert (first["speaker"], first["deadline"], first["days_overdue"], first["reminder"]) == ("Elon Musk", "2020-06-30", overdue("2020-06-30"), 1)
    assert first["quote"] == "We will have over a million robotaxis on the road"


@pytest.mark.parametrize("status", [302, 307])  # 302 was followed as a GET; 307 would re-POST elsewhere
def test_a_webhook_that_redirects_has_not_received_the_reminder(lapsed, musk, tmp_path, status):
    with Webhook(redirect=status) as hook:
        cfg = config(tmp_path, f'[channels.chat]\ntype = "webhook"\nurl = "{hook.url}"\n')
        run = musk("--config", cfg, "scheduler", "run", "--once")
        assert run.status == 1, run.err
        assert len(hook.received) == 1 and hook.followed == []  # answered with a redirect, not followed
    failed = musk("reminders", "list", "--failed", "--json").json
    assert len(failed) == 3
    assert {r["last_error"] for r in failed} == {f"webhook {hook.url} answered {status} {HTTPStatus(status).phrase}, redirecting to /moved (not followed)"}


def test_reminded_again_every_n_days_until_resolved(lapsed, db_url):
    ledger = open_ledger(db_url)
    settings = ReminderSettings(every_days=3)
    numbers = lambda: sorted((r.claim_id, r.number) for r in _reminders(ledger))  # noqa: E731
    lapse = date(2021, 1, 1)  # the day after level5's deadline; robotaxis lapsed earlier
    assert scan(ledger, settings, lapse).flagged == [lapsed["level5"], lapsed["robotaxis"]]
    assert numbers() == [(lapsed["level5"], 1), (lapsed["robotaxis"], 1)]  # one now, not one per day missed
    for day in (1, 2):
        assert scan(ledger, settings, lapse + timedelta(days=day)).reminders == 0
    assert scan(ledger, settings, lapse + timedelta(days=3)).reminders == 2
    with ledger.write() as s:
        s.execute(update(Claim).where(Claim.id == lapsed["level5"]).values(status="resolved", version=Claim.version + 1))
        s.execute(update(Claim).where(Claim.id == lapsed["robotaxis"]).values(status="disputed", version=Claim.version + 1))
    assert scan(ledger, settings, lapse + timedelta(days=6)).reminders == 1  # the disputed one still needs a verdict
    assert numbers() == [(lapsed["level5"], 1), (lapsed["level5"], 2), (lapsed["robotaxis"], 1), (lapsed["robotaxis"], 2), (lapsed["robotaxis"], 3)]
    with ledger.write() as s:  # an amendment reopens the question: reminders resume, numbered on
        s.execute(update(Claim).where(Claim.id == lapsed["level5"]).values(status="disputed", version=Claim.version + 1))
    assert scan(ledger, settings, lapse + timedelta(days=7)).reminders == 1
    assert (lapsed["level5"], 3) in numbers()
    ledger.dispose()


def _reminders(ledger):
    with ledger.read() as s:
        return s.execute(select(Reminder.__table__).order_by(Reminder.id)).all()


def test_the_outbox_refuses_a_duplicate_reminder(lapsed, db_url):
    ledger = open_ledger(db_url)
    flag_lapsed(ledger, date(2022, 1, 1))
    row = _reminders(ledger)[0]
    with pytest.raises(IntegrityError):
        with ledger.write() as s:
            s.execute(insert(Reminder).values(
                claim_id=row.claim_id, recipient=row.recipient, channel=row.channel, number=row.number,
                due_on=row.due_on, status="pending", attempts=0, next_attempt_at=row.next_attempt_at, created_at=row.created_at,
            ))
    ledger.dispose()


def test_a_claim_resolved_before_delivery_is_not_reminded(lapsed, musk, db_url, tmp_path):
    with Webhook() as hook:
        cfg = config(tmp_path, f'[channels.chat]\ntype = "webhook"\nurl = "{hook.url}"\n')
        ledger = open_ledger(db_url)
        assert len(scan(ledger, reminder_settings(load(cfg)), date(2022, 1, 1)).flagged) == 3
        with ledger.write() as s:  # a reviewer resolves it before the delivery job runs
            s.execute(update(Claim).where(Claim.id == lapsed["robotaxis"]).values(status="resolved", version=Claim.version + 1))
        ledger.dispose()
        assert musk("--config", cfg, "scheduler", "run", "--once").status == 0
        ids = [c["id"] for post in hook.accepted for c in post["claims"]]
    assert sorted(ids) == sorted([lapsed["level5"], lapsed["agi"]])
    statuses = {r["claim_id"]: r["status"] for r in musk("reminders", "list", "--json").json}
    assert statuses == {lapsed["level5"]: "sent", lapsed["agi"]: "sent", lapsed["robotaxis"]: "cancelled"}


def retry_time(cli) -> datetime:
    """When the failed reminders may next be tried, as the ledger stored it (one time per digest)."""
    times = {r["next_attempt_at"] for r in cli("reminders", "list", "--failed", "--json").json}
    assert len(times) == 1, times
    at = datetime.fromisoformat(times.pop())
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def wait_for_retry(cli) -> None:
    """Wait, however slow the machine, until the stored retry time has passed on the clock."""
    due = retry_time(cli)
    wait_for(lambda: datetime.now(timezone.utc) >= due, timeout=60)


def test_mail_server_down_errors_are_kept_and_retried_with_backoff(lapsed, musk, tmp_path):
    port = free_port()  # nothing listens here yet
    cfg = smtp_config(tmp_path, port, "\n[scheduler]\nretry_base_seconds = 3\n")
    before = datetime.now(timezone.utc)
    down = musk("--config", cfg, "scheduler", "run", "--once")
    assert down.status == 1
    assert down.err.strip().splitlines()[-1] == (
        "claims: error: 3 reminder(s) could not be delivered; they are kept and retried (see `claims reminders list --failed`)"
    )
    failed = musk("--config", cfg, "reminders", "list", "--failed", "--json").json
    assert len(failed) == 3
    assert all(r["attempts"] == 1 and f"127.0.0.1:{port}" in r["last_error"] and "refused" in r["last_error"].lower() for r in failed)
    table = musk("--config", cfg, "reminders", "list", "--failed")
    assert "failed" in table.out and "refused" in table.out.lower()
    due = retry_time(musk)
    assert before.replace(microsecond=0) + timedelta(seconds=3) <= due <= datetime.now(timezone.utc) + timedelta(seconds=3)

    with Mailbox(port) as mailbox:
        musk("--config", cfg, "scheduler", "run", "--once")  # too early: the backoff holds it
        if datetime.now(timezone.utc) < due:  # (unless the machine was too slow to get here in time)
            assert mailbox.messages == []
            assert [r["attempts"] for r in musk("reminders", "list", "--failed", "--json").json] == [1, 1, 1]
        wait_for_retry(musk)
        again = musk("--config", cfg, "scheduler", "run", "--once")
        assert again.status == 0, again.err
        assert [rcpt for rcpt, _ in mailbox.messages] == [["desk@example.org"]]
        assert "3 lapsed predictions" in mailbox.messages[0][1]["Subject"]
    rows = musk("reminders", "list", "--json").json
    assert [(r["status"], r["attempts"], r["last_error"]) for r in rows] == [("sent", 2, None)] * 3
    assert musk("reminders", "list", "--failed").err.strip() == "No failed reminders."


def test_a_reviewer_whose_address_is_refused_is_told_why_then_parked(lapsed, musk, tmp_path, caplog):
    assert musk("reviewer", "add", "Ada Reviewer", "--email", "ada@example.org").status == 0
    assert musk("assign", lapsed["agi"], "Ada Reviewer").status == 0
    with Mailbox(refuse=frozenset({"ada@example.org"})) as mailbox:
        cfg = smtp_config(tmp_path, mailbox.port, "\n[scheduler]\nmax_attempts = 2\nretry_base_seconds = 1\n")
        why = f"SMTP 127.0.0.1:{mailbox.port}, email to ada@example.org: 550 5.1.1 <ada@example.org>: no such user"
        assert musk("--config", cfg, "scheduler", "run", "--once").status == 1
        assert [rcpt for rcpt, _ in mailbox.messages] == [["desk@example.org"]]  # everyone else has theirs
        failed = musk("reminders", "list", "--failed", "--json").json
        assert [(r["claim_id"], r["recipient"], r["status"], r["attempts"], r["last_error"]) for r in failed] == [
            (lapsed["agi"], "Ada Reviewer <ada@example.org>", "failed", 1, why)
        ]
        assert f"delivery to Ada Reviewer <ada@example.org> on email failed (attempt 1 of 2), will retry at " in caplog.text
        assert caplog.text.rstrip().endswith(why)

        def parked():
            caplog.clear()
            run = musk("--config", cfg, "scheduler", "run", "--once")
            return run.status == 1 and (caplog.text, run.err)

        log, err = wait_for(parked, timeout=10)  # once the backoff has passed, the second and last try
        assert err.splitlines()[-1] == "claims: error: 1 reminder(s) could not be delivered, 1 of them parked after 2 tries (see `claims reminders list --failed`)"
        assert mailbox.refused == ["ada@example.org"] * 2
        assert f"delivery to Ada Reviewer <ada@example.org> on email failed 2 times, parked (no more retries; see `claims reminders list --failed`): {why}" in log
        again = musk("--config", cfg, "scheduler", "run", "--once")
        assert again.status == 0 and mailbox.refused == ["ada@example.org"] * 2  # parked: not tried again
    failed = musk("reminders", "list", "--failed", "--json").json
    assert [(r["status"], r["attempts"], r["next_attempt_at"], r["last_error"]) for r in failed] == [("parked", 2, None, why)]
    table = musk("reminders", "list", "--failed").out
    assert "parked" in table and "no such user" in table


def test_parked_reminders_are_kept_as_failed_below_their_schema_revision_and_back(lapsed, musk, db_url, tmp_path):
    cfg = smtp_config(tmp_path, free_port(), "\n[scheduler]\nmax_attempts = 1\n")  # the mail server is down
    assert musk("--config", cfg, "scheduler", "run", "--once").status == 1
    before = musk("reminders", "list", "--json").json
    assert [r["status"] for r in before] == ["parked"] * 3
    kept = lambda rows: [(r["id"], r["claim_id"], r["attempts"], r["last_error"]) for r in rows]  # noqa: E731
    ledger = open_ledger(db_url, check_schema=False)
    try:
        # Below 0008 speakers have no stored slugs: the downgrade drops them, so it must be told to.
        assert musk("db", "downgrade", "0003").status == 2
        assert musk("db", "downgrade", "0003", "--yes").status == 0
        with ledger.read() as s:
            rows = s.execute(select(Reminder.id, Reminder.claim_id, Reminder.attempts, Reminder.last_error, Reminder.status).order_by(Reminder.id)).all()
        assert [tuple(r[:4]) for r in rows] == kept(before) and {r[4] for r in rows} == {"failed"}
        with pytest.raises(IntegrityError), ledger.write() as s:  # 0003 does not know the state
            s.execute(update(Reminder).values(status="parked"))
    finally:
        ledger.dispose()
    assert musk("db", "upgrade").status == 0
    after = musk("reminders", "list", "--failed", "--json").json
    assert kept(after) == kept(before) and [r["status"] for r in after] == ["failed"] * 3


@pytest.mark.parametrize("email", ["ada@exämple.org", "ada@example..org", "@example.org", "Ada <ada@example.org>", "ada@example.org\r\nBcc: x@example.org"])
def test_a_reviewer_address_no_mail_server_takes_is_refused(musk, email):
    added = musk("reviewer", "add", "Ada Reviewer", "--email", email)
    assert added.status == 2 and added.err.count("\n") == 1, added.err
    assert musk("reviewer", "list", "--json").json == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_logs_in_with_the_password_from_the_environment(lapsed, musk, tmp_path, monkeypatch):
    with Mailbox(password="s3cret") as mailbox:
        cfg = smtp_config(tmp_path, mailbox.port, 'user = "claims-bot"\npassword_env = "CLAIMS_TEST_SMTP_PASSWORD"\n\n[scheduler]\nretry_base_seconds = 1\n')
        monkeypatch.setenv("CLAIMS_TEST_SMTP_PASSWORD", "wrong")
        assert musk("--config", cfg, "scheduler", "run", "--once").status == 1 and mailbox.messages == []
        assert all("535" in r["last_error"] for r in musk("reminders", "list", "--failed", "--json").json)  # auth failed
        monkeypatch.setenv("CLAIMS_TEST_SMTP_PASSWORD", "s3cret")
        wait_for_retry(musk)
        assert musk("--config", cfg, "scheduler", "run", "--once").status == 0
        assert mailbox.logins[-1] == ("claims-bot", True) and not any(ok for _, ok in mailbox.logins[:-1])
        assert [rcpt for rcpt, _ in mailbox.messages] == [["desk@example.org"]]


def test_backoff_doubles_from_the_base_up_to_the_cap():
    settings = ReminderSettings(retry_base_seconds=60, retry_max_seconds=3600)
    assert [backoff(settings, n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.mark.parametrize("body, message", [  # tests/test_config.py has every kind of mistake
    ('[channels.x]\ntype = "pigeon"\n', "[channels.x] has unknown type 'pigeon'; use one of smtp, webhook, log"),
    ('[scheduler]\nscan_every = 5\n', "unknown key scheduler.scan_every"),
])
def test_a_bad_config_is_one_line_at_start(musk, tmp_path, body, message):
    cfg = config(tmp_path, body)
    result = musk("--config", cfg, "scheduler", "run", "--once")
    assert result.status == 7
    assert len(result.err.strip().splitlines()) == 1 and message in result.err, result.err
    assert musk("reminders", "list", "--json").json == []  # nothing ran


def test_a_password_variable_that_is_not_set_is_one_line_at_start(musk, tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMS_TEST_SMTP_PASSWORD", raising=False)
    cfg = smtp_config(tmp_path, 2525, 'user = "bot"\npassword_env = "CLAIMS_TEST_SMTP_PASSWORD"\n')
    result = musk("--config", cfg, "scheduler", "run", "--once")
    assert result.status == 7
    assert result.err.strip() == "claims: error: [channels.email] reads its password from $CLAIMS_TEST_SMTP_PASSWORD, which is not set"


def test_reviewers_are_added_listed_and_assigned_with_a_journal_entry(lapsed, musk, db_url):
    added = musk("reviewer", "add", "Ada Reviewer", "--email", "ada@example.org", "--json")
    assert added.status == 0 and added.json == {"id": 1, "name": "Ada Reviewer", "email": "ada@example.org"}
    assert musk("reviewer", "add", "Bo", "--json").json["email"] is None
    assert musk("assign", lapsed["level5"], "Ada Reviewer").out.strip() == f"Claim #{lapsed['level5']} is assigned to Ada Reviewer"
    assert musk("reviewer", "list", "--json").json == [
        {"id": 1, "name": "Ada Reviewer", "email": "ada@example.org", "claims": 1},
        {"id": 2, "name": "Bo", "email": None, "claims": 0},
    ]
    for args, status, words in [
        (("reviewer", "add", "ada reviewer"), 4, "already exists"),
        (("reviewer", "add", "Cy", "--email", "not-an-address"), 2, "is not an email address"),
        (("assign", lapsed["level5"], "Ada Reviewer"), 4, "already assigned"),
        (("assign", lapsed["level5"], "Nobody"), 3, "unknown reviewer 'Nobody'"),
        (("assign", 999, "Ada Reviewer"), 3, "no claim #999"),
    ]:
        result = musk(*args)
        assert result.status == status and words in result.err and len(result.err.strip().splitlines()) == 1, (args, result.err)
    ledger = open_ledger(db_url)
    with ledger.read() as s:
        actions = list(s.scalars(select(JournalEntry.action).where(JournalEntry.action.in_(["reviewer.added", "claim.assigned"])).order_by(JournalEntry.seq)))
    ledger.dispose()
    assert actions == ["reviewer.added", "reviewer.added", "claim.assigned"]
    assert musk("verify").status == 0


def test_preview_digest_is_the_reminder_the_demo_shows(lapsed, db_url):
    ledger = open_ledger(db_url)
    text = preview_digest(ledger, date(2021, 1, 1))
    assert text.startswith("Subject: claims: 2 lapsed predictions awaiting a verdict\n")
    assert "Deadline 2020-06-30 (2020-06-30), 185 days overdue" in text  # July 1 .. Jan 1: 184 + 1
    assert "Deadline 2020-12-31 (2020-12-31), 1 day overdue" in text
    assert f"claims resolve {lapsed['level5']} {RESOLVE}" in text
    assert flag_lapsed(ledger, date(2021, 1, 1)) == sorted([lapsed["level5"], lapsed["robotaxis"]])
    ledger.dispose()


def test_log_channel_prints_the_digest(lapsed, musk, capsys):
    result = musk("scheduler", "run", "--once")  # no config: reminders show on stdout
    assert result.status == 0
    assert result.out.startswith("--- reminder for reviewers: claims: 3 lapsed predictions awaiting a verdict\n")
    assert json.dumps(musk("reminders", "list", "--json").json).count('"sent"') == 3


def test_a_digest_being_sent_is_not_taken_by_another_worker_until_its_lease_runs_out(lapsed, db_url):
    """While worker A is still sending, worker B runs a whole delivery: it must leave A's rows alone."""
    from ledger.services.reminders import deliver

    settings = ReminderSettings(lease_seconds=600)
    ledger_a, ledger_b = open_ledger(db_url), open_ledger(db_url)
    flag_lapsed(ledger_a, date(2022, 1, 1), settings)
    seen_by_b: list[str] = []

    class Recorder:
        def __init__(self, sent):
            self.sent = sent

        def send(self, digest):
            self.sent.append(digest.recipient)

    class SlowA:
        def send(self, digest):
            report = deliver(ledger_b, settings, {"log": Recorder(seen_by_b)}, worker="B", today=date(2022, 1, 1))
            assert (report.sent, report.digests) == (0, 0)

    report = deliver(ledger_a, settings, {"log": SlowA()}, worker="A", today=date(2022, 1, 1))
    assert (report.sent, report.digests) == (3, 1) and seen_by_b == []
    # A worker that dies mid-send leaves a lease; once it is older than lease_seconds, others retry.
    with ledger_a.write() as s:
        s.execute(update(Reminder).values(status="pending", claimed_by="dead", claimed_at=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    assert deliver(ledger_b, settings, {"log": Recorder(seen_by_b)}, worker="B", today=date(2022, 1, 1)).sent == 3
    assert seen_by_b == ["reviewers"]
    ledger_a.dispose()
    ledger_b.dispose()
